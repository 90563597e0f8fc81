/** One loop per stream on its own interval, a global concurrency cap, and live reconciling. */

import { delay } from "./async.ts";
import { Semaphore } from "./semaphore.ts";
import type { StreamConfig } from "./types.ts";

/**
 * Runs one check of a stream. `confirming` is true for the quick re-check that confirms a first
 * failure; the result's `recheck` asks for one.
 */
export type RunCheck = (
  stream: StreamConfig,
  signal: AbortSignal,
  opts: { confirming: boolean },
) => Promise<{ recheck: boolean }>;

/** Dependencies of {@link createScheduler}. */
export interface SchedulerDeps {
  /** Performs one check (probe, state, store). Must not throw for expected failures. */
  runCheck: RunCheck;
  /** Most checks at once over all streams. */
  maxConcurrent: number;
  /** Delay of the confirmation re-check after a first failure (default 200 ms). */
  recheckDelayMs?: number;
  /** Spread of the very first checks after start (default 2000 ms, capped by each interval). */
  startSpreadMs?: number;
  /** Clock (ms since epoch). */
  now?: () => number;
  /** Hears errors thrown by `runCheck` (a bug, not a failed check). */
  onError?: (stream: StreamConfig, err: unknown) => void;
}

/** Counters for the benchmark and /api/health. */
export interface SchedulerStats {
  /** Loops running. */
  streams: number;
  /** Checks started since start. */
  checks: number;
  /** Checks that started within 1 s of their due time. */
  onTime: number;
  /** The largest start delay seen, ms. */
  maxLateMs: number;
  /** Checks waiting for a concurrency slot right now. */
  waiting: number;
}

/** What {@link Scheduler.reconcile} changed. */
export interface ReconcileResult {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Schedules every enabled stream; see {@link createScheduler}. */
export interface Scheduler {
  /** Applies a stream list: starts new loops, stops removed ones, restarts changed ones only. */
  reconcile(streams: StreamConfig[]): ReconcileResult;
  /** Resolves once `signal` aborts and every running check has ended. */
  run(signal: AbortSignal): Promise<void>;
  /** Current counters. */
  stats(): SchedulerStats;
}

interface Loop {
  stream: StreamConfig;
  key: string;
  ctrl: AbortController;
  done: Promise<void>;
}

/**
 * Creates the scheduler. Each stream gets a phase in its interval so steady-state load is spread
 * evenly; the first checks after start are squeezed into `startSpreadMs` so every state is known
 * within seconds. A stream added while running (a config edit, or one taken over from another
 * fleet node) is checked within 250 ms and then settles on a random slot. A loop never overlaps
 * itself: the next check is planned only after the previous one ended. When a check ran late,
 * missed slots are skipped rather than run in a burst.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const now = deps.now ?? Date.now;
  const recheckDelay = deps.recheckDelayMs ?? 200;
  const startSpread = deps.startSpreadMs ?? 2000;
  const sem = new Semaphore(deps.maxConcurrent);
  const loops = new Map<string, Loop>();
  const stats = { checks: 0, onTime: 0, maxLateMs: 0 };
  // Set while run() is not running or is stopping: loops started then end at once.
  let halted: unknown = new Error("scheduler not running");
  let started = false;
  let desired: StreamConfig[] = [];

  /**
   * One stream's loop. At start (`grid` absent) the first check comes within `startSpread`, in
   * proportion to `phase`, and the grid begins one interval after `phase`. A loop added later
   * checks after `phase` (a moment), then at `grid` and on every interval after it, so streams
   * taken over together (a fleet node died) do not stay bunched in one instant.
   */
  const runLoop = async (
    stream: StreamConfig,
    signal: AbortSignal,
    phase: number,
    grid?: number,
  ) => {
    const interval = stream.intervalSeconds * 1000;
    const t0 = now();
    const spread = (phase / interval) * Math.min(interval, startSpread);
    let due = t0 + (grid === undefined ? spread : phase);
    let gridNext = t0 + (grid ?? phase + interval);
    let recheck = false;
    while (!signal.aborted) {
      await delay(due - now(), { signal });
      if (signal.aborted) break;
      try {
        await sem.acquire(signal);
      } catch {
        break;
      }
      const late = now() - due;
      stats.checks++;
      if (late <= 1000) stats.onTime++;
      if (late > stats.maxLateMs) stats.maxLateMs = late;
      const confirming: boolean = recheck;
      recheck = false;
      try {
        recheck = (await deps.runCheck(stream, signal, { confirming })).recheck;
      } catch (err) {
        deps.onError?.(stream, err);
      } finally {
        sem.release();
      }
      const t = now();
      if (recheck) {
        due = t + recheckDelay;
        continue;
      }
      while (gridNext <= t) gridNext += interval;
      due = gridNext;
      gridNext += interval;
    }
  };

  const keyOf = (s: StreamConfig) => JSON.stringify(s);

  const start = (stream: StreamConfig, phase: number, grid?: number) => {
    // One controller per loop, aborted on removal or by run() on shutdown (cheaper per stream
    // than combining it with a root signal through AbortSignal.any).
    const ctrl = new AbortController();
    if (halted) ctrl.abort(halted);
    const loop: Loop = { stream, key: keyOf(stream), ctrl, done: Promise.resolve() };
    loop.done = runLoop(stream, ctrl.signal, phase, grid);
    loops.set(stream.name, loop);
  };

  const stop = (name: string) => {
    loops.get(name)?.ctrl.abort(new Error("stream removed"));
    loops.delete(name);
  };

  return {
    reconcile(streams) {
      const enabled = streams.filter((s) => s.enabled);
      desired = enabled;
      if (!started) return { added: enabled.map((s) => s.name), removed: [], changed: [] };
      const res: ReconcileResult = { added: [], removed: [], changed: [] };
      const wanted = new Map(enabled.map((s) => [s.name, s]));
      for (const name of [...loops.keys()]) {
        if (!wanted.has(name)) {
          stop(name);
          res.removed.push(name);
        }
      }
      for (const s of enabled) {
        const loop = loops.get(s.name);
        if (loop && loop.key === keyOf(s)) continue;
        if (loop) {
          stop(s.name);
          res.changed.push(s.name);
        } else res.added.push(s.name);
        // A new, changed or newly owned stream is checked within a moment, then settles on a
        // random slot a quarter to a whole interval later (never a second check right away).
        const interval = s.intervalSeconds * 1000;
        const phase = Math.random() * Math.min(250, interval);
        start(s, phase, phase + interval * (0.25 + 0.75 * Math.random()));
      }
      return res;
    },
    async run(signal) {
      // An already aborted signal starts nothing (see the test of that case).
      halted = signal.aborted ? signal.reason ?? new Error("stopped") : undefined;
      started = true;
      desired.forEach((s, i) => start(s, (i / desired.length) * s.intervalSeconds * 1000));
      if (!signal.aborted) {
        await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
      }
      halted = signal.reason ?? new Error("stopped");
      for (const l of loops.values()) l.ctrl.abort(halted);
      await Promise.all([...loops.values()].map((l) => l.done));
      loops.clear();
      started = false;
    },
    stats: () => ({ streams: loops.size, ...stats, waiting: sem.waiting }),
  };
}
