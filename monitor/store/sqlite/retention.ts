/** The SQLite store's prune(): deletes old rows per stream in small batches, yielding between. */

import type { PruneOptions, PruneResult } from "../types.ts";
import type { SqliteContext } from "./context.ts";

const DAY = 86_400_000;

function positive(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`Cannot prune: "${name}" is ${value}, it must be at least ${min}`);
  }
  return value;
}

/**
 * Returns prune(): raw checks older than retentionDays, then hour and day rollups and closed
 * incidents older than rollupDays, then sent and failed outbox items and delivery log rows older
 * than rollupDays and mutes that ended (PruneResult counts the stream rows only), at most
 * batchSize rows per statement. It yields to the event
 * loop after every batch that deleted rows, so queued checks flush and requests are served, and
 * stops early (aborted: true) on the signal or once the store closes.
 */
export function createPrune(ctx: SqliteContext): (opts?: PruneOptions) => Promise<PruneResult> {
  const p = (sql: string) => ctx.db.prepare(sql);
  const pruneChecks = p(
    "DELETE FROM sp_check WHERE rowid IN " +
      "(SELECT rowid FROM sp_check WHERE stream_id = ? AND ts < ? LIMIT ?)",
  );
  const pruneHours = p(
    "DELETE FROM sp_rollup_hour WHERE (stream_id, hour) IN " +
      "(SELECT stream_id, hour FROM sp_rollup_hour WHERE stream_id = ? AND hour < ? LIMIT ?)",
  );
  const pruneDays = p(
    "DELETE FROM sp_rollup_day WHERE (stream_id, day) IN " +
      "(SELECT stream_id, day FROM sp_rollup_day WHERE stream_id = ? AND day < ? LIMIT ?)",
  );
  const pruneIncidents = p(
    "DELETE FROM sp_incident WHERE rowid IN (SELECT rowid FROM sp_incident " +
      "WHERE stream_id = ? AND ended_at IS NOT NULL AND ended_at < ? LIMIT ?)",
  );
  // The outbox and its log are not per stream: one batched pass each after the stream steps.
  // Pending items are never pruned, however old (the dispatcher gives them up by age itself).
  const pruneOutbox = p(
    "DELETE FROM sp_outbox WHERE rowid IN (SELECT rowid FROM sp_outbox " +
      "WHERE status <> 'pending' AND done_at < ? LIMIT ?)",
  );
  const pruneDeliveries = p(
    "DELETE FROM sp_delivery WHERE rowid IN (SELECT rowid FROM sp_delivery WHERE ts < ? LIMIT ?)",
  );
  const pruneMutes = p(
    "DELETE FROM sp_mute WHERE name IN (SELECT name FROM sp_mute WHERE until < ? LIMIT ?)",
  );
  return async (opts = {}) => {
    ctx.assertOpen("prune");
    const retention = positive("retentionDays", opts.retentionDays ?? 30, 1 / 24);
    const rollupDays = positive("rollupDays", opts.rollupDays ?? 400, 365);
    const batch = Math.floor(positive("batchSize", opts.batchSize ?? 500, 1));
    const t = ctx.now();
    const result: PruneResult = { checks: 0, rollups: 0, incidents: 0, aborted: false };
    const streamIds = ctx.streams.ids();
    const horizon = t - rollupDays * DAY;
    const steps = [
      ["checks", pruneChecks, t - retention * DAY],
      ["rollups", pruneHours, t - rollupDays * DAY],
      ["rollups", pruneDays, t - rollupDays * DAY],
      ["incidents", pruneIncidents, t - rollupDays * DAY],
    ] as const;
    for (const [key, stmt, cutoff] of steps) {
      for (const id of streamIds) {
        while (true) {
          if (ctx.closed() || opts.signal?.aborted) return { ...result, aborted: true };
          const n = Number(stmt.run(id, cutoff, batch).changes);
          result[key] += n;
          if (n === 0) break;
          await new Promise((r) => setTimeout(r, 0));
          if (n < batch) break;
        }
      }
    }
    const alertSteps = [[pruneOutbox, horizon], [pruneDeliveries, horizon], [pruneMutes, t]];
    for (const [stmt, cutoff] of alertSteps as [typeof pruneOutbox, number][]) {
      while (true) {
        if (ctx.closed() || opts.signal?.aborted) return { ...result, aborted: true };
        const n = Number(stmt.run(cutoff, batch).changes);
        if (n === 0) break;
        await new Promise((r) => setTimeout(r, 0));
        if (n < batch) break;
      }
    }
    return result;
  };
}
