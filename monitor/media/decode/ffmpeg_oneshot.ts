/** Backend (b): one ffmpeg per keyframe on stdin (simple; ~0.1 CPU-s each), and the snapshot maker. */

import { SAMPLE_HEIGHT, SAMPLE_WIDTH } from "../grid.ts";
import type { RtpCodec } from "../rtp/mod.ts";
import { describeKeyframe, GREY_BYTES, pictureFromGrey } from "./picture.ts";
import { createSlots, type Slots, type SlotsDeps } from "./pool.ts";
import {
  type DecodeOptions,
  type Decoder,
  type DecodeResult,
  MAX_SNAPSHOT_BYTES,
  MAX_SNAPSHOT_WIDTH,
  MAX_UNIT_BYTES,
  notDecoded,
} from "./types.ts";

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
  const grey: GreyMaker = async (codec, bytes, signal) => {
    const out = await runFfmpeg(codec, bytes, greyArgs(), GREY_BYTES, options, signal);
    if (!out.ok) return out;
    return out.bytes.length < GREY_BYTES
      ? { ok: false, why: "ffmpeg returned no picture" }
      : { ok: true, grey: out.bytes };
  };
  return {
    decode: (codec, bytes, o = {}) => decodeInSlot(slots, codec, bytes, o, grey, options),
    close() {
      slots.close();
      return Promise.resolve();
    },
  };
}

/** How a backend gets the grey copy of one keyframe. */
export type GreyMaker = (
  codec: "H264" | "H265",
  bytes: Uint8Array,
  signal?: AbortSignal,
) => Promise<{ ok: true; grey: Uint8Array } | { ok: false; why: string }>;

/**
 * What both ffmpeg backends do around their grey copy: check the unit before any child sees
 * it, hold a decode slot, make the picture, and add a snapshot JPEG (one-shot) when asked.
 */
export async function decodeInSlot(
  slots: Slots,
  codec: RtpCodec,
  bytes: Uint8Array,
  o: DecodeOptions,
  grey: GreyMaker,
  snapshot: OneShotDecoderDeps,
): Promise<DecodeResult> {
  const facts = checkUnit(codec, bytes);
  if (!facts.ok) return facts.result;
  const h26x = codec as "H264" | "H265";
  const slot = await slots.acquire(o.signal);
  if (!slot.ok) return notDecoded(slot.why);
  try {
    const res = await grey(h26x, bytes, o.signal);
    if (!res.ok) return notDecoded(res.why);
    const picture = pictureFromGrey(res.grey, facts.width, facts.height);
    if (o.snapshot) {
      const jpeg = await oneShotJpeg(h26x, bytes, { ...snapshot, signal: o.signal });
      if (jpeg.ok) picture.jpeg = jpeg.bytes;
    }
    return { ok: true, picture };
  } finally {
    slot.release();
  }
}

/** Size limit, codec and parameter sets checked before any child sees the bytes. */
export function checkUnit(
  codec: RtpCodec,
  bytes: Uint8Array,
): { ok: true; width: number; height: number } | { ok: false; result: DecodeResult } {
  if (bytes.length > MAX_UNIT_BYTES) {
    return { ok: false, result: notDecoded(`the unit of ${bytes.length} bytes is over 8 MiB`) };
  }
  if (codec !== "H264" && codec !== "H265") {
    return { ok: false, result: notDecoded(`codec "${codec}" is not decoded by ffmpeg here`) };
  }
  const facts = describeKeyframe(codec, bytes);
  return facts.ok ? facts : { ok: false, result: notDecoded(facts.why) };
}

/**
 * Makes the snapshot of one keyframe: ≤ 640 px wide, quality 5, then 12 if that is over
 * 256 KiB. One child per snapshot: snapshots are rare (state changes, the periodic still).
 */
export async function oneShotJpeg(
  codec: "H264" | "H265",
  bytes: Uint8Array,
  options: OneShotDecoderDeps & { signal?: AbortSignal } = {},
): Promise<Out> {
  for (const q of [5, 12]) {
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
