/**
 * One long-lived ffmpeg that turns Annex-B keyframes on stdin into 160×120 grey copies on stdout,
 * with every output paired to its input by marker keyframes.
 *
 * ffmpeg's output lags its input by about two pictures (parser, then filter/mux steps; no flag
 * tried removes it), the first picture written may yield nothing, and a picture that fails to
 * decode yields no output at all: neither "the next output" nor counting is safe. So every unit
 * is followed by tiny marker keyframes (fillers.ts), alternating between two variants A and B
 * from one unit to the next, whose grey copies are recognised byte for byte (references taken
 * from the child's first outputs, when only markers were written). For a unit closed by A:
 * outputs equal to B are leftovers of the unit before (ignored), the first output equal to A
 * closes the unit, and whatever came between is the unit's picture — one on success, none when
 * it failed. Markers keep being written until the closing one comes out, which also pushes the
 * lag through when no other picture follows. Timeouts and aborts kill the child.
 */

import { GREY_BYTES } from "./picture.ts";
import { H264_AUD, H264_MARKERS, H265_AUD, H265_MARKERS } from "./fillers.ts";
import { SAMPLE_HEIGHT, SAMPLE_WIDTH } from "../grid.ts";

/** Options of {@link spawnStreamChild}. */
export interface StreamChildOptions {
  /** The ffmpeg binary (default "ffmpeg"). */
  command?: string;
  /** Wall limit for one picture before the child is killed (default 5000 ms). */
  timeoutMs?: number;
}

/** One grey copy, or why there is none. */
export type ChildResult = { ok: true; grey: Uint8Array } | { ok: false; why: string };

/** A running child: one picture at a time. */
export interface StreamChild {
  readonly pid: number;
  readonly codec: "H264" | "H265";
  /** False once the child was killed or exited; it is then of no further use. */
  alive(): boolean;
  decode(unit: Uint8Array, signal?: AbortSignal): Promise<ChildResult>;
  /** Kills the child (SIGKILL); resolves once it has exited. */
  kill(): Promise<void>;
}

/** Markers written right after each unit: ffmpeg's lag is two, one more closes the unit. */
const MARKERS_PER_UNIT = 3;
/** While the closing marker is not out yet, one more marker this often. */
const PUSH_MS = 10;

/** The child's arguments: stdin only, no URL, no network protocol, one thread. */
export function streamChildArgs(codec: "H264" | "H265"): string[] {
  return [
    ...["-hide_banner", "-nostdin", "-v", "error", "-protocol_whitelist", "pipe"],
    ...["-threads", "1", "-flags", "low_delay", "-fflags", "nobuffer"],
    ...["-probesize", "32", "-analyzeduration", "0"],
    ...["-f", codec === "H264" ? "h264" : "hevc", "-i", "pipe:0"],
    ...["-map", "0:v:0", "-an", "-sn", "-dn", "-filter_threads", "1"],
    "-vf",
    `scale=${SAMPLE_WIDTH}:${SAMPLE_HEIGHT}:flags=area,format=gray`,
    ...["-fps_mode", "passthrough", "-flush_packets", "1", "-f", "rawvideo", "pipe:1"],
  ];
}

/** Starts one child for `codec`. Throws only when ffmpeg cannot be spawned at all. */
export function spawnStreamChild(
  codec: "H264" | "H265",
  options: StreamChildOptions = {},
): StreamChild {
  const timeoutMs = options.timeoutMs ?? 5000;
  const markers = codec === "H264" ? H264_MARKERS : H265_MARKERS;
  const aud = codec === "H264" ? H264_AUD : H265_AUD;
  const child = new Deno.Command(options.command ?? "ffmpeg", {
    args: streamChildArgs(codec),
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
  let onClosed: ((r: ChildResult) => void) | null = null;
  let onCalibrated: (() => void) | null = null;

  const write = (bytes: Uint8Array) => writer.write(bytes).catch(() => {});
  const writeMarker = (v: number) => {
    write(markers[v]);
    write(aud);
  };
  const finish = (r: ChildResult) => {
    const done = onClosed;
    current = null;
    onClosed = null;
    done?.(r);
  };
  const onFrame = (frame: Uint8Array) => {
    if (!refs[0]) { // calibrating: only marker A was written so far
      refs[0] = frame.slice();
      return;
    }
    if (!refs[1]) { // then only B after A: the first output that is not A is B
      if (!sameBytes(frame, refs[0])) {
        refs[1] = frame.slice();
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
          ? { ok: true, grey: c.frames[0] }
          : c.frames.length === 0
          ? { ok: false, why: reasonOf(stderr.slice(c.stderrAt)) }
          : { ok: false, why: `ffmpeg returned ${c.frames.length} pictures for one unit` },
      );
    } else if (which === -1) {
      current.frames.push(frame.slice());
    }
  };

  const exited = child.status.then((s) => {
    alive = false;
    finish({
      ok: false,
      why: `ffmpeg exited (${s.signal ?? `code ${s.code}`}): ${reasonOf(stderr)}`,
    });
  });
  readFrames(child.stdout, onFrame);
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
      return new Promise<ChildResult>((resolve) => {
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

async function readFrames(stream: ReadableStream<Uint8Array>, onFrame: (f: Uint8Array) => void) {
  const frame = new Uint8Array(GREY_BYTES);
  let have = 0;
  try {
    for await (const chunk of stream) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(GREY_BYTES - have, chunk.length - at);
        frame.set(chunk.subarray(at, at + n), have);
        have += n;
        at += n;
        if (have === GREY_BYTES) {
          have = 0;
          onFrame(frame);
        }
      }
    }
  } catch { /* the child was killed */ }
}

async function readText(stream: ReadableStream<Uint8Array>, onText: (t: string) => void) {
  try {
    const text = new TextDecoder();
    for await (const chunk of stream) onText(text.decode(chunk, { stream: true }));
  } catch { /* the child was killed */ }
}
