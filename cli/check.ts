/** `streampulse check URL`: the daemon's full check once (handshake + media), human or JSON output. */

import { Checker, checkUrl, formatProblem } from "../monitor/config/mod.ts";
import { createProcessPool } from "../monitor/media/mod.ts";
import {
  maskUrl,
  PROBE_KINDS,
  type ProbeKind,
  redactText,
  type StreamConfig,
} from "../monitor/mod.ts";
import { type CheckReport, runCheck } from "./check_run.ts";

/** Options of {@link checkCommand}. */
export interface CheckOptions {
  url: string;
  json: boolean;
  kind?: string;
  timeoutSeconds?: number;
  insecure: boolean;
  /** Handshake only, no media check. */
  quick?: boolean;
  rtspTransport?: "auto" | "tcp" | "udp";
  /** Take a second sample this many seconds after a still first one (see runCheck). */
  freezeSeconds?: number;
  expect?: StreamConfig["expect"];
  /** Where output goes (default console.log / console.error). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** The exit code of each state: 0 up, 1 down, 3 degraded (2 is bad input). */
export const EXIT_CODES = { up: 0, down: 1, degraded: 3 } as const;

/** Runs the check and returns the process exit code. */
export async function checkCommand(o: CheckOptions): Promise<number> {
  const out = o.out ?? console.log;
  const err = o.err ?? console.error;
  const c = new Checker();
  checkUrl(o.url, "url", c);
  if (o.kind !== undefined && !(PROBE_KINDS as readonly string[]).includes(o.kind)) {
    c.error("--kind", `"${o.kind}" is not one of ${PROBE_KINDS.join(", ")}`);
  }
  if (c.errors.length > 0) {
    for (const e of c.errors) err(`streampulse check: ${formatProblem(e)}`);
    return 2;
  }
  const stream: StreamConfig = {
    name: "check",
    url: o.url,
    enabled: true,
    intervalSeconds: 10,
    timeoutSeconds: o.timeoutSeconds ?? 5,
    tags: [],
    tlsInsecure: o.insecure,
    ...(o.kind ? { kind: o.kind as ProbeKind } : {}),
    ...(o.rtspTransport ? { rtspTransport: o.rtspTransport } : {}),
    ...(o.freezeSeconds !== undefined ? { freezeSeconds: o.freezeSeconds } : {}),
    ...(o.expect ? { expect: o.expect } : {}),
  };
  const secrets = passwordsOf(o.url);
  const pool = createProcessPool();
  let report: CheckReport;
  try {
    report = await runCheck(stream, {
      quick: o.quick,
      pool,
      note: (line) => err(`streampulse check: ${line}`),
    });
  } finally {
    await pool.killAll();
  }
  const clean = scrub(secrets);
  out(o.json ? JSON.stringify(clean(toJson(o.url, report))) : clean(humanLine(o.url, report)));
  return EXIT_CODES[report.state];
}

/** The JSON document of `--json`: the daemon's check record shape, media facts in details.media. */
function toJson(url: string, r: CheckReport): Record<string, unknown> {
  const hs = r.handshake;
  const v = r.media;
  return {
    url: maskUrl(url),
    kind: r.kind,
    state: r.state,
    status: r.state === "down" ? "fail" : "ok",
    checks: r.mode,
    latency: hs.latencyMs,
    message: r.message,
    details: v ? { ...hs.details, media: { ...v.details, durationMs: v.latencyMs } } : hs.details,
    media: v
      ? { state: v.state, message: v.message, durationMs: v.latencyMs }
      : { skipped: r.mediaSkipped },
  };
}

/** `DEGRADED rtsp://***@cam/live (rtsp, 12 ms, media 2300 ms): picture black; H264 320x240, 10 fps`. */
function humanLine(url: string, r: CheckReport): string {
  const times = [r.kind, `${Math.round(r.handshake.latencyMs)} ms`];
  if (r.media) times.push(`media ${Math.round(r.media.latencyMs)} ms`);
  else if (r.mode !== "full") times.push("handshake only");
  const facts = r.media ? factsOf(r.media.details) : "";
  const cause = facts && !r.message.includes(facts) ? `${r.message}; ${facts}` : r.message;
  return `${r.state.toUpperCase().padEnd(4)} ${maskUrl(url)} (${times.join(", ")}): ${cause}`;
}

/** "H264 320x240, 10 fps" from media details, or "" when they name no codec or size. */
function factsOf(d: Record<string, unknown>): string {
  const codec = typeof d.codec === "string" ? d.codec.toUpperCase().replace("HEVC", "H265") : "";
  const size = typeof d.width === "number" ? `${d.width}x${d.height}` : "";
  if (!codec && !size) return "";
  const fps = typeof d.fps === "number" ? `, ${Math.round(d.fps * 10) / 10} fps` : "";
  return `${[codec, size].filter(Boolean).join(" ")}${fps}`;
}

/** The password of a URL, raw and decoded, for scrubbing text that might quote it. */
function passwordsOf(url: string): string[] {
  let raw = "";
  try {
    raw = new URL(url).password;
  } catch {
    return [];
  }
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch { /* a stray "%": keep it as written */ }
  return [...new Set([raw, decoded])];
}

/** Masks URL credentials and `secrets` in every string of a value (objects and arrays walked). */
function scrub(secrets: string[]) {
  const walk = <T>(v: T): T => {
    if (typeof v === "string") return redactText(v, secrets) as T;
    if (Array.isArray(v)) return v.map(walk) as T;
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) as T;
    }
    return v;
  };
  return walk;
}
