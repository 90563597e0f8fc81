/** The media task: one media-check loop per stream on its own cadence, feeding Monitor.applyMedia. */

import { delay } from "../async.ts";
import type { Bus } from "../bus.ts";
import type { Config } from "../config/mod.ts";
import type { Logger } from "../log.ts";
import { createHistogram, type MediaCadenceFigures } from "../metrics_registry.ts";
import type { Monitor } from "../monitor.ts";
import { redactText } from "../redact.ts";
import type { MediaVerdict, PictureFreshness } from "../status/mod.ts";
import type { StreamConfig } from "../types.ts";
import { DEFAULT_MEDIA_CHECK_SECONDS, mediaEnabled, runMediaCheck } from "./check.ts";
import { createPictureDecoder, type PictureDecoder, type StreamDecoderDeps } from "./decode/mod.ts";
import { createRtspMediaSampler, type RtspMediaSampler } from "./rtsp/mod.ts";
import {
  type Cadence,
  endCheck,
  isOverdue,
  LATENESS_BUCKETS,
  newCadence,
  overdueAt,
  pictureVerified,
  startCheck,
} from "./cadence.ts";
import type { MediaMemory } from "./expect.ts";
import {
  type CommandRunner,
  createProcessPool,
  type PoolStats,
  type ProcessPool,
} from "./process_pool.ts";
import {
  cleanSnapshotTemp,
  createSnapshotStore,
  type SnapshotInfo,
  type SnapshotKind,
} from "./snapshots.ts";

/** Dependencies of {@link createMediaTask}. */
export interface MediaTaskDeps {
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
  /** The RTSP sampler of every check (default: one made here, with its UDP port pool). */
  sampler?: RtspMediaSampler;
  /** The decode pool of every check (default: one made here, closed when the task stops). */
  decoder?: PictureDecoder;
  /** Settings of the decode pool made here (tests hear each child's pid through `onSpawn`). */
  decoderOptions?: StreamDecoderDeps;
  /** Cap of the task's own pool (default `max_media_processes`, else the number of cores). */
  maxProcesses?: number;
  /** Seconds of video ffprobe reads and ffmpeg samples, fallback path (default 2 each). */
  readSeconds?: number;
  /** The clock of the cadence bookkeeping (default Date.now). */
  now?: () => number;
  /** The least grace before a stream counts as overdue (default 10 s; tests use less). */
  minGraceMs?: number;
  /**
   * Fleet mode: whether this node checks the stream (media checks are the load a fleet splits:
   * another node's streams get no loop here). Absent: every stream. Call `reassign()` when it
   * changes.
   */
  owns?: (name: string) => boolean;
}

/** Counters for /api/health. */
export interface MediaHealth {
  streams: number;
  checks: number;
  /** Checks skipped because the handshake has the stream down. */
  skipped: number;
  /** Checks that ended in an unexpected error (not a verdict). */
  errors: number;
  /** Streams whose media checks are overdue now (see {@link overdueAt}). */
  overdue: number;
  /** Streams checked without a good picture judgement yet (no `verified_at`). */
  unverified: number;
  processes?: PoolStats;
  /** The decode pool: pictures decoding and waiting, ffmpeg children alive. */
  decoders?: ReturnType<PictureDecoder["stats"]>;
}

/** The media task's public face. */
export interface MediaTask {
  /** Runs the loops until `signal` aborts; then kills every child and waits for it. */
  run(signal: AbortSignal): Promise<void>;
  /** Fleet mode: starts and stops loops after this node's share of streams changed (`owns`). */
  reassign(): void;
  /** The stored JPEG of a configured stream, or undefined (unknown stream or none yet). */
  snapshot(name: string, kind: SnapshotKind): Promise<Uint8Array | undefined>;
  /** When a configured stream's snapshots were written (empty for an unknown stream or none). */
  snapshotInfo(name: string): SnapshotInfo;
  /** Runs one media check of a configured stream now and applies it; undefined if not found. */
  checkNow(name: string, signal?: AbortSignal): Promise<MediaVerdict | undefined>;
  health(): MediaHealth;
  /** The picture freshness of a stream with media checks; undefined for any other. */
  cadence(name: string): PictureFreshness | undefined;
  /** Overdue streams and check lateness, for /metrics. */
  cadenceFigures(): MediaCadenceFigures;
}

