/** Backend (a): a pool of long-lived ffmpeg children (stream_child.ts), a few ms of CPU a picture. */

import { decodeInSlot, type GreyMaker, type OneShotDecoderDeps } from "./ffmpeg_oneshot.ts";
import { createSlots, type SlotsDeps, type SlotStats } from "./pool.ts";
import { spawnStreamChild, type StreamChild } from "./stream_child.ts";
import type { Decoder } from "./types.ts";

/** Options of {@link createStreamDecoder}. */
export interface StreamDecoderDeps extends SlotsDeps {
  command?: string;
  /** Wall limit for one picture (default 5000 ms); the child is killed after it. */
  timeoutMs?: number;
  /** An idle child is stopped after this long (default 120 s). */
  idleMs?: number;
  /** Told each child's pid as it starts (tests read its /proc cmdline). */
  onSpawn?: (pid: number, codec: "H264" | "H265") => void;
}

/** The stream decoder, with its pool counters and children (for tests and /metrics). */
export interface StreamDecoder extends Decoder {
  stats(): SlotStats & { children: number };
}

/**
 * H.264/H.265 keyframes → grey copies through long-lived children: at most `size` (the cores)
 * decode at once, each busy child handles one picture, idle ones wait per codec for the next.
 * A snapshot, when asked for, is one extra one-shot child (ffmpeg_oneshot.ts).
 */
export function createStreamDecoder(options: StreamDecoderDeps = {}): StreamDecoder {
  const slots = createSlots(options);
  const idle = new Map<
    "H264" | "H265",
    { child: StreamChild; timer: ReturnType<typeof setTimeout> }[]
  >([
    ["H264", []],
    ["H265", []],
  ]);
  const all = new Set<StreamChild>();
  let closed = false;
  const oneShot: OneShotDecoderDeps = { command: options.command, timeoutMs: options.timeoutMs };

  const take = (codec: "H264" | "H265"): StreamChild => {
    const list = idle.get(codec)!;
    while (list.length) {
      const { child, timer } = list.pop()!;
      clearTimeout(timer);
      if (child.alive()) return child;
      all.delete(child);
    }
    const child = spawnStreamChild(codec, options);
    all.add(child);
    options.onSpawn?.(child.pid, codec);
    return child;
  };
  const giveBack = (child: StreamChild) => {
    if (closed || !child.alive()) {
      all.delete(child);
      return;
    }
    const timer = setTimeout(() => {
      const list = idle.get(child.codec)!;
      const i = list.findIndex((e) => e.child === child);
      if (i >= 0) list.splice(i, 1);
      all.delete(child);
      child.kill();
    }, options.idleMs ?? 120_000);
    Deno.unrefTimer(timer);
    idle.get(child.codec)!.push({ child, timer });
  };

  const grey: GreyMaker = async (codec, bytes, signal) => {
    if (closed) return { ok: false, why: "the decode pool is closed" };
    let child: StreamChild;
    try {
      child = take(codec);
    } catch (e) {
      return { ok: false, why: `ffmpeg could not start: ${(e as Error).message}` };
    }
    const res = await child.decode(bytes, signal);
    giveBack(child);
    return res;
  };

  return {
    decode: (codec, bytes, o = {}) => decodeInSlot(slots, codec, bytes, o, grey, oneShot),
    stats: () => ({ ...slots.stats(), children: all.size }),
    async close() {
      closed = true;
      slots.close();
      for (const list of idle.values()) for (const e of list.splice(0)) clearTimeout(e.timer);
      await Promise.all([...all].map((c) => c.kill()));
      all.clear();
    },
  };
}
