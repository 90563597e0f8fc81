/** RTSP authentication: parses WWW-Authenticate challenges, builds Basic/Digest Authorization. */

import { Buffer } from "node:buffer";
import { createHash, randomBytes } from "node:crypto";

/** One challenge of a `WWW-Authenticate` header (RFC 2617 / RFC 7616). */
export interface AuthChallenge {
  /** The scheme, as spelled canonically. */
  scheme: "Basic" | "Digest";
  /** The protection space; echoed back in Digest answers. */
  realm: string;
  /** Digest only: the server nonce. */
  nonce?: string;
  /** Digest only: opaque data to echo back unchanged. */
  opaque?: string;
  /** Digest only: "MD5" (default), "MD5-sess", "SHA-256", "SHA-256-sess". */
  algorithm?: string;
  /** Digest only: offered qop values, lower-cased ("auth", "auth-int"). */
  qop?: string[];
  /** Digest only: true when the last answer failed only because the nonce expired. */
  stale?: boolean;
}

/** A user name and password, already percent-decoded from the URL. */
export interface Credentials {
  username: string;
  password: string;
}

/** The request an Authorization header is computed for. */
export interface AuthRequest {
  /** RTSP method, e.g. "DESCRIBE". */
  method: string;
  /** The request URI exactly as sent on the request line. */
  uri: string;
  /** Digest nonce count: how many times this nonce was used, this time included (default 1). */
  nc?: number;
  /** Digest client nonce; random when omitted (tests pass a fixed one). */
  cnonce?: string;
}

/** Digest algorithms we can answer, upper case, mapped to their node:crypto hash. */
const DIGEST_HASHES: Record<string, string> = {
  "MD5": "md5",
  "MD5-SESS": "md5",
  "SHA-256": "sha256",
  "SHA-256-SESS": "sha256",
};

/**
 * Parses a `WWW-Authenticate` value, which may hold several challenges
 * (`Digest realm="a", nonce="b", Basic realm="a"`); repeated headers joined with ", " work too.
 * Schemes other than Basic and Digest are skipped.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let current: Record<string, string> | undefined;
  let scheme = "";
  const flush = () => {
    if (current) {
      const ch = toChallenge(scheme, current);
      if (ch) out.push(ch);
    }
  };
  let i = 0;
  const n = header.length;
  while (i < n) {
    while (i < n && (header[i] === " " || header[i] === "," || header[i] === "\t")) i++;
    const start = i;
    while (i < n && header[i] !== " " && header[i] !== "=" && header[i] !== ",") i++;
    const token = header.slice(start, i);
    if (!token) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && header[j] === " ") j++;
    if (header[j] !== "=") { // a bare token starts a new challenge
      flush();
      scheme = token;
      current = {};
      continue;
    }
    i = j + 1;
    while (i < n && header[i] === " ") i++;
    let value = "";
    if (header[i] === '"') {
      i++;
      while (i < n && header[i] !== '"') {
        if (header[i] === "\\" && i + 1 < n) i++;
        value += header[i++];
      }
      i++;
    } else {
      const vs = i;
      while (i < n && header[i] !== "," && header[i] !== " ") i++;
      value = header.slice(vs, i);
    }
    if (current) current[token.toLowerCase()] = value;
  }
  flush();
  return out;
}

function toChallenge(scheme: string, p: Record<string, string>): AuthChallenge | undefined {
  const s = scheme.toLowerCase();
  if (s === "basic") return { scheme: "Basic", realm: p.realm ?? "" };
  if (s !== "digest" || p.nonce === undefined) return undefined;
  const ch: AuthChallenge = { scheme: "Digest", realm: p.realm ?? "", nonce: p.nonce };
  if (p.opaque !== undefined) ch.opaque = p.opaque;
  if (p.algorithm) ch.algorithm = p.algorithm;
  if (p.qop) ch.qop = p.qop.split(",").map((q) => q.trim().toLowerCase()).filter(Boolean);
  if (p.stale?.toLowerCase() === "true") ch.stale = true;
  return ch;
}

/** True when we can answer this Digest challenge (known algorithm; no qop or qop=auth). */
function canAnswerDigest(ch: AuthChallenge): boolean {
  const algo = (ch.algorithm ?? "MD5").toUpperCase();
  return algo in DIGEST_HASHES && (!ch.qop || ch.qop.includes("auth"));
}

/** Picks the challenge to answer: Digest (if answerable) over Basic, so passwords stay hashed. */
export function chooseChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === "Digest" && canAnswerDigest(c)) ??
    challenges.find((c) => c.scheme === "Basic");
}

/** The inputs of a Digest `response` value (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1). */
export interface DigestParams {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** "MD5" when omitted. */
  algorithm?: string;
  /** "auth", or undefined for the RFC 2069 form. */
  qop?: string;
  /** Nonce count as 8 hex digits, e.g. "00000001" (required with qop). */
  nc?: string;
  /** Client nonce (required with qop or a -sess algorithm). */
  cnonce?: string;
}

/** Computes the Digest `response` value. Throws on an algorithm we do not implement. */
export function digestResponse(p: DigestParams): string {
  const algo = (p.algorithm ?? "MD5").toUpperCase();
  const name = DIGEST_HASHES[algo];
  if (!name) {
    throw new RangeError(`Cannot answer Digest: algorithm "${p.algorithm}" is unsupported`);
  }
  const h = (s: string) => createHash(name).update(s).digest("hex");
  let ha1 = h(`${p.username}:${p.realm}:${p.password}`);
  if (algo.endsWith("-SESS")) ha1 = h(`${ha1}:${p.nonce}:${p.cnonce ?? ""}`);
  const ha2 = h(`${p.method}:${p.uri}`);
  return p.qop
    ? h(`${ha1}:${p.nonce}:${p.nc ?? "00000001"}:${p.cnonce ?? ""}:${p.qop}:${ha2}`)
    : h(`${ha1}:${p.nonce}:${ha2}`);
}

/** Quotes a header parameter value, escaping `"` and `\`. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** Builds the `Authorization` header value answering `ch` for one request. */
export function authorizationHeader(
  ch: AuthChallenge,
  creds: Credentials,
  req: AuthRequest,
): string {
  if (ch.scheme === "Basic") {
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
  }
  const qop = ch.qop ? "auth" : undefined;
  const sess = (ch.algorithm ?? "").toUpperCase().endsWith("-SESS");
  const cnonce = qop || sess ? req.cnonce ?? randomBytes(8).toString("hex") : undefined;
  const nc = (req.nc ?? 1).toString(16).padStart(8, "0");
  const response = digestResponse({
    ...creds,
    realm: ch.realm,
    nonce: ch.nonce ?? "",
    method: req.method,
    uri: req.uri,
    algorithm: ch.algorithm,
    qop,
    nc,
    cnonce,
  });
  let out = `Digest username=${quote(creds.username)}, realm=${quote(ch.realm)}, ` +
    `nonce=${quote(ch.nonce ?? "")}, uri=${quote(req.uri)}, response="${response}"`;
  if (ch.algorithm) out += `, algorithm=${ch.algorithm}`;
  if (ch.opaque !== undefined) out += `, opaque=${quote(ch.opaque)}`;
  if (qop) out += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  return out;
}
