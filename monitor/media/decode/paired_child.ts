/**
 * One long-lived ffmpeg fed Annex-B keyframes on stdin, with every output on stdout paired to its
 * input by marker keyframes; what an output is (grey copy, JPEG) is up to its args and framer.
 *
 * ffmpeg's output lags its input by about two pictures (parser, then filter/mux steps; no flag
 * tried removes it), the first picture written may yield nothing, and a picture that fails to
 * decode yields no output at all: neither "the next output" nor counting is safe. So every unit
 * is followed by tiny marker keyframes (fillers.ts), alternating between two variants A and B
 * from one unit to the next, whose outputs are recognised byte for byte (references taken from
 * the child's first outputs, when only markers were written; the child's filter scales them to
 * its fixed output size like any picture). For a unit closed by A: outputs equal to B are
 * leftovers of the unit before (ignored), the first output equal to A closes the unit, and
 * whatever came between is the unit's output — one on success, none when it failed. Markers keep
 * being written until the closing one comes out, which also pushes the lag through when no other
 * picture follows. Timeouts and aborts kill the child.
 */

import { H264_AUD, H264_MARKERS, H265_AUD, H265_MARKERS } from "./fillers.ts";
import type { Framer } from "./framers.ts";

/** Options of {@link spawnPairedChild}. */
export interface PairedChildOptions {
  /** ffmpeg's arguments: stdin (`-i pipe:0`) in, stdout out, nothing else. */
  args: string[];
  /** Splits stdout into outputs. */
  framer: Framer;
  /** The ffmpeg binary (default "ffmpeg"). */
  command?: string;
  /** Wall limit for one output before the child is killed (default 5000 ms). */
  timeoutMs?: number;
}

/** One output, or why there is none. */
export type PairedResult = { ok: true; bytes: Uint8Array } | { ok: false; why: string };

/** A running child: one unit at a time. */
export interface PairedChild {
  readonly pid: number;
  readonly codec: "H264" | "H265";
  /** False once the child was killed or exited; it is then of no further use. */
  alive(): boolean;
  decode(unit: Uint8Array, signal?: AbortSignal): Promise<PairedResult>;
  /** Kills the child (SIGKILL); resolves once it has exited. */
  kill(): Promise<void>;
}

/** Markers written right after each unit: ffmpeg's lag is two, one more closes the unit. */
const MARKERS_PER_UNIT = 3;
/** While the closing marker is not out yet, one more marker this often. */
const PUSH_MS = 10;

