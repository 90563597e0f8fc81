/** The key reader of one `alerts.channels[i]` entry: strings, secrets, URLs, headers, addresses. */

import { type Checker, describe, type YamlMap } from "./check.ts";

/** Longest `title`, `message` or `body` template accepted. */
export const MAX_TEMPLATE_LENGTH = 10_000;
/** Longest URL accepted (as for streams). */
const MAX_URL = 4096;
/** Longest single-line value (token, user, host…) and header value accepted. */
const MAX_VALUE = 8192;
const MAX_HEADERS = 50;
const MAX_RECIPIENTS = 100;

/** A light `x@y` check, of the part inside `<…>` when there is one. */
export function isAddress(text: string): boolean {
  if (text.length > 320) return false;
  const open = text.lastIndexOf("<");
  const addr = open >= 0 && text.endsWith(">") ? text.slice(open + 1, -1) : text;
  return /^[^\s@<>",]+@[^\s@<>",]+$/.test(addr);
}

/** `{key: value}` when value is defined, else `{}` (absent keys stay absent). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Reads the keys of one channel entry; every problem names its key, never a secret's value. */
export class Reader {
  constructor(readonly m: YamlMap, readonly path: string, readonly c: Checker) {}

  /** An optional single-line string (trimmed; empty is absent). */
  text(key: string, opts: { secret?: boolean } = {}): string | undefined {
    const v = this.c.string(this.m, key, this.path)?.trim();
    if (!v) return undefined;
    const at = `${this.path}.${key}`;
    if (v.length > MAX_VALUE) this.c.error(at, `must be at most ${MAX_VALUE} characters`);
    // deno-lint-ignore no-control-regex
    else if (/[\x00-\x1f\x7f]/.test(v)) this.c.error(at, "must not contain control characters");
    else if (!opts.secret && v.length > 500) this.c.error(at, "must be at most 500 characters");
    else return v;
    return undefined;
  }

  /** A required single-line string ("" after recording the problem). */
  required(key: string, opts: { secret?: boolean } = {}): string {
    const before = this.c.errors.length;
    const v = this.text(key, opts);
    if (v === undefined && this.c.errors.length === before) {
      this.c.error(`${this.path}.${key}`, "is required");
    }
    return v ?? "";
  }

  /** An http(s) URL, required unless it has a fallback. */
  url(key: string, fallback?: string): string {
    if (this.m[key] == null && fallback !== undefined) return fallback;
    const before = this.c.errors.length;
    const v = this.c.string(this.m, key, this.path)?.trim();
    if (!v) {
      if (this.c.errors.length === before) this.c.error(`${this.path}.${key}`, "is required");
      return "";
    }
    return checkHttpUrl(v, `${this.path}.${key}`, this.c) ?? "";
  }

  /** An optional whole-number priority within [min, max]. */
  priority(min: number, max: number): number | undefined {
    if (this.m.priority == null) return undefined;
    return this.c.number(this.m, "priority", this.path, { fallback: min, min, max, integer: true });
  }

  /** An optional liquid template (not parsed here), at most {@link MAX_TEMPLATE_LENGTH}. */
  template(key: string): string | undefined {
    const v = this.m[key];
    if (v == null) return undefined;
    const at = `${this.path}.${key}`;
    if (typeof v !== "string") this.c.error(at, `must be a string, got ${describe(v)}`);
    else if (v.length > MAX_TEMPLATE_LENGTH) {
      this.c.error(
        at,
        `is ${v.length} characters long; at most ${MAX_TEMPLATE_LENGTH} are allowed`,
      );
    } else return v;
    return undefined;
  }

  /** A mapping of header name → value; values are secrets and never quoted. */
  headers(key: string): Record<string, string> {
    const at = `${this.path}.${key}`;
    const map = this.c.map(this.m[key], at);
    const out: Record<string, string> = {};
    const names = Object.keys(map);
    if (names.length > MAX_HEADERS) this.c.error(at, `must have at most ${MAX_HEADERS} headers`);
    names.slice(0, MAX_HEADERS).forEach((name, i) => {
      const v = map[name];
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/.test(name)) {
        // Not quoted: a mangled line such as "Authorization: Bearer …" may have become the key.
        this.c.error(
          at,
          `key ${i + 1} is not a valid header name (no spaces, colons or other separators)`,
        );
      } else if (typeof v !== "string" && typeof v !== "number") {
        this.c.error(`${at}.${name}`, "must be a string");
      } else if (String(v).length > MAX_VALUE) {
        this.c.error(`${at}.${name}`, `must be at most ${MAX_VALUE} characters`);
      } else if (/[\r\n\0]/.test(String(v))) {
        this.c.error(`${at}.${name}`, "must not contain a line break");
      } else out[name] = String(v);
    });
    return out;
  }

  /** A non-empty list of addresses (a single string is a list of one). */
  recipients(key: string): string[] {
    const at = `${this.path}.${key}`;
    const v = this.m[key];
    const list = typeof v === "string" ? [v] : v;
    if (v == null) this.c.error(at, "is required (a list of addresses)");
    else if (!Array.isArray(list)) {
      this.c.error(at, `must be a list of addresses, got ${describe(v)}`);
    } else if (list.length === 0) this.c.error(at, "must list at least one address");
    else if (list.length > MAX_RECIPIENTS) {
      this.c.error(at, `must list at most ${MAX_RECIPIENTS} addresses`);
    } else {
      const bad = list.findIndex((a) => typeof a !== "string" || !isAddress(a.trim()));
      if (bad < 0) return list.map((a: string) => a.trim());
      this.c.error(
        Array.isArray(v) ? `${at}[${bad}]` : at,
        "must be an address like ops@example.org",
      );
    }
    return [];
  }
}

/**
 * Checks an http(s) URL: bounded, no control characters, parseable, with a host. Returns it
 * trimmed, or undefined after recording a problem. Never quotes the URL (its user-info, path or
 * query may hold a key: a Discord or Slack webhook URL is itself the secret).
 */
export function checkHttpUrl(url: string, path: string, c: Checker): string | undefined {
  if (url.length > MAX_URL) c.error(path, `must be at most ${MAX_URL} characters`);
  // deno-lint-ignore no-control-regex
  else if (/[\x00-\x1f\x7f]/.test(url)) c.error(path, "must not contain control characters");
  else {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch { /* reported below */ }
    if (!parsed) c.error(path, "is not a valid URL (expected e.g. https://host/path)");
    else if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      c.error(path, `must be an http:// or https:// URL, got ${parsed.protocol}//`);
    } else if (!parsed.hostname) c.error(path, "has no host");
    else return url;
  }
  return undefined;
}
