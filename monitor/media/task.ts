/** The media task: one media-check loop per stream on its own cadence, feeding Monitor.applyMedia. */

import { delay } from "../async.ts";
import type { Bus } from "../bus.ts";
import type { Config } from "../config/mod.ts";
import type { Logger } from "../log.ts";
import type { Monitor } from "../monitor.ts";
import { redactText } from "../redact.ts";
import type { MediaVerdict } from "../status/mod.ts";
import type { StreamConfig } from "../types.ts";
import { DEFAULT_MEDIA_CHECK_SECONDS, mediaEnabled, runMediaCheck } from "./check.ts";
import type { MediaMemory } from "./expect.ts";
import {
  type CommandRunner,
  createProcessPool,
  type PoolStats,
  type ProcessPool,
} from "./process_pool.ts";
import { cleanSnapshotTemp, createSnapshotStore, type SnapshotKind } from "./snapshots.ts";

/** Dependencies of {@link createMediaTask}. */
export interface MediaTaskOptions {
  monitor: Pick<Monitor, "applyMedia" | "status" | "probeOnce">;
  bus: Bus;
  logger: Logger;
  /** The config applied now (streams, `max_media_processes`). */
  config: () => Config;
  /** Snapshots go to `<dataDir>/snapshots`. */
  dataDir: string;
  /**
   * The process pool the checks share with the dashboard's previews. Without one the task makes
   * its own (capped by `maxProcesses`) and kills its children when it stops; a pool passed in
   * is its creator's to kill.
   */
  pool?: ProcessPool;
  /** Runs ffprobe/ffmpeg instead of a pool (tests). */
  runner?: CommandRunner;
  /** Cap of the task's own pool (default `max_media_processes`, else the number of cores). */
  maxProcesses?: number;
  /** Seconds of video ffprobe reads and ffmpeg samples (default 2 each). */
  readSeconds?: number;
}

/** Counters for /api/health. */
export interface MediaHealth {
  streams: number;
  checks: number;
  /** Checks skipped because the handshake has the stream down. */
  skipped: number;
  /** Checks that ended in an unexpected error (not a verdict). */
  errors: number;
  processes?: PoolStats;
}

/** The media task's public face. */
export interface MediaTask {
  /** Runs the loops until `signal` aborts; then kills every child and waits for it. */
  run(signal: AbortSignal): Promise<void>;
  /** The stored JPEG of a configured stream, or undefined (unknown stream or none yet). */
  snapshot(name: string, kind: SnapshotKind): Promise<Uint8Array | undefined>;
  /** Runs one media check of a configured stream now and applies it; undefined if not found. */
  checkNow(name: string, signal?: AbortSignal): Promise<MediaVerdict | undefined>;
  health(): MediaHealth;
}

interface PerStream {
  key: string;
  memory: MediaMemory;
  last?: MediaVerdict;
  lock: Promise<unknown>;
}

interface Loop {
  ctrl: AbortController;
  done: Promise<void>;
  wake(): void;
}

/**
 * Creates the media task. Each check: ffprobe facts → (when video arrived) a frame sample with a
 * JPEG → {@link judgeMedia} → snapshots → `monitor.applyMedia()`. Checks are skipped while the
 * handshake has the stream down (nothing to see there; the check right after it comes back
 * covers it), but not when a media check itself set it down (only a media check can lift that).
 */