interface PerStream {
  key: string;
  memory: MediaMemory;
  last?: MediaVerdict;
  /** The last verified verdict (an unverified one holds its effect, see combineMedia). */
  lastVerified?: MediaVerdict;
  lock: Promise<unknown>;
  /** The loop's schedule (set while the stream has a loop). */
  cadence?: Cadence;
  /** The last good picture judgement (ms); forgotten with the rest when the config changes. */
  verifiedAt?: number;
}

interface Loop {
  /** The stream config it runs with, as JSON (another config restarts it). */
  key: string;
  ctrl: AbortController;
  done: Promise<void>;
  /** Starts the next check now (the stream came back up); one during a check runs right after. */
  wake(): void;
  woken: boolean;
}

/**
 * Creates the media task. Each check: the source's native sample (RTSP session, MJPEG, HLS;
 * else ffprobe + ffmpeg) → decoded pictures → {@link judgeMedia} → snapshots →
 * `monitor.applyMedia()`. Checks are skipped while the handshake has the stream down (nothing
 * to see there; the check right after it comes back covers it), but not when a media check
 * itself set it down (only a media check can lift that; an unverified check does not count).
 * Each stream's checks are due every `media_check_seconds`, the first within the first cadence
 * (phase-spread); the task records when each check was due, started and ended, and how late it
 * started, by the rules of cadence.ts, so it can say when it does not keep the cadence.
 */
