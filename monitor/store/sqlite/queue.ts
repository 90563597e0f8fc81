/** The write queue: checks, state changes and settings wait in memory, flushed in batches. */

import { type CheckRecord, STREAM_STATES } from "../../types.ts";
import { maskUrl } from "../../redact.ts";
import type { StateChange, StoreHealth } from "../types.ts";
import { type Batch, createBatchWriter, type QueuedChange, type QueuedCheck } from "./batch.ts";
import type { SqliteContext } from "./context.ts";

const MAX_QUEUE = 100_000;
const STATES = new Set<string>(STREAM_STATES);

/** Masks only when a URL with user-info could be present, keeping the common path regex-free. */
const mask = (s: string) => (s.includes("@") ? maskUrl(s) : s);
const maskValue = (_k: string, v: unknown) => (typeof v === "string" ? mask(v) : v);

const validTs = (what: string, ts: number) => {
  if (!Number.isFinite(ts)) throw new RangeError(`Cannot ${what}: ts ${ts} is not a number`);
};
const validState = (what: string, state: string) => {
  if (!STATES.has(state)) throw new RangeError(`Cannot ${what}: state "${state}" is unknown`);
};

/** Options of {@link createWriteQueue}. */
export interface WriteQueueOptions {
  /** How long a queued write may wait before the background flush, ms. */
  flushIntervalMs: number;
  /** Queue length that triggers an immediate flush. */
  maxBatch: number;
}

/** The queue's face, used by the store's write methods, meta, reads and health. */
export interface WriteQueue {
  /** Validates, masks and queues one check. */
  recordCheck(name: string, check: CheckRecord): void;
  /** Validates and queues a state change (from === to is ignored). */
  recordStateChange(change: StateChange): void;
  /** Queues a setting and writes it at once unless writes are failing. */
  setMeta(key: string, value: string): void;
  /** The value of a setting still waiting to be written, if any. */
  queuedMeta(key: string): { value: string } | undefined;
  /** Writes everything queued in one transaction; throws (keeping the batch) when that fails. */
  flush(): number;
  /** Flushes before a read unless writes are failing (then reads serve what is on disk). */
  beforeRead(): void;
  /** Queue length, last write error and the oldest queued write's age. */
  stats(): Pick<StoreHealth, "queued" | "writeError" | "oldestQueuedAgeMs">;
  /** Stops the timer (close() flushes once more itself). */
  stop(): void;
}

/**
 * Creates the queue. Background flushes never throw into a timer: a failed flush keeps its
 * batch, warns (the 1st and every 50th time), drops the oldest checks beyond 100,000, and retries
 * with a backoff up to 5 s, because waiting for a lock blocks the event loop (DatabaseSync is
 * synchronous). While writes fail, reads skip the flush and serve what is on disk.
 */
export function createWriteQueue(ctx: SqliteContext, opts: WriteQueueOptions): WriteQueue {
  const { now, log, path } = ctx;
  const { flushIntervalMs, maxBatch } = opts;
  const write = createBatchWriter(ctx.db);
  let checks: QueuedCheck[] = [];
  let changes: QueuedChange[] = [];
  let meta = new Map<string, string>(); // settings not yet written, the newest value per key
  let queuedSince: number | undefined; // when the queue last went from empty to non-empty
  let writeError: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const flush = (): number => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (checks.length === 0 && changes.length === 0 && meta.size === 0) return 0;
    const batch: Batch = { checks, changes, meta };
    checks = [];
    changes = [];
    meta = new Map();
    try {
      write(batch);
    } catch (err) {
      checks = batch.checks.concat(checks);
      changes = batch.changes.concat(changes);
      for (const [key, value] of meta) batch.meta.set(key, value); // a newer value queued meanwhile wins
      meta = batch.meta;
      writeError = err instanceof Error ? err.message : String(err);
      throw err;
    }
    writeError = null;
    queuedSince = undefined;
    return batch.checks.length + batch.changes.length + batch.meta.size;
  };

  const autoFlush = () => {
    try {
      flush();
      if (failures > 0) log.info(`store: writes recovered after ${failures} failed flushes`);
      failures = 0;
    } catch (err) {
      failures++;
      if (failures === 1 || failures % 50 === 0) {
        log.warn(
          `store: flush failed (${failures}x, ${checks.length} checks and ${meta.size} ` +
            `settings queued for "${path}"): ${err}`,
        );
      }
      if (checks.length > MAX_QUEUE) {
        const dropped = checks.splice(0, checks.length - MAX_QUEUE).length;
        log.warn(
          `store: dropped the ${dropped} oldest queued checks; the database is not writable`,
        );
      }
      schedule();
    }
  };
  const schedule = () => {
    if (timer === undefined && !ctx.closed()) {
      const delay = Math.min(flushIntervalMs * 2 ** Math.min(failures, 10), 5000);
      timer = setTimeout(() => {
        timer = undefined;
        autoFlush();
      }, Math.max(delay, flushIntervalMs));
    }
  };
  const enqueued = () => {
    queuedSince ??= now();
    if (checks.length + changes.length >= maxBatch && failures === 0) autoFlush();
    else schedule();
  };

  return {
    recordCheck(name, check) {
      const what = `record a check of "${name}"`;
      ctx.assertOpen(what);
      validTs(what, check.ts);
      validState(what, check.state);
      let det = JSON.stringify(check.details ?? {});
      if (det.includes("@")) det = JSON.stringify(check.details, maskValue);
      checks.push({
        id: ctx.streams.ensure(name),
        ts: Math.round(check.ts),
        ok: check.ok ? 1 : 0,
        state: check.state,
        lat: Number.isFinite(check.latencyMs) ? check.latencyMs : null,
        msg: mask(String(check.message ?? "")),
        det,
      });
      enqueued();
    },
    recordStateChange({ name, from, to, ts, cause }) {
      const what = `record the state change of "${name}"`;
      ctx.assertOpen(what);
      validTs(what, ts);
      validState(what, from);
      validState(what, to);
      if (from === to) return;
      const id = ctx.streams.ensure(name);
      changes.push({ id, to, ts: Math.round(ts), cause: mask(String(cause)) });
      enqueued();
    },
    setMeta(key, value) {
      ctx.assertOpen(`write setting "${key}"`);
      meta.set(key, value);
      queuedSince ??= now();
      // Written before returning unless writes are already failing (then the timer retries,
      // and a second wait on the lock here would only block the event loop again).
      if (failures === 0) autoFlush();
      else schedule();
    },
    queuedMeta: (key) => (meta.has(key) ? { value: meta.get(key)! } : undefined),
    flush,
    beforeRead() {
      if (failures === 0) autoFlush();
    },
    stats: () => ({
      queued: checks.length + changes.length + meta.size,
      writeError,
      oldestQueuedAgeMs: queuedSince === undefined ? null : Math.max(0, now() - queuedSince),
    }),
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
