/** Reads config.yaml from disk: bounded size, strict UTF-8, and only once it stopped changing. */

import { delay } from "../async.ts";
import { ConfigError } from "./check.ts";

/**
 * Largest config.yaml accepted: 4 MiB. The YAML parser runs on the event loop at roughly
 * 0.3–0.7 s per MiB on these machines (100,000 streams are 5.5 MiB and took 2–4 s), so a larger
 * file would stall every check; 4 MiB still holds ~70,000 minimal or ~10,000 commented streams.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** What identifies one version of the file without reading it. */
export interface FileStamp {
  ino: number | null;
  size: number;
  mtimeMs: number | null;
}

/** A read of the file: its text and the stamp it had. */
export interface ConfigRead {
  text: string;
  stamp: FileStamp;
}

/** Options of {@link readConfigFile} and {@link readStableConfigFile}. */
export interface ReadOptions {
  /** Size limit in bytes (default {@link MAX_CONFIG_BYTES}). */
  maxBytes?: number;
  /** Stops waiting for the file to settle. */
  signal?: AbortSignal;
}

/** Stats the file behind `path` (symlinks followed). Throws Deno's errors (e.g. NotFound). */
export async function statConfigFile(path: string): Promise<FileStamp> {
  const st = await Deno.stat(path);
  if (!st.isFile) {
    throw new ConfigError([{ path: "(file)", message: "is not a regular file" }], path);
  }
  return { ino: st.ino, size: st.size, mtimeMs: st.mtime?.getTime() ?? null };
}

/** True when two stamps name the same version of the file. */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

const MiB = 1024 * 1024;
const n = (x: number) => x.toLocaleString("en-US");

/**
 * Reads config.yaml once. Throws {@link ConfigError} (source: the path) when it is not a regular
 * file, is larger than the limit (checked before reading, and again while reading since it may
 * grow), or is not UTF-8 (naming the line); Deno's errors when it cannot be opened.
 */
export async function readConfigFile(path: string, opts: ReadOptions = {}): Promise<ConfigRead> {
  const max = opts.maxBytes ?? MAX_CONFIG_BYTES;
  const stamp = await statConfigFile(path);
  const limit = max % MiB === 0 ? `${max / MiB} MiB (${n(max)} bytes)` : `${n(max)} bytes`;
  const tooBig = (size: string) =>
    new ConfigError([{
      path: "(file)",
      message: `is ${size} bytes; the limit is ${limit}. Is this the right file?`,
    }], path);
  if (stamp.size > max) throw tooBig(n(stamp.size));
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(max + 1);
  let len = 0;
  while (len < buf.length) {
    const got = await file.read(buf.subarray(len));
    if (got === null) break;
    len += got;
  }
  if (len > max) throw tooBig(`more than ${n(max)}`);
  return { text: decodeConfigBytes(buf.subarray(0, len), path), stamp };
}

/** Decodes strict UTF-8; invalid bytes throw a ConfigError naming their line and column. */
export function decodeConfigBytes(bytes: Uint8Array, source = "config"): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // A newline byte never occurs inside a multi-byte UTF-8 sequence: decode line by line.
    const strict = new TextDecoder("utf-8", { fatal: true });
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      const chunk = bytes.subarray(start, end);
      try {
        strict.decode(chunk);
      } catch {
        // Column in characters, as editors count them (a replacement character marks the spot).
        const col = new TextDecoder().decode(chunk).indexOf("\uFFFD") + 1;
        throw new ConfigError([{
          path: `line ${line}`,
          message: `is not valid UTF-8 (column ${col}); save the file as UTF-8`,
        }], source);
      }
      start = end + 1;
    }
    throw new ConfigError([{ path: "(file)", message: "is not valid UTF-8" }], source);
  }
}

/** Raised when the file kept changing during every attempt of {@link readStableConfigFile}. */
export class ConfigChangingError extends Error {
  constructor(path: string, ms: number) {
    super(`Config file "${path}" is still being written (changed during ${ms} ms); waiting`);
    this.name = "ConfigChangingError";
  }
}

/** One read attempt: the read, or the error it gave, with the stamp seen. */
interface Attempt {
  read?: ConfigRead;
  error?: Error;
  stamp?: FileStamp;
}

async function attempt(path: string, opts: ReadOptions): Promise<Attempt> {
  try {
    const read = await readConfigFile(path, opts);
    return { read, stamp: read.stamp };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { error, stamp: await statConfigFile(path).catch(() => undefined) };
  }
}

function sameAttempt(a: Attempt, b: Attempt): boolean {
  const stamps = a.stamp && b.stamp ? sameStamp(a.stamp, b.stamp) : a.stamp === b.stamp;
  if (!stamps) return false;
  if (a.read && b.read) return a.read.text === b.read.text;
  return !!a.error && !!b.error && a.error.name === b.error.name &&
    a.error.message === b.error.message;
}

/**
 * Reads the file until two reads at least `gapMs` apart (default 300 ms) agree: the same size,
 * mtime, inode and content, or the same problem (missing, too big, not UTF-8) with the same
 * stamp, which is then thrown. So a file still being written is never judged, and a file
 * caught while it grows past the limit is not reported with a passing size. Gives up after
 * `tries` attempts (default 10) with {@link ConfigChangingError}. Returns undefined on abort.
 */
export async function readStableConfigFile(
  path: string,
  opts: ReadOptions & { gapMs?: number; tries?: number } = {},
): Promise<ConfigRead | undefined> {
  const gapMs = opts.gapMs ?? 300;
  const tries = opts.tries ?? 10;
  let prev = await attempt(path, opts);
  for (let i = 0; i < tries; i++) {
    await delay(gapMs, { signal: opts.signal });
    if (opts.signal?.aborted) return undefined;
    const next = await attempt(path, opts);
    if (sameAttempt(prev, next)) {
      if (next.error) throw next.error;
      return next.read;
    }
    prev = next;
  }
  throw new ConfigChangingError(path, gapMs * tries);
}
