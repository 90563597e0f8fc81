/** The stream editor's fields: reading a form body and a stream entry, and the write-only password. */

/** The stream editor's fields, as the browser sends them. */
export interface StreamValues {
  name: string;
  /** The URL; in the form it is shown without its password (see {@link withoutPassword}). */
  url: string;
  enabled: boolean;
  kind: string;
  interval: string;
  timeout: string;
  tags: string;
  tlsInsecure: boolean;
  /** "" (automatic), "on" or "off": `media:` unset, true or false. */
  media?: string;
  mediaCheck?: string;
  freeze?: string;
  expectCodec?: string;
  expectWidth?: string;
  expectHeight?: string;
  expectMinFps?: string;
  /** "" (unset: auto), "auto", "tcp" or "udp". */
  rtspTransport?: string;
  site?: string;
  parent?: string;
  /** A new password typed in the write-only field ("" keeps the stored one). */
  password?: string;
  /** The "remove password" checkbox. */
  removePassword?: boolean;
}

/** A blank form for a new stream. */
export function emptyValues(): StreamValues {
  return {
    name: "",
    url: "",
    enabled: true,
    kind: "",
    interval: "",
    timeout: "",
    tags: "",
    tlsInsecure: false,
  };
}

const on = (v: string) => v === "on" || v === "true";

/** Reads a form body (FormData-like record) into {@link StreamValues}. */
export function streamValuesFrom(body: Record<string, unknown>): StreamValues {
  const s = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
  return {
    name: s("name").trim(),
    url: s("url").trim(),
    enabled: on(s("enabled")),
    kind: s("kind"),
    interval: s("interval").trim(),
    timeout: s("timeout").trim(),
    tags: s("tags"),
    tlsInsecure: on(s("tls_insecure")),
    media: s("media"),
    mediaCheck: s("media_check_seconds").trim(),
    freeze: s("freeze_seconds").trim(),
    expectCodec: s("expect_codec").trim(),
    expectWidth: s("expect_width").trim(),
    expectHeight: s("expect_height").trim(),
    expectMinFps: s("expect_min_fps").trim(),
    rtspTransport: s("rtsp_transport"),
    site: s("site").trim(),
    parent: s("parent").trim(),
    password: s("password"),
    removePassword: on(s("remove_password")),
  };
}

/** The form values of a stream as written in config.yaml (unset keys stay blank). */
export function streamValuesOf(raw: Record<string, unknown>): StreamValues {
  const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  const tags = Array.isArray(raw.tags) ? raw.tags.join(", ") : str(raw.tags);
  const expect = (raw.expect && typeof raw.expect === "object" ? raw.expect : {}) as Record<
    string,
    unknown
  >;
  return {
    name: str(raw.name),
    url: str(raw.url),
    enabled: raw.enabled !== false,
    kind: str(raw.kind),
    interval: str(raw.interval_seconds),
    timeout: str(raw.timeout_seconds),
    tags,
    tlsInsecure: raw.tls_insecure === true,
    media: raw.media === true ? "on" : raw.media === false ? "off" : "",
    mediaCheck: str(raw.media_check_seconds),
    freeze: str(raw.freeze_seconds),
    expectCodec: str(expect.codec),
    expectWidth: str(expect.width),
    expectHeight: str(expect.height),
    expectMinFps: str(expect.min_fps),
    rtspTransport: str(raw.rtsp_transport),
    site: str(raw.site),
    parent: str(raw.parent),
  };
}

/** The parts of a URL's text around its user-info; linear, no regex (see monitor/redact.ts). */
interface UrlParts {
  /** Up to and including `://`. */
  head: string;
  user: string;
  /** The password as written (percent-encoded), undefined when the URL has none. */
  password?: string;
  /** The host and port. */
  host: string;
  /** From the first `/`, `?` or `#` after the authority. */
  rest: string;
}

/** Splits `text` when it has a `scheme://authority`, else undefined. */
function urlParts(text: string): UrlParts | undefined {
  const sep = text.indexOf("://");
  if (sep <= 0) return undefined;
  const start = sep + 3;
  let end = start;
  let at = -1;
  for (; end < text.length; end++) {
    const c = text[end];
    if (c === "/" || c === "?" || c === "#") break;
    if (c === "@") at = end;
  }
  const info = at < 0 ? "" : text.slice(start, at);
  const colon = info.indexOf(":");
  return {
    head: text.slice(0, start),
    user: colon < 0 ? info : info.slice(0, colon),
    password: at < 0 || colon < 0 ? undefined : info.slice(colon + 1),
    host: text.slice(at < 0 ? start : at + 1, end),
    rest: text.slice(end),
  };
}

function joinUrl(p: UrlParts): string {
  const info = p.password !== undefined ? `${p.user}:${p.password}@` : p.user ? `${p.user}@` : "";
  return `${p.head}${info}${p.host}${p.rest}`;
}

/** The URL without its password, the user kept: `rtsp://admin:pw@cam/x` → `rtsp://admin@cam/x`. */
export function withoutPassword(url: string): string {
  const p = urlParts(url);
  return p && p.password !== undefined ? joinUrl({ ...p, password: undefined }) : url;
}

/** Whether the URL carries a password. */
export function hasPassword(url: string): boolean {
  return urlParts(url)?.password !== undefined;
}

/** The result of {@link resolvePassword}: the URL to save, or why the password field is refused. */
export type PasswordResult = { url: string; problem?: undefined } | { problem: string };

/**
 * The URL to save from the form's URL (shown without its password), the write-only password
 * field and the "remove password" checkbox, given the stored URL (the edited stream's, or the
 * cloned one's). In order: a typed password wins; "remove" drops any; a password written in the
 * URL field itself is kept; else the stored password is kept — but only while scheme, host and
 * port stay the same, so the dashboard never sends a stored password to a host it was not meant
 * for (the user must type it again, or tick remove).
 */
export function resolvePassword(
  v: Pick<StreamValues, "url" | "password" | "removePassword">,
  stored?: string,
): PasswordResult {
  const p = urlParts(v.url);
  if (!p) return { url: v.url }; // not a URL: the loader says so beside the URL field
  if (v.password) {
    if (!p.user) return { problem: "needs a user name in the URL, e.g. rtsp://admin@host/…" };
    return { url: joinUrl({ ...p, password: encodeURIComponent(v.password) }) };
  }
  if (v.removePassword) return { url: joinUrl({ ...p, password: undefined }) };
  if (p.password !== undefined || stored === undefined) return { url: v.url };
  const old = urlParts(stored);
  if (old?.password === undefined) return { url: v.url };
  const origin = (x: UrlParts) => `${x.head}${x.host}`.toLowerCase();
  if (origin(old) !== origin(p)) {
    return {
      problem: `the address changed from ${origin(old)} to ${origin(p)}: type the password again ` +
        "(a stored password is never sent to a new address), or tick Remove password",
    };
  }
  if (!p.user) return { url: v.url }; // the user was removed: so is the password
  return { url: joinUrl({ ...p, password: old.password }) };
}
