/** SDP `a=fmtp` parameters: H.264 `sprop-parameter-sets`, H.265 `sprop-vps/sps/pps`, DONL. */

import { problem, type RtpProblem } from "./packet.ts";

/** Longest fmtp text read; real ones are a few hundred bytes. */
const MAX_FMTP_CHARS = 8192;
/** Most parameter sets taken from one fmtp. */
const MAX_SETS = 16;

/** Parameter sets and packetisation facts found in one fmtp. */
export interface FmtpInfo {
  /** Decoded parameter sets in decoding order (VPS, SPS, PPS / SPS, PPS). */
  parameterSets: Uint8Array[];
  /** H.264 `packetization-mode` (0 when absent). */
  packetizationMode: number;
  /** H.265 `sprop-max-don-diff` (0 when absent): above 0 means DONL fields are present. */
  maxDonDiff: number;
  /** H.264 `profile-level-id` as sent (6 hex digits), or null. */
  profileLevelId: string | null;
  /** Values that could not be decoded; the rest is still used. */
  problems: RtpProblem[];
}

/**
 * Splits `a=fmtp` text into lower-cased keys and values. Accepts the whole attribute
 * (`a=fmtp:96 k=v; …`), the value after the payload type, or just the parameters. A value keeps
 * everything after its first `=` (base64 padding included).
 */
export function parseFmtp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let body = text.slice(0, MAX_FMTP_CHARS).trim();
  if (body.toLowerCase().startsWith("a=fmtp:")) body = body.slice(7);
  const space = body.indexOf(" ");
  if (space > 0 && /^[0-9]+$/.test(body.slice(0, space))) body = body.slice(space + 1);
  for (const part of body.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

/** Reads an fmtp for `codec` ("H264" or "H265"); never throws, bad base64 becomes a problem. */
export function readFmtp(codec: "H264" | "H265", text: string): FmtpInfo {
  const params = parseFmtp(text);
  const problems: RtpProblem[] = [];
  const sets: Uint8Array[] = [];
  const keys = codec === "H264"
    ? ["sprop-parameter-sets"]
    : ["sprop-vps", "sprop-sps", "sprop-pps"];
  for (const key of keys) {
    const value = params.get(key);
    if (!value) continue;
    for (const item of value.split(",")) {
      if (item === "" || sets.length >= MAX_SETS) continue;
      const bytes = decodeBase64(item);
      if (bytes && bytes.length > 0) sets.push(bytes);
      else {problems.push(
          problem("bad-fmtp", `SDP ${key} entry "${item.slice(0, 40)}" is not base64`),
        );}
    }
  }
  const number = (key: string) => {
    const value = params.get(key);
    return value && /^[0-9]{1,6}$/.test(value) ? Number(value) : 0;
  };
  const pli = params.get("profile-level-id");
  return {
    parameterSets: sets,
    packetizationMode: number("packetization-mode"),
    maxDonDiff: number("sprop-max-don-diff"),
    profileLevelId: pli && /^[0-9a-fA-F]{6}$/.test(pli) ? pli.toLowerCase() : null,
    problems,
  };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 (padding optional) → bytes, or null on any other character; linear. */
export function decodeBase64(text: string): Uint8Array | null {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // "="
  if (text.length - end > 2 || end % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? DECODE[code] : -1;
    if (value < 0) return null;
    acc = ((acc << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}
