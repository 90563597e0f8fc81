/** The PostgreSQL write queue: checks, state changes and settings wait in memory, flushed in batches. */

import type { Sql } from "postgres";
import type { CheckRecord } from "../../types.ts";
import type { StateChange, StoreHealth, StoreLogger } from "../types.ts";
import { type PgBatch, writePgBatch } from "./batch.ts";
import { applyInOrder, createRegistrationQueue } from "./registrations.ts";
import { type PgQueuedChange, type PgQueuedCheck, toQueuedChange, toQueuedCheck } from "./rows.ts";
import { CONFIG_ID } from "../identity.ts";
import { createPgStreamIds } from "./stream_ids.ts";

/** Checks kept while the database refuses writes; beyond it the oldest are dropped (as SQLite). */
export const PG_MAX_QUEUE = 100_000;

/**
 * The longest wait between retries of a failed flush, ms: a refused connection costs little, and
 * a restarted server should see the queue drain within a second or two.
 */
const RETRY_CAP_MS = 1000;

/** What {@link createPostgresWriter} needs. */
export interface PostgresWriterDeps {
  /** Clock in ms since the epoch (created_at of new streams, queue ages). */
  now: () => number;
  /** Hears failed flushes (the 1st and every 50th), recoveries, drops and renames. */
  logger: StoreLogger;
  /** This node's name, written into the `node` columns (NULL when omitted). */
  node?: string;
  /** How long a queued write may wait before the background flush, ms (default 200). */
  flushIntervalMs?: number;
  /** Queue length that triggers an immediate flush (default 500). */
  maxBatch?: number;
}

/** The PostgreSQL store's write side. */
export interface PostgresWriter {
  /** Registers a stream (see StoreWrites.ensureStream) now; resolves with its row id. */
  ensureStream(name: string, kind?: string, id?: string): Promise<number>;
  /**
   * Queues the registration (no I/O; RangeError for a bad id at once): written first in the next
   * flush, kept and retried like the checks while the database refuses it. A newer call for the
   * same name replaces a queued one.
   */
  queueStream(name: string, kind?: string, id?: string): void;
  /** Queues one check (no I/O); throws only for a bad argument or after close(). */
  recordCheck(name: string, check: CheckRecord): void;
  /** Queues a state change: closes the open incident, opens one for down/degraded. */
  recordStateChange(change: StateChange): void;
  /** Queues a setting and starts writing it at once unless writes are failing. */
  setMeta(key: string, value: string): void;
  /** The value of a setting still waiting to be written, if any. */
  queuedMeta(key: string): { value: string } | undefined;
  /** Writes everything queued in one transaction; rejects (keeping the batch) when that fails. */
  flush(): Promise<number>;
  /** Queue length, last write error and the oldest queued write's age. */
  stats(): Pick<StoreHealth, "queued" | "writeError" | "oldestQueuedAgeMs">;
  /** Stops the timer and flushes once more; rejects when that last flush fails. */
  close(): Promise<void>;
}

/**
 * Creates the writer over `sql` (the caller owns the connection and ends it after close()).
 * Background flushes never throw into a timer: a failed flush keeps its batch, warns, drops the
 * oldest checks beyond {@link PG_MAX_QUEUE} and retries with a backoff up to 1 s. Flushes never
 * overlap: one that is asked for while another runs waits for it, then writes what came since.
 */
