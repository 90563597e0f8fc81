/** The PostgreSQL store's prune(): SQLite's horizons and batches, safe with several nodes at once. */

import type { PruneOptions, PruneResult } from "../types.ts";
import type { PgSql } from "./read_rows.ts";

const DAY = 86_400_000;

function positive(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`Cannot prune: "${name}" is ${value}, it must be at least ${min}`);
  }
  return value;
}

/** Per stream ($1), older than $2, at most $3 rows, rows another node is deleting skipped. */
const STREAM_STEPS = [
  [
    "checks",
    `DELETE FROM sp_check WHERE id IN (SELECT id FROM sp_check
       WHERE stream_id = $1 AND ts < $2 LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    "retention",
  ],
  [
    "rollups",
    `DELETE FROM sp_rollup_hour WHERE (stream_id, hour) IN (SELECT stream_id, hour
       FROM sp_rollup_hour WHERE stream_id = $1 AND hour < $2 LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    "rollup",
  ],
  [
    "rollups",
    `DELETE FROM sp_rollup_day WHERE (stream_id, day) IN (SELECT stream_id, day
       FROM sp_rollup_day WHERE stream_id = $1 AND day < $2 LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    "rollup",
  ],
  [
    "incidents",
    `DELETE FROM sp_incident WHERE id IN (SELECT id FROM sp_incident
       WHERE stream_id = $1 AND ended_at IS NOT NULL AND ended_at < $2
       LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    "rollup",
  ],
] as const;

/** Not per stream: older than $1, at most $2 rows. Pending outbox items are never pruned. */
const ALERT_STEPS = [
  [
    `DELETE FROM sp_outbox WHERE id IN (SELECT id FROM sp_outbox
       WHERE status <> 'pending' AND done_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    "rollup",
  ],
  [
    `DELETE FROM sp_delivery WHERE id IN (SELECT id FROM sp_delivery
       WHERE ts < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    "rollup",
  ],
  [
    `DELETE FROM sp_mute WHERE name IN (SELECT name FROM sp_mute
       WHERE until < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    "now",
  ],
] as const;

/**
 * Returns prune() with the SQLite store's options, defaults, validation and order: raw checks
 * older than retentionDays, then hour and day rollups and closed incidents older than
 * rollupDays, per stream; then sent and failed outbox items and delivery log rows older than
 * rollupDays and mutes that ended (PruneResult counts the stream rows only). Each statement
 * deletes at most batchSize rows (`DELETE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP
 * LOCKED)`), so transactions stay short and two nodes pruning at once skip each other's rows
 * instead of waiting. Stops early (aborted: true) on the signal or once `closed()`.
 */
export function createPgPrune(
  sql: PgSql,
  deps: { now: () => number; closed: () => boolean },
): (opts?: PruneOptions) => Promise<PruneResult> {
  return async (opts = {}) => {
    if (deps.closed()) throw new Error("Cannot prune: the store is closed");
    const retention = positive("retentionDays", opts.retentionDays ?? 30, 1 / 24);
    const rollupDays = positive("rollupDays", opts.rollupDays ?? 400, 365);
    const batch = Math.floor(positive("batchSize", opts.batchSize ?? 500, 1));
    const t = deps.now();
    const cutoffs = {
      retention: Math.floor(t - retention * DAY),
      rollup: Math.floor(t - rollupDays * DAY),
      now: Math.floor(t),
    };
    const result: PruneResult = { checks: 0, rollups: 0, incidents: 0, aborted: false };
    const stop = () => deps.closed() || opts.signal?.aborted === true;
    /** Runs one statement until it deletes fewer than a batch; false when stopped. */
    const drain = async (text: string, args: (number | string)[], add: (n: number) => void) => {
      for (;;) {
        if (stop()) return false;
        const n = (await sql.unsafe(text, [...args, batch])).count;
        add(n);
        if (n < batch) return true;
      }
    };
    const ids = (await sql.unsafe("SELECT id FROM sp_stream ORDER BY id")).map((r) =>
      r.id as string
    );
    for (const [key, text, cutoff] of STREAM_STEPS) {
      for (const id of ids) {
        if (!await drain(text, [id, cutoffs[cutoff]], (n) => result[key] += n)) {
          return { ...result, aborted: true };
        }
      }
    }
    for (const [text, cutoff] of ALERT_STEPS) {
      if (!await drain(text, [cutoffs[cutoff]], () => {})) return { ...result, aborted: true };
    }
    return result;
  };
}