/** Starts one child for `codec`. Throws only when ffmpeg cannot be spawned at all. */
export function spawnPairedChild(
  codec: "H264" | "H265",
  options: PairedChildOptions,
): PairedChild {
  const timeoutMs = options.timeoutMs ?? 5000;
  const markers = codec === "H264" ? H264_MARKERS : H265_MARKERS;
  const aud = codec === "H264" ? H264_AUD : H265_AUD;
  const child = new Deno.Command(options.command ?? "ffmpeg", {
    args: options.args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  let alive = true;
  const refs: (Uint8Array | null)[] = [null, null];
  let variant = 0; // the marker closing the next unit
  let stderr = "";
  let current: { close: number; frames: Uint8Array[]; stderrAt: number } | null = null;
  let onClosed: ((r: PairedResult) => void) | null = null;
  let onCalibrated: (() => void) | null = null;

  const write = (bytes: Uint8Array) => writer.write(bytes).catch(() => {});
  const writeMarker = (v: number) => {
    write(markers[v]);
    write(aud);
  };
  const finish = (r: PairedResult) => {
    const done = onClosed;
    current = null;
    onClosed = null;
    done?.(r);
  };
  const onFrame = (frame: Uint8Array) => {
    if (!refs[0]) { // calibrating: only marker A was written so far
      refs[0] = frame;
      return;
    }
    if (!refs[1]) { // then only B after A: the first output that is not A is B
      if (!sameBytes(frame, refs[0])) {
        refs[1] = frame;
        onCalibrated?.();
      }
      return;
    }
    const which = sameBytes(frame, refs[0]) ? 0 : sameBytes(frame, refs[1]) ? 1 : -1;
    if (!current) return; // a leftover marker (or a stray picture of an abandoned unit)
    if (which === current.close) {
      const c = current;
      finish(
        c.frames.length === 1
          ? { ok: true, bytes: c.frames[0] }
          : c.frames.length === 0
          ? { ok: false, why: reasonOf(stderr.slice(c.stderrAt)) }
          : { ok: false, why: `ffmpeg returned ${c.frames.length} pictures for one unit` },
      );
    } else if (which === -1) {
      current.frames.push(frame);
    }
  };

  const exited = child.status.then((s) => {
    alive = false;
    finish({
      ok: false,
      why: `ffmpeg exited (${s.signal ?? `code ${s.code}`}): ${reasonOf(stderr)}`,
    });
  });
  readFrames(child.stdout, options.framer, onFrame);
  readText(child.stderr, (t) => stderr = (stderr + t).slice(-4000));

  /** Writes A until its output is seen, then B until its output is seen. */
  const calibrated = new Promise<void>((resolve) => {
    onCalibrated = resolve;
    let sent = 0;
    const tick = setInterval(() => {
      if (refs[1] || !alive || ++sent > 200) return clearInterval(tick);
      writeMarker(refs[0] ? 1 : 0);
    }, PUSH_MS);
    exited.then(() => clearInterval(tick));
    for (let i = 0; i < MARKERS_PER_UNIT; i++) writeMarker(0);
  });

  const kill = async () => {
    if (alive) {
      alive = false;
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await exited;
  };

  return {
    pid: child.pid,
    codec,
    alive: () => alive,
    kill,
    decode(unit, signal) {
      if (!alive) return Promise.resolve({ ok: false, why: "the decoder child has exited" });
      if (onClosed) return Promise.resolve({ ok: false, why: "the decoder child is busy" });
      if (signal?.aborted) return Promise.resolve({ ok: false, why: "stopped" });
      return new Promise<PairedResult>((resolve) => {
        let push: ReturnType<typeof setInterval> | undefined;
        const timer = setTimeout(() => {
          finish({ ok: false, why: `ffmpeg gave no picture within ${timeoutMs} ms` });
          kill();
        }, timeoutMs);
        const onAbort = () => {
          finish({ ok: false, why: "stopped" });
          kill();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        onClosed = (r) => {
          clearInterval(push);
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve(r);
        };
        calibrated.then(() => {
          if (!onClosed || !alive) return;
          const close = variant;
          variant = 1 - variant;
          current = { close, frames: [], stderrAt: stderr.length };
          write(unit);
          write(aud);
          for (let i = 0; i < MARKERS_PER_UNIT; i++) writeMarker(close);
          let pushes = 0;
          push = setInterval(() => {
            if (++pushes <= 100) writeMarker(close);
          }, PUSH_MS);
        });
      });
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The last line of ffmpeg's stderr, clipped; "no picture" when it said nothing. */
function reasonOf(stderr: string): string {
  const last = stderr.split("\n").map((l) => l.trim()).filter(Boolean).at(-1);
  return last ? last.slice(0, 160) : "ffmpeg returned no picture";
}

async function readFrames(
  stream: ReadableStream<Uint8Array>,
  framer: Framer,
  onFrame: (f: Uint8Array) => void,
) {
  try {
    for await (const chunk of stream) framer.push(chunk, onFrame);
  } catch { /* the child was killed */ }
}

async function readText(stream: ReadableStream<Uint8Array>, onText: (t: string) => void) {
  try {
    const text = new TextDecoder();
    for await (const chunk of stream) onText(text.decode(chunk, { stream: true }));
  } catch { /* the child was killed */ }
}