export function createPostgresWriter(sql: Sql, deps: PostgresWriterDeps): PostgresWriter {
  const { now, logger: log } = deps;
  const node = deps.node ?? null;
  const flushIntervalMs = deps.flushIntervalMs ?? 200;
  const maxBatch = deps.maxBatch ?? 500;
  const streams = createPgStreamIds(sql, now, log);
  let checks: (PgQueuedCheck & { after: number })[] = [];
  let changes: (PgQueuedChange & { after: number })[] = [];
  let meta = new Map<string, string>();
  const regs = createRegistrationQueue(); // queued ensureStream calls
  let queuedSince: number | undefined;
  let writeError: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let running: Promise<number> | undefined;
  let closed = false;
  // The batch being written: still counted as queued, its settings still served by queuedMeta.
  let inFlight = { count: 0, meta: new Map<string, string>() };

  const size = () => checks.length + changes.length + meta.size + regs.size();
  const assertOpen = (what: string) => {
    if (closed) throw new Error(`Cannot ${what}: the PostgreSQL writer is closed`);
  };
  /** The row id now, unless a queued registration could still rename: then at the flush. */
  const idNow = (name: string) => regs.size() === 0 ? streams.id(name) : undefined;
  const resolved = <T extends { id?: number }>(rows: T[]) => rows as (T & { id: number })[];

  const flushOnce = async (): Promise<number> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (size() === 0) return 0;
    const taken = { checks, changes, meta, regs: regs.take() };
    checks = [];
    changes = [];
    meta = new Map();
    const count = taken.checks.length + taken.changes.length + taken.meta.size +
      taken.regs.regs.length;
    inFlight = { count, meta: taken.meta };
    try {
      // Registrations in the order they came among the checks: a check recorded before a
      // rename belongs to the row it was recorded for.
      await applyInOrder(taken.regs, [taken.checks, taken.changes], streams.id, streams.ensure);
      const batch: PgBatch = {
        checks: resolved(taken.checks),
        changes: resolved(taken.changes),
        meta: taken.meta,
      };
      await writePgBatch(sql, batch, node);
    } catch (err) {
      checks = taken.checks.concat(checks);
      changes = taken.changes.concat(changes);
      for (const [key, value] of meta) taken.meta.set(key, value); // a newer value wins
      meta = taken.meta;
      regs.putBack(taken.regs);
      inFlight = { count: 0, meta: new Map() };
      writeError = err instanceof Error ? err.message : String(err);
      schedule(); // the retry timer was cleared above: a failed flush() by a caller re-arms it
      throw err;
    }
    inFlight = { count: 0, meta: new Map() };
    writeError = null;
    if (size() === 0) queuedSince = undefined;
    return count;
  };
  const flush = async (): Promise<number> => {
    while (running) await running.catch(() => {});
    const mine = flushOnce();
    running = mine;
    try {
      return await mine;
    } finally {
      if (running === mine) running = undefined;
    }
  };

  const autoFlush = async () => {
    try {
      await flush();
      if (failures > 0) log.info(`store: writes recovered after ${failures} failed flushes`);
      failures = 0;
    } catch (err) {
      failures++;
      if (failures === 1 || failures % 50 === 0) {
        log.warn(
          `store: flush failed (${failures}x, ${checks.length} checks, ${meta.size} settings ` +
            `and ${regs.size()} streams queued for PostgreSQL): ${writeError ?? err}`,
        );
      }
      if (checks.length > PG_MAX_QUEUE) {
        const dropped = checks.splice(0, checks.length - PG_MAX_QUEUE).length;
        log.warn(`store: dropped the ${dropped} oldest queued checks; PostgreSQL is not writable`);
      }
      schedule();
    }
  };
  const schedule = () => {
    if (timer === undefined && !closed) {
      const delay = Math.min(flushIntervalMs * 2 ** Math.min(failures, 10), RETRY_CAP_MS);
      timer = setTimeout(() => {
        timer = undefined;
        void autoFlush();
      }, Math.max(delay, flushIntervalMs));
    }
  };
  const enqueued = () => {
    queuedSince ??= now();
    if (checks.length + changes.length >= maxBatch && failures === 0 && !running) {
      void autoFlush();
    } else schedule();
  };

  return {
    ensureStream(name, kind, id) {
      assertOpen(`add stream "${name}"`);
      return streams.ensure(name, kind, id);
    },
    queueStream(name, kind, id) {
      assertOpen(`add stream "${name}"`);
      if (id !== undefined && !CONFIG_ID.test(id)) {
        throw new RangeError(
          `Cannot add stream "${name}": id ${JSON.stringify(id.slice(0, 80))} ` +
            "is not 1–64 of A-Z a-z 0-9 _ -",
        );
      }
      regs.add({ name, kind, id });
      queuedSince ??= now();
      schedule(); // reads flush first, so they see it at once
    },
    recordCheck(name, check) {
      assertOpen(`record a check of "${name}"`);
      checks.push({ ...toQueuedCheck(name, check, idNow(name)), after: regs.count() });
      enqueued();
    },
    recordStateChange(change) {
      assertOpen(`record the state change of "${change.name}"`);
      const c = toQueuedChange(change, idNow(change.name));
      if (!c) return;
      changes.push({ ...c, after: regs.count() });
      enqueued();
    },
    setMeta(key, value) {
      assertOpen(`write setting "${key}"`);
      meta.set(key, value);
      queuedSince ??= now();
      if (failures === 0) void autoFlush();
      else schedule();
    },
    queuedMeta(key) {
      if (meta.has(key)) return { value: meta.get(key)! };
      return inFlight.meta.has(key) ? { value: inFlight.meta.get(key)! } : undefined;
    },
    flush,
    stats: () => ({
      queued: size() + inFlight.count,
      writeError,
      oldestQueuedAgeMs: queuedSince === undefined ? null : Math.max(0, now() - queuedSince),
    }),
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}
