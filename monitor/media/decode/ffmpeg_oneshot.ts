/** Backend (b): one ffmpeg per keyframe on stdin (simple; ~0.1 CPU-s each), and the snapshot fallback. */

import { SAMPLE_HEIGHT, SAMPLE_WIDTH } from "../grid.ts";
import { decodeInSlot, type Makers } from "./in_slot.ts";
import { GREY_BYTES } from "./picture.ts";
import { createSlots, type SlotsDeps } from "./pool.ts";
import { type Decoder, MAX_SNAPSHOT_BYTES, MAX_SNAPSHOT_WIDTH } from "./types.ts";

/** Options of {@link createOneShotDecoder} and {@link oneShotJpeg}. */
export interface OneShotDecoderDeps extends SlotsDeps {
  command?: string;
  /** Wall limit per child (default 5000 ms). */
  timeoutMs?: number;
}

type Out = { ok: true; bytes: Uint8Array } | { ok: false; why: string };

/** Decodes each H.264/H.265 keyframe with its own ffmpeg child (grey copy, plus JPEG if asked). */
export function createOneShotDecoder(options: OneShotDecoderDeps = {}): Decoder {
  const slots = createSlots(options);
  const makers: Makers = {
    grey: async (codec, bytes, signal) => {
      const out = await runFfmpeg(codec, bytes, greyArgs(), GREY_BYTES, options, signal);
      if (!out.ok) return out;
      return out.bytes.length < GREY_BYTES
        ? { ok: false, why: "ffmpeg returned no picture" }
        : { ok: true, grey: out.bytes };
    },
    snapshot: (unit, signal) => oneShotJpeg(unit.codec, unit.bytes, { ...options, signal }),
  };
  return {
    decode: (codec, bytes, o = {}) => decodeInSlot(slots, codec, bytes, o, makers),
    close() {
      slots.close();
      return Promise.resolve();
    },
  };
}

/**
 * Makes the snapshot of one keyframe with one child per try: ≤ 640 px wide, at each of
 * `qualities` (`-q:v`, default 5 then 12) until one is ≤ 256 KiB. The stream decoder makes its
 * snapshots in long-lived children and comes here only with `qualities: [12]` for one too large.
 */
export async function oneShotJpeg(
  codec: "H264" | "H265",
  bytes: Uint8Array,
  options: OneShotDecoderDeps & { signal?: AbortSignal; qualities?: number[] } = {},
): Promise<Out> {
  for (const q of options.qualities ?? [5, 12]) {
    const args = [
      ...["-vf", `scale='min(${MAX_SNAPSHOT_WIDTH},iw)':-2:flags=bilinear`],
      ...["-c:v", "mjpeg", "-q:v", String(q), "-f", "image2pipe", "pipe:1"],
    ];
    const out = await runFfmpeg(
      codec,
      bytes,
      args,
      4 * MAX_SNAPSHOT_BYTES,
      options,
      options.signal,
    );
    if (!out.ok) return out;
    if (out.bytes.length > 0 && out.bytes.length <= MAX_SNAPSHOT_BYTES) return out;
  }
  return { ok: false, why: "the snapshot came out over 256 KiB" };
}

function greyArgs(): string[] {
  return [
    ...["-vf", `scale=${SAMPLE_WIDTH}:${SAMPLE_HEIGHT}:flags=area,format=gray`],
    ...["-f", "rawvideo", "pipe:1"],
  ];
}

/** Runs `ffmpeg -f h264|hevc -i pipe:0 -frames:v 1 OUTPUT` with the unit on stdin. */
async function runFfmpeg(
  codec: "H264" | "H265",
  bytes: Uint8Array,
  output: string[],
  maxBytes: number,
  options: OneShotDecoderDeps,
  signal?: AbortSignal,
): Promise<Out> {
  const args = [
    ...["-hide_banner", "-nostdin", "-v", "error", "-protocol_whitelist", "pipe"],
    ...["-threads", "1", "-f", codec === "H264" ? "h264" : "hevc", "-i", "pipe:0"],
    ...["-map", "0:v:0", "-frames:v", "1", "-threads", "1", ...output],
  ];
  const child = new Deno.Command(options.command ?? "ffmpeg", {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  };
  const timer = setTimeout(kill, options.timeoutMs ?? 5000);
  signal?.addEventListener("abort", kill, { once: true });
  try {
    const writing = (async () => {
      const w = child.stdin.getWriter();
      await w.write(bytes);
      await w.close();
    })().catch(() => {});
    const [out, err] = await Promise.all([
      collect(child.stdout, maxBytes),
      collect(child.stderr, 4000),
      writing,
    ]);
    const status = await child.status;
    if (signal?.aborted) return { ok: false, why: "stopped" };
    if (out.length > 0 && status.success) return { ok: true, bytes: out };
    const last = new TextDecoder().decode(err).split("\n").map((l) => l.trim()).filter(Boolean)
      .at(-1);
    return { ok: false, why: last?.slice(0, 160) ?? `ffmpeg exit code ${status.code}` };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", kill);
  }
}

async function collect(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for await (const c of stream) {
      if (n < max) parts.push(c.subarray(0, max - n));
      n += c.length;
    }
  } catch { /* killed */ }
  const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}
