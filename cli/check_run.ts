/** One `streampulse check`: the daemon's handshake probe, then its media check, combined by its rules. */

import { delay, type StreamConfig } from "../monitor/mod.ts";
import { mediaEnabled, type ProcessPool, runMediaCheck } from "../monitor/media/mod.ts";
import { selectProbe } from "../monitor/probes/mod.ts";
import { combineMedia, type MediaVerdict } from "../monitor/status/mod.ts";
import { judgeWindow } from "./check_window.ts";

type Probe = ReturnType<typeof selectProbe>;
/** What a handshake probe found. */
export type ProbeResult = Awaited<ReturnType<Probe["check"]>>;
type MediaMemory = Parameters<typeof runMediaCheck>[1]["memory"];

/** What a check ran: handshake and media, the handshake by `--quick`, or only the handshake. */
export type CheckMode = "full" | "quick" | "handshake";

/** The outcome of one check, as the command prints it. */
export interface CheckReport {
  kind: string;
  mode: CheckMode;
  state: "up" | "degraded" | "down";
  /** The cause, as the daemon would store it: the media verdict's unless that was up. */
  message: string;
  handshake: ProbeResult;
  media?: MediaVerdict;
  /** Why no media check ran (only for modes other than "full"). */
  mediaSkipped?: string;
}

/** What {@link runCheck} takes besides the stream; every default is the daemon's. */
export interface RunCheckOptions {
  /** Handshake only. */
  quick?: boolean;
  /** The media process pool (ffprobe/ffmpeg children and decoders). */
  pool: Pick<ProcessPool, "run">;
  /** Tells the user about a wait (the second sample of `--freeze-seconds`). */
  note?: (line: string) => void;
  selectProbe?: (stream: StreamConfig) => Probe;
  runMediaCheck?: typeof runMediaCheck;
  /** Waits between the two samples of `--freeze-seconds` (default delay). */
  wait?: (ms: number, o: { signal?: AbortSignal }) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Runs one check of `stream` the way the daemon does and decides its state:
 *
 * | handshake | `--quick` / kind without media | media verdict       | state    |
 * |-----------|--------------------------------|---------------------|----------|
 * | fail      | any                            | not run             | down     |
 * | ok        | yes                            | not run             | up       |
 * | ok        | no                             | up                  | up       |
 * | ok        | no                             | degraded            | degraded |
 * | ok        | no                             | down, handshake ok  | down     |
 * | ok        | no                             | down, handshake now fails | down, the handshake's cause |
 *
 * The last row is the daemon's ordering of causes (a handshake failure wins over "no video
 * received"): a media "down" is confirmed by one more handshake, as the media task does.
 *
 * Frozen needs time, which one run does not have. With `freezeSeconds` set on the stream
 * (`--freeze-seconds N`), a first sample whose picture is still is followed N s later by a
 * second one with the first's memory, and the daemon's rule decides (still for longer than N s).
 * Without it, {@link judgeWindow} calls a picture that does not change at all within the one
 * window frozen.
 */
export async function runCheck(stream: StreamConfig, o: RunCheckOptions): Promise<CheckReport> {
  const probe = (o.selectProbe ?? selectProbe)(stream);
  const memory: Record<string, unknown> = {};
  const handshakeNow = () => handshake(stream, probe, { memory, signal: o.signal });
  const hs = await handshakeNow();
  const base = { kind: probe.kind, handshake: hs, message: hs.message };
  if (!hs.ok) {
    return { ...base, mode: "full", state: "down", mediaSkipped: "the handshake failed" };
  }
  if (o.quick) return { ...base, mode: "quick", state: "up", mediaSkipped: "--quick" };
  if (!mediaEnabled(stream)) {
    const mediaSkipped = `${probe.kind} streams get no media check`;
    return { ...base, mode: "handshake", state: "up", mediaSkipped };
  }
  const media = await mediaVerdict(stream, o);
  if (media.state === "down") {
    const again = await handshakeNow();
    if (!again.ok) {
      return {
        ...base,
        handshake: again,
        message: again.message,
        mode: "full",
        state: "down",
        media,
      };
    }
  }
  const outcome = combineMedia(true, media, true);
  // A picture that could not be judged is never "up": one run has no earlier verdict to hold,
  // so it is reported as degraded (exit 3) with "picture not verified: …".
  const state = !outcome.ok
    ? "down"
    : outcome.degraded || media.verified === false
    ? "degraded"
    : "up";
  const message = media.state === "up" && media.verified !== false ? hs.message : media.message;
  return { ...base, mode: "full", state, message, media };
}

/** The handshake probe with the daemon's hard limit: its timeout, then 1 s for the probe to stop. */
async function handshake(
  stream: StreamConfig,
  probe: Probe,
  o: { memory: Record<string, unknown>; signal?: AbortSignal },
): Promise<ProbeResult> {
  const timeoutMs = stream.timeoutSeconds * 1000;
  const signals = [AbortSignal.timeout(timeoutMs), ...(o.signal ? [o.signal] : [])];
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hard = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() =>
      resolve({
        ok: false,
        latencyMs: Math.round(performance.now() - start),
        message: "timeout",
        details: { hardTimeout: true },
      }), timeoutMs + 1000);
  });
  try {
    const ctx = { signal: AbortSignal.any(signals), timeoutMs, memory: o.memory, now: Date.now };
    return await Promise.race([probe.check(stream, ctx), hard]);
  } catch (err) {
    const message = `probe error: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, latencyMs: Math.round(performance.now() - start), message, details: {} };
  } finally {
    clearTimeout(timer);
  }
}

/** One media verdict (two samples with `freezeSeconds`, see {@link runCheck}). */
async function mediaVerdict(stream: StreamConfig, o: RunCheckOptions): Promise<MediaVerdict> {
  const run = o.runMediaCheck ?? runMediaCheck;
  const io = Math.max(2, stream.timeoutSeconds);
  // ffprobe and ffmpeg each get their I/O timeout plus their read; beyond that the check hangs.
  const limitS = Math.ceil(2 * io + 4 + 15);
  const once = async (memory: MediaMemory) => {
    const signals = [AbortSignal.timeout(limitS * 1000), ...(o.signal ? [o.signal] : [])];
    const res = await run(stream, { run: o.pool.run, signal: AbortSignal.any(signals), memory });
    return res ?? {
      verdict: {
        state: "down" as const,
        message: `media check did not finish within ${limitS} s`,
        details: {},
        latencyMs: limitS * 1000,
      },
      memory,
    };
  };
  const first = await once({});
  const n = stream.freezeSeconds;
  if (n === undefined) return judgeWindow(first.verdict);
  const picture = first.verdict.details.picture as { moving?: unknown } | undefined;
  if (first.verdict.state !== "up" || picture?.moving !== false) return first.verdict;
  o.note?.(`picture still within the window; second sample in ${n} s (--freeze-seconds)`);
  await (o.wait ?? delay)(n * 1000, { signal: o.signal });
  const second = await once(first.memory);
  second.verdict.details.samples = { count: 2, apartSeconds: n };
  return second.verdict;
}
