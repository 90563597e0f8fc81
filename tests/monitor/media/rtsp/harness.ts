/** Shared parts of the RTSP media session tests: streams, contexts and real captured RTP. */

import type { ProbeContext, StreamConfig } from "../../../../monitor/types.ts";
import { cachedGst, capsField, h264Launch } from "../rtp/real_rtp.ts";

/** A stream entry as config parsing would produce it. */
export function streamOf(url: string, extra: Partial<StreamConfig> = {}): StreamConfig {
  return {
    name: "cam",
    url,
    enabled: true,
    intervalSeconds: 10,
    timeoutSeconds: 5,
    tags: [],
    tlsInsecure: false,
    ...extra,
  };
}

/** A probe context with its own memory (pass one to share it between checks). */
export function ctxOf(
  memory: Record<string, unknown> = {},
  signal = new AbortController().signal,
): ProbeContext {
  return { signal, timeoutMs: 5000, memory, now: Date.now };
}

/** Real x264 RTP (320×240, 10 fps, a keyframe every 10 frames, 50 frames) and its SDP lines. */
export async function h264Capture(): Promise<{ packets: Uint8Array[]; sdpMedia: string[] }> {
  const { packets, caps } = await cachedGst(h264Launch(320, 240, 50));
  const sprop = capsField(caps, "sprop-parameter-sets");
  return {
    packets: packets.map((p) => p.bytes),
    sdpMedia: [
      "a=rtpmap:96 H264/90000",
      `a=fmtp:96 packetization-mode=1;sprop-parameter-sets=${sprop}`,
    ],
  };
}

/** Real x265 RTP (320×240, 10 fps, a keyframe every 10 frames, 30 frames) and its SDP lines. */
export async function h265Capture(): Promise<{ packets: Uint8Array[]; sdpMedia: string[] }> {
  const { packets, caps } = await cachedGst(
    "videotestsrc num-buffers=30 ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! " +
      "x265enc tune=zerolatency key-int-max=10 ! rtph265pay name=pay mtu=600 ! {PAY}",
  );
  const fmtp = ["sprop-vps", "sprop-sps", "sprop-pps"].map((k) => `${k}=${capsField(caps, k)}`);
  return {
    packets: packets.map((p) => p.bytes),
    sdpMedia: ["a=rtpmap:96 H265/90000", `a=fmtp:96 ${fmtp.join(";")}`],
  };
}

/** True for an H.264 RTP packet carrying (part of) an IDR picture or its parameter sets. */
export function isH264KeyPacket(packet: Uint8Array): boolean {
  const cc = packet[0] & 0x0f;
  const payload = packet.subarray(12 + cc * 4);
  const type = payload[0] & 0x1f;
  if (type === 28) return (payload[1] & 0x1f) === 5;
  return type === 5 || type === 7 || type === 8 || type === 24;
}

/**
 * Child processes started while `fn` runs, as the commands given to `Deno.Command` (the only
 * way the program starts one: nothing in it uses node:child_process). Counted in this test
 * file's own worker: `deno test --parallel` runs other files in the same OS process, so its
 * /proc children are theirs too.
 */
export async function childrenDuring<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; children: string[] }> {
  const original = Deno.Command;
  const started: string[] = [];
  (Deno as unknown as { Command: unknown }).Command = class extends original {
    constructor(command: string | URL, options?: Deno.CommandOptions) {
      started.push([String(command), ...(options?.args ?? [])].join(" "));
      super(command, options);
    }
  };
  try {
    return { value: await fn(), children: started };
  } finally {
    (Deno as unknown as { Command: unknown }).Command = original;
  }
}