export function createMediaTask(opts: MediaTaskOptions): MediaTask {
  const { monitor, bus, logger } = opts;
  const own = opts.runner || opts.pool ? undefined : createProcessPool({
    max: opts.maxProcesses ?? opts.config().maxMediaProcesses,
  });
  const pool = opts.runner ? undefined : opts.pool ?? own;
  const run = opts.runner ?? pool!.run;
  const snapshots = createSnapshotStore(opts.dataDir);
  const per = new Map<string, PerStream>();
  const loops = new Map<string, Loop>();
  const counts = { checks: 0, skipped: 0, errors: 0 };
  let stopping: AbortSignal | undefined;
  let applying: string | undefined;
  const all = new Set<Promise<void>>();

  const stateOf = (s: StreamConfig) => {
    const key = JSON.stringify(s);
    let st = per.get(s.name);
    if (!st || st.key !== key) per.set(s.name, st = { key, memory: {}, lock: Promise.resolve() });
    return st;
  };

  const check = async (s: StreamConfig, st: PerStream, signal: AbortSignal) => {
    const res = await runMediaCheck(s, {
      run,
      signal,
      memory: st.memory,
      snapshots,
      logger,
      readSeconds: opts.readSeconds,
    });
    if (!res || signal.aborted) return undefined;
    // "No video" is only news when the stream is reachable: when its handshake fails too (the
    // server died meanwhile), reachability is the handshake loop's call, with its own cause.
    if (res.verdict.state === "down" && !(await monitor.probeOnce(s, signal)).ok) return undefined;
    if (signal.aborted) return undefined;
    st.memory = res.memory;
    if (st.last?.state !== res.verdict.state) {
      logger.info(`media "${s.name}": ${res.verdict.state}: ${res.verdict.message}`);
    }
    st.last = res.verdict;
    counts.checks++;
    applying = s.name; // state changes caused by this verdict must not wake the loop again
    try {
      monitor.applyMedia(s.name, res.verdict);
    } finally {
      applying = undefined;
    }
    return res.verdict;
  };

  /** Runs checks of one stream one at a time (loop and checkNow share the memory). */
  const exclusive = (s: StreamConfig, signal: AbortSignal) => {
    const st = stateOf(s);
    const p = st.lock.then(() => signal.aborted ? undefined : check(s, st, signal));
    st.lock = p.catch(() => {});
    return p;
  };

  const loop = async (s: StreamConfig, offsetMs: number, self: Loop, signal: AbortSignal) => {
    let woken = false;
    let nap: AbortController | undefined;
    self.wake = () => {
      woken = true;
      nap?.abort();
    };
    await delay(offsetMs, { signal });
    const everyMs = (s.mediaCheckSeconds ?? DEFAULT_MEDIA_CHECK_SECONDS) * 1000;
    while (!signal.aborted) {
      woken = false;
      const handshakeDown = monitor.status(s.name)?.state === "down" &&
        stateOf(s).last?.state !== "down";
      if (handshakeDown) counts.skipped++;
      else {
        await exclusive(s, signal).catch((err) => {
          counts.errors++;
          logger.warn(`media check of "${s.name}" failed: ${redactText(String(err))}`);
        });
      }
      if (woken || signal.aborted) continue;
      nap = new AbortController();
      const stop = () => nap?.abort();
      signal.addEventListener("abort", stop, { once: true });
      await delay(everyMs, { signal: nap.signal });
      signal.removeEventListener("abort", stop);
    }
  };

  const reconcile = (streams: StreamConfig[]) => {
    const wanted = streams.filter(mediaEnabled);
    const keys = new Map(wanted.map((s) => [s.name, JSON.stringify(s)]));
    for (const [name, l] of loops) {
      if (keys.get(name) !== per.get(name)?.key) {
        l.ctrl.abort(); // kills this stream's running ffprobe/ffmpeg
        loops.delete(name);
      }
    }
    for (const name of per.keys()) if (!keys.has(name)) per.delete(name);
    if (!stopping || stopping.aborted) return;
    wanted.forEach((s, i) => {
      if (loops.has(s.name)) return;
      stateOf(s);
      const everyMs = (s.mediaCheckSeconds ?? DEFAULT_MEDIA_CHECK_SECONDS) * 1000;
      const offset = i * Math.min(everyMs / wanted.length, 1000);
      const l: Loop = { ctrl: new AbortController(), done: Promise.resolve(), wake: () => {} };
      l.done = loop(s, offset, l, AbortSignal.any([stopping!, l.ctrl.signal]));
      loops.set(s.name, l);
      all.add(l.done);
      l.done.finally(() => all.delete(l.done));
    });
  };

  return {
    async run(signal) {
      stopping = signal;
      await cleanSnapshotTemp(snapshots.dir);
      const off = [
        bus.on("config-reloaded", (e) => reconcile(e.config.streams)),
        bus.on("state-change", (e) => {
          if (e.from === "down" && e.to !== "down" && applying !== e.name) {
            loops.get(e.name)?.wake();
          }
        }),
      ];
      reconcile(opts.config().streams);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      off.forEach((f) => f());
      for (const l of loops.values()) l.ctrl.abort();
      loops.clear();
      await Promise.allSettled([...all]);
      await own?.killAll();
    },
    async snapshot(name, kind) {
      if (!opts.config().streams.some((s) => s.name === name)) return undefined;
      return await snapshots.load(name, kind);
    },
    async checkNow(name, signal) {
      const s = opts.config().streams.find((x) => x.name === name);
      if (!s) return undefined;
      const sigs = [signal, stopping].filter((x): x is AbortSignal => x !== undefined);
      return await exclusive(s, sigs.length ? AbortSignal.any(sigs) : new AbortController().signal);
    },
    health: () => ({ streams: loops.size, ...counts, processes: pool?.stats() }),
  };
}
