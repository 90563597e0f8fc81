/** Backend (a): pools of long-lived ffmpeg children (grey copies, snapshots), a few ms of CPU each. */

import { createChildPool } from "./child_pool.ts";
import { oneShotJpeg } from "./ffmpeg_oneshot.ts";
import { decodeInSlot, type Makers } from "./in_slot.ts";
import type { PairedChild, PairedResult } from "./paired_child.ts";
import { createSlots, type SlotsDeps, type SlotStats } from "./pool.ts";
import { snapshotSize, spawnSnapshotChild } from "./snapshot_child.ts";
import { spawnStreamChild } from "./stream_child.ts";
import { type Decoder, MAX_SNAPSHOT_BYTES } from "./types.ts";

/** Options of {@link createStreamDecoder}. */
export interface StreamDecoderDeps extends SlotsDeps {
  command?: string;
  /** Wall limit for one picture (default 5000 ms); the child is killed after it. */
  timeoutMs?: number;
  /** An idle child is stopped after this long (default 120 s). */
  idleMs?: number;
  /** Idle snapshot children kept in all, least recently used stopped first (default 4). */
  maxIdleSnapshotChildren?: number;
  /** Told each child's pid as it starts (tests read its /proc cmdline), and what it makes. */
  onSpawn?: (pid: number, codec: "H264" | "H265", role: "grey" | "snapshot") => void;
}

/** The stream decoder, with its pool counters and children (for tests and /metrics). */
export interface StreamDecoder extends Decoder {
  /**
   * `children` counts every child alive, `snapshotChildren` those of them making snapshots
   * (optional so that a stand-in decoder, as in tests, need not know of snapshot children).
   */
  stats(): SlotStats & { children: number; snapshotChildren?: number };
}

/** Idle snapshot children kept by default: one per snapshot size in use on a typical site. */
export const MAX_IDLE_SNAPSHOT_CHILDREN = 4;

/**
 * H.264/H.265 keyframes → grey copies and snapshots through long-lived children: at most `size`
 * (the cores) decode at once, each busy child handles one picture, idle ones wait for the next.
 * Grey children are kept per codec; snapshot children per codec and snapshot size (from the
 * SPS: ≤ 640 px wide), at most `maxIdleSnapshotChildren` idle in all. A snapshot over 256 KiB
 * at quality 5 is made again by a one-shot child at quality 12 (rare).
 */
export function createStreamDecoder(options: StreamDecoderDeps = {}): StreamDecoder {
  const slots = createSlots(options);
  const childOptions = { command: options.command, timeoutMs: options.timeoutMs };
  const grey = createChildPool<PairedChild>({
    idleMs: options.idleMs,
    spawn(key) {
      const codec = key as "H264" | "H265";
      const child = spawnStreamChild(codec, childOptions);
      options.onSpawn?.(child.pid, codec, "grey");
      return child;
    },
  });
  const snapshots = createChildPool<PairedChild>({
    idleMs: options.idleMs,
    maxIdle: options.maxIdleSnapshotChildren ?? MAX_IDLE_SNAPSHOT_CHILDREN,
    spawn(key) {
      const [codec, w, h] = key.split(" ");
      const size = { width: Number(w), height: Number(h) };
      const child = spawnSnapshotChild(codec as "H264" | "H265", size, childOptions);
      options.onSpawn?.(child.pid, child.codec, "snapshot");
      return child;
    },
  });
  let closed = false;

  /** One unit through a child of `pool` under `key`, the child given back after. */
  const through = async (
    pool: typeof grey,
    key: string,
    bytes: Uint8Array,
    signal?: AbortSignal,
  ): Promise<PairedResult> => {
    if (closed) return { ok: false, why: "the decode pool is closed" };
    let child: PairedChild;
    try {
      child = pool.take(key);
    } catch (e) {
      return { ok: false, why: `ffmpeg could not start: ${(e as Error).message}` };
    }
    const res = await child.decode(bytes, signal);
    pool.giveBack(key, child);
    return res;
  };

  const makers: Makers = {
    async grey(codec, bytes, signal) {
      const res = await through(grey, codec, bytes, signal);
      return res.ok ? { ok: true, grey: res.bytes } : res;
    },
    async snapshot(unit, signal) {
      const size = snapshotSize(unit.width, unit.height);
      const key = `${unit.codec} ${size.width} ${size.height}`;
      const res = await through(snapshots, key, unit.bytes, signal);
      if (!res.ok || res.bytes.length <= MAX_SNAPSHOT_BYTES) return res;
      return await oneShotJpeg(unit.codec, unit.bytes, {
        ...childOptions,
        signal,
        qualities: [12],
      });
    },
  };

  return {
    decode: (codec, bytes, o = {}) => decodeInSlot(slots, codec, bytes, o, makers),
    stats: () => ({
      ...slots.stats(),
      children: grey.count() + snapshots.count(),
      snapshotChildren: snapshots.count(),
    }),
    async close() {
      closed = true;
      slots.close();
      await Promise.all([grey.close(), snapshots.close()]);
    },
  };
}
