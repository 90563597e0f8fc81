/** The vetted ffmpeg/ffprobe input: URL checks, protocol whitelist, and the credential relay. */

import { maskUrl } from "../redact.ts";
import { type MediaRelay, openMediaRelay } from "./relay.ts";

/** Schemes a media check may open. Everything else is refused before a process starts. */
export const MEDIA_SCHEMES = ["rtsp", "rtsps", "http", "https"] as const;

/** How the URL is read: RTSP, an HLS playlist, or a plain HTTP body (MJPEG, JPEG). */
export type MediaSource = "rtsp" | "hls" | "http";

/** A URL that must never reach ffprobe/ffmpeg (`file:`, `concat:`, `-version`, `pipe:0`…). */
export class MediaUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MediaUrlError";
  }
}

/**
 * Vets a URL for ffprobe/ffmpeg and returns its lower-case scheme. Throws {@link MediaUrlError}
 * for anything but rtsp/rtsps/http/https URLs with a host, for text starting with `-` (an
 * option), and for control characters. Credentials are masked in the message.
 */
export function checkMediaUrl(url: string): (typeof MEDIA_SCHEMES)[number] {
  const shown = JSON.stringify(maskUrl(url).slice(0, 120));
  const refuse = (why: string) => new MediaUrlError(`Refusing media URL ${shown}: ${why}`);
  if (url.startsWith("-")) throw refuse("it looks like a command-line option");
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x20\x7f]/.test(url)) throw refuse("it contains spaces or control characters");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !(MEDIA_SCHEMES as readonly string[]).includes(scheme)) {
    const found = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    const what = found ? `scheme "${found.toLowerCase()}" is not allowed` : "it has no scheme";
    throw refuse(`${what} (use ${MEDIA_SCHEMES.join(", ")})`);
  }
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch { /* reported below */ }
  if (!host) throw refuse("it has no valid host");
  return scheme as (typeof MEDIA_SCHEMES)[number];
}

/**
 * The least `-protocol_whitelist` that reads `scheme` as `source`: RTSP over TCP needs rtsp,tcp
 * (+tls for rtsps); HTTP needs http,tcp (https,tls,tcp); HLS adds crypto for AES-128 segments.
 * No `file`, `pipe`, `concat`, `data` or `udp`: a playlist cannot point ffmpeg at local files.
 */
export function protocolWhitelist(scheme: string, source: MediaSource): string {
  if (scheme === "rtsp") return "rtsp,tcp";
  if (scheme === "rtsps") return "rtsp,rtsps,tcp,tls";
  const base = scheme === "https" ? "https,tls,tcp" : "http,tcp";
  return source === "hls" ? `${base},crypto` : base;
}

/** Options shared by ffprobe and ffmpeg runs. */
export interface InputOptions {
  source: MediaSource;
  /** Socket I/O timeout, seconds (ffmpeg `-timeout`, given in µs). */
  ioTimeoutSeconds: number;
  /** False adds `-tls_verify 1` with the system CA bundle for rtsps/https. */
  tlsInsecure?: boolean;
  /** CA bundle for verification (default Debian's). */
  caFile?: string;
}

/**
 * The input options that must precede `-i URL` (vets the URL first). The URL is always the
 * element right after `-i`, so nothing in it can be read as an option. A URL with user info is
 * refused: any local user can read a child's command line (`ps -eo args`), so credentials go
 * through {@link openInput}'s relay instead.
 */
export function inputArgs(url: string, o: InputOptions): string[] {
  const scheme = checkMediaUrl(url);
  if (hasCredentials(url)) {
    const shown = JSON.stringify(maskUrl(url).slice(0, 120));
    throw new MediaUrlError(`Refusing media URL ${shown} on a command line: it has credentials`);
  }
  const args = ["-protocol_whitelist", protocolWhitelist(scheme, o.source)];
  args.push("-timeout", String(Math.round(o.ioTimeoutSeconds * 1e6)));
  if (o.source === "rtsp") args.push("-rtsp_transport", "tcp");
  // MJPEG over HTTP has no timing of its own (ffmpeg assumes 25 fps): use arrival times.
  if (o.source === "http") args.push("-use_wallclock_as_timestamps", "1");
  if ((scheme === "https" || scheme === "rtsps") && !o.tlsInsecure) {
    args.push("-tls_verify", "1", "-ca_file", o.caFile ?? "/etc/ssl/certs/ca-certificates.crt");
  }
  return [...args, "-i", url];
}

/** True when `url` carries a user name or password. */
export function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== "" || u.password !== "";
  } catch {
    return /^[^/]*\/\/[^/]*@/.test(url); // unparsable: refuse anything that looks like user info
  }
}

/** A child's input: its credential-free arguments and the relay behind them (maybe none). */
export interface MediaInput {
  /** The options and `-i URL` to put on the command line. */
  args: string[];
  /** Close it once the child has exited; `problem()` says what went wrong upstream. */
  relay: MediaRelay;
}

/**
 * Vets `url` and returns the arguments that read it. A URL with credentials is served through a
 * loopback {@link openMediaRelay} that adds them on the way to the camera, so the child's
 * command line holds only `127.0.0.1` and a one-off path; other URLs go to the child as they are.
 */
export function openInput(url: string, o: InputOptions & { signal?: AbortSignal }): MediaInput {
  checkMediaUrl(url);
  const relay = openMediaRelay(url, {
    tlsInsecure: o.tlsInsecure,
    signal: o.signal,
    // Longer than the child's own I/O timeout, so the child reports a stall itself.
    idleMs: (o.ioTimeoutSeconds + 3) * 1000,
  });
  try {
    return { args: inputArgs(relay.url, o), relay };
  } catch (err) {
    void relay.close();
    throw err;
  }
}