export function createMediaTask(opts: MediaTaskDeps): MediaTask {
  const { monitor, bus, logger } = opts;
  const own = opts.runner || opts.pool ? undefined : createProcessPool({
    max: opts.maxProcesses ?? opts.config().maxMediaProcesses,
  });
  const pool = opts.runner ? undefined : opts.pool ?? own;
  const run = opts.runner ?? pool!.run;
  // One sampler (one UDP port pool) and one decode pool (ffmpeg children on stdin, sized to the
  // cores) for all checks; HLS keyframe decodes get a process pool of as many slots.
  const sampler = opts.sampler ?? createRtspMediaSampler();
  const decoder = opts.decoder ?? createPictureDecoder(opts.decoderOptions);
  const stdinPool = createProcessPool({ max: navigator.hardwareConcurrency || 2 });
  const snapshots = createSnapshotStore(opts.dataDir);
  const per = new Map<string, PerStream>();
  /** Memory of renamed streams, under their new names until the next reconcile. */
  const incoming = new Map<string, PerStream>();
  const loops = new Map<string, Loop>();
  const counts = { checks: 0, skipped: 0, errors: 0 };
  const now = opts.now ?? Date.now;
  const lateness = createHistogram(LATENESS_BUCKETS);
  let stopping: AbortSignal | undefined;
  let applying: string | undefined;
  const all = new Set<Promise<void>>();

  /** What a stream's media memory depends on: everything but its name (a rename keeps it). */
  const keyOf = (s: StreamConfig) => JSON.stringify({ ...s, name: "" });
  const stateOf = (s: StreamConfig) => {
    const key = keyOf(s);
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
      sampler,
      decoder,
      stdinRun: stdinPool.run,
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
    if (res.verdict.verified !== false) st.lastVerified = res.verdict;
    if (pictureVerified(res.verdict)) st.verifiedAt = now();
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

  /** Sleeps until `ms` from now, or until woken or stopped. */
  const nap = async (ms: number, self: Loop, signal: AbortSignal) => {
    const ctrl = new AbortController();
    self.wake = () => {
      self.woken = true;
      ctrl.abort();
    };
    const stop = () => ctrl.abort();
    signal.addEventListener("abort", stop, { once: true });
    await delay(ms, { signal: ctrl.signal });
    signal.removeEventListener("abort", stop);
  };

  const loop = async (s: StreamConfig, offsetMs: number, self: Loop, signal: AbortSignal) => {
    const st = stateOf(s);
    const everyMs = (s.mediaCheckSeconds ?? DEFAULT_MEDIA_CHECK_SECONDS) * 1000;
    st.cadence = newCadence({ everyMs, addedAt: now(), offsetMs, minGraceMs: opts.minGraceMs });
    while (!signal.aborted) {
      const wait = st.cadence.due - now();
      if (!self.woken && wait > 0) await nap(wait, self, signal);
      if (signal.aborted) break;
      self.woken = false;
      const started = startCheck(st.cadence, now());
      st.cadence = started.cadence;
      if (started.latenessMs !== null) lateness.observe(started.latenessMs / 1000);
      const handshakeDown = monitor.status(s.name)?.state === "down" &&
        stateOf(s).lastVerified?.state !== "down";
      if (handshakeDown) counts.skipped++;
      else {
        await exclusive(s, signal).catch((err) => {
          counts.errors++;
          logger.warn(`media check of "${s.name}" failed: ${redactText(String(err))}`);
        });
      }
      st.cadence = endCheck(st.cadence, now());
    }
  };

  /** The state of every stream with a loop now. */
  function* scheduled(): Generator<PerStream & { cadence: Cadence }> {
    for (const name of loops.keys()) {
      const st = per.get(name);
      if (st?.cadence) yield st as PerStream & { cadence: Cadence };
    }
  }
  const overdueCount = (t: number) => {
    let n = 0;
    for (const st of scheduled()) if (isOverdue(st.cadence, t)) n++;
    return n;
  };

  const reconcile = (streams: StreamConfig[]) => {
    const owns = opts.owns;
    const wanted = streams.filter((s) => mediaEnabled(s) && (!owns || owns(s.name)));
    for (const [name, st] of incoming) per.set(name, st); // all at once: two may swap names
    incoming.clear();
    const keys = new Map(wanted.map((s) => [s.name, JSON.stringify(s)]));
    for (const [name, l] of loops) {
      if (keys.get(name) !== l.key) {
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
      const l: Loop = {
        key: JSON.stringify(s),
        ctrl: new AbortController(),
        done: Promise.resolve(),
        woken: false,
        wake: () => {
          l.woken = true;
        },
      };
      l.done = loop(s, offset, l, AbortSignal.any([stopping!, l.ctrl.signal]));
      loops.set(s.name, l);
      all.add(l.done);
      l.done.finally(() => all.delete(l.done));
    });
  };

  let reassignNow = () => {};
  return {
    reassign: () => reassignNow(),
    async run(signal) {
      stopping = signal;
      await cleanSnapshotTemp(snapshots.dir);
      const off = [
        // A renamed stream's memory (expectations, frozen timer) moves to its new name before
        // the reload restarts its loop under that name.
        bus.on("stream-renamed", (e) => {
          const st = per.get(e.from);
          if (st) per.delete(e.from), incoming.set(e.to, st);
        }),
        bus.on("config-reloaded", (e) => reconcile(e.config.streams)),
        bus.on("state-change", (e) => {
          if (e.from === "down" && e.to !== "down" && applying !== e.name) {
            loops.get(e.name)?.wake();
          }
        }),
      ];
      reconcile(opts.config().streams);
      reassignNow = () => reconcile(opts.config().streams);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      off.forEach((f) => f());
      for (const l of loops.values()) l.ctrl.abort();
      loops.clear();
      await Promise.allSettled([...all]);
      await own?.killAll();
      if (!opts.decoder) await decoder.close();
      await stdinPool.killAll();
    },
    async snapshot(name, kind) {
      if (!opts.config().streams.some((s) => s.name === name)) return undefined;
      return await snapshots.load(name, kind);
    },
    snapshotInfo(name) {
      return opts.config().streams.some((s) => s.name === name) ? snapshots.info(name) : {};
    },
    async checkNow(name, signal) {
      const s = opts.config().streams.find((x) => x.name === name);
      if (!s) return undefined;
      const sigs = [signal, stopping].filter((x): x is AbortSignal => x !== undefined);
      return await exclusive(s, sigs.length ? AbortSignal.any(sigs) : new AbortController().signal);
    },
    health() {
      const t = now();
      let unverified = 0;
      for (const st of scheduled()) {
        if (st.verifiedAt === undefined && st.cadence.endedAt !== undefined) unverified++;
      }
      return {
        streams: loops.size,
        ...counts,
        overdue: overdueCount(t),
        unverified,
        processes: pool?.stats(),
        decoders: decoder.stats(),
      };
    },
    cadence(name) {
      const st = loops.has(name) ? per.get(name) : undefined;
      if (!st?.cadence) return undefined;
      const at = overdueAt(st.cadence);
      const unverified = st.last?.verified === false ? st.last.message : null;
      return { verifiedAt: st.verifiedAt ?? null, overdueAt: at, overdue: now() > at, unverified };
    },
    cadenceFigures: () => ({ overdue: overdueCount(now()), lateness }),
  };
}
