/** Writes one batch of queued checks, state changes and settings in one PostgreSQL transaction. */

import type { Sql, TransactionSql } from "postgres";
import { CURRENT_CHANNEL, CURRENT_LOCK_KEY } from "./current.ts";
import {
  currentOf,
  type PgQueuedChange,
  type PgQueuedCheck,
  type PgRollup,
  rollupsOf,
} from "./rows.ts";

/** What one flush writes; every check and change carries its resolved sp_stream id. */
export interface PgBatch {
  checks: (PgQueuedCheck & { id: number })[];
  changes: (PgQueuedChange & { id: number })[];
  /** Settings, the newest value per key. */
  meta: Map<string, string>;
}

/** What a batch wrote. */
export interface PgBatchResult {
  /** Checks inserted (a check already stored, same stream and ms, is skipped). */
  checks: number;
  /** sp_stream rows whose current columns were set (and cur_seq moved on). */
  current: number;
}

/** Rows per multi-row INSERT: 9 columns × 5,000 stays under PostgreSQL's 65,535 parameters. */
const CHUNK = 5000;

const chunks = <T>(rows: T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
};

/** The database clock in ms (cur_at), the same on every node. */
const DB_NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/** Adds a batch's sums to the stored rollups; LEAST/GREATEST ignore NULL, keeping the other side. */
async function upsertRollups(
  tx: TransactionSql,
  table: "sp_rollup_hour" | "sp_rollup_day",
  col: "hour" | "day",
  rollups: PgRollup[],
): Promise<void> {
  const t = tx(table);
  for (const part of chunks(rollups)) {
    const rows = part.map(({ bucket, ...r }) => ({ ...r, [col]: bucket }));
    const cols = ["stream_id", col, "checks", "ok", "lat_min", "lat_sum", "lat_max", "lat_count"];
    await tx`INSERT INTO ${t} ${tx(rows, cols as never)}
      ON CONFLICT (stream_id, ${tx(col)}) DO UPDATE SET
        checks = ${t}.checks + EXCLUDED.checks, ok = ${t}.ok + EXCLUDED.ok,
        lat_min = LEAST(${t}.lat_min, EXCLUDED.lat_min),
        lat_sum = ${t}.lat_sum + EXCLUDED.lat_sum,
        lat_max = GREATEST(${t}.lat_max, EXCLUDED.lat_max),
        lat_count = ${t}.lat_count + EXCLUDED.lat_count`;
  }
}

/**
 * Inserts the checks, skipping any already stored (same stream and ms: a batch sent again after
 * its COMMIT's answer was lost), and returns the ones this call inserted, in batch order.
 */
async function insertChecks(tx: TransactionSql, node: string | null, checks: PgBatch["checks"]) {
  const inserted = new Set<string>();
  for (const part of chunks(checks)) {
    const rows = part.map((c) => ({
      stream_id: c.id,
      ts: c.ts,
      ok: c.ok,
      state: c.state,
      latency_ms: c.lat,
      message: c.msg,
      details: JSON.parse(c.det), // postgres.js serialises JSONB values itself
      node,
    }));
    const got = await tx`INSERT INTO sp_check ${
      tx(rows, "stream_id", "ts", "ok", "state", "latency_ms", "message", "details", "node")
    } ON CONFLICT (stream_id, ts) DO NOTHING RETURNING stream_id, ts`;
    for (const r of got) inserted.add(`${r.stream_id}:${r.ts}`);
  }
  // Two checks of one stream in one ms: the first was inserted, the second is not new.
  return checks.filter((c) => inserted.delete(`${c.id}:${c.ts}`));
}

/**
 * Applies the changes in order: ends the open incident begun before the change, opens one for
 * down/degraded unless this stream already has one starting then (a resent batch). An incident
 * begun at the very ms of a change to up/unknown ends too.
 */
async function applyChanges(tx: TransactionSql, node: string | null, changes: PgBatch["changes"]) {
  for (const c of changes) {
    const opens = c.to === "down" || c.to === "degraded";
    await tx`UPDATE sp_incident SET ended_at = ${c.ts}, end_cause = ${c.cause}, end_node = ${node}
      WHERE stream_id = ${c.id} AND ended_at IS NULL
        AND (started_at < ${c.ts} OR (started_at = ${c.ts} AND NOT ${opens}))`;
    if (opens) {
      await tx`INSERT INTO sp_incident (stream_id, state, started_at, cause, node)
        VALUES (${c.id}, ${c.to}, ${c.ts}, ${c.cause}, ${node})
        ON CONFLICT (stream_id, started_at) DO NOTHING`;
    }
  }
}

/**
 * Sets the current columns of every stream the batch touched in one statement: fail streak (from
 * the checks inserted now), the newest check (never an older one over a newer), the last state
 * and since, state_node, cur_at and a new cur_seq. It runs last, under the
 * {@link CURRENT_LOCK_KEY} advisory lock held until COMMIT, so cur_seq values become visible in
 * the order they were taken (a reader that saw seq n never later finds a new row below n), and
 * no transaction holds an sp_stream row while it waits for that lock.
 */
async function setCurrent(
  tx: TransactionSql,
  node: string | null,
  batch: PgBatch,
  inserted: PgBatch["checks"],
): Promise<number> {
  const rows = currentOf(batch.checks, inserted, batch.changes);
  if (rows.length === 0) return 0;
  await tx.unsafe(`SELECT pg_advisory_xact_lock(${CURRENT_LOCK_KEY})`);
  const fresh = "v.last_ts IS NOT NULL AND (s.last_ts IS NULL OR v.last_ts >= s.last_ts)";
  const last = (col: string) => `${col} = CASE WHEN ${fresh} THEN v.${col} ELSE s.${col} END`;
  const v = await tx.unsafe(
    `UPDATE sp_stream AS s SET
       fail_streak = CASE WHEN v.reset IS NULL THEN s.fail_streak
                          WHEN v.reset THEN v.n ELSE s.fail_streak + v.n END,
       ${
      [
        "last_ts",
        "last_ok",
        "last_state",
        "last_latency",
        "last_message",
        "last_details",
      ].map(last).join(", ")
    },
       state = coalesce(v.state, s.state),
       state_since = CASE WHEN v.state IS NULL THEN s.state_since ELSE v.since END,
       state_node = $2, cur_at = ${DB_NOW_MS}, cur_seq = nextval('sp_current_seq')
     FROM jsonb_to_recordset($1::text::jsonb) AS v(id bigint, reset boolean, n int,
       last_ts bigint, last_ok boolean, last_state text, last_latency double precision, last_message text,
       last_details text, state text, since bigint)
     WHERE s.id = v.id`,
    [JSON.stringify(rows), node],
  );
  return v.count;
}

/**
 * Writes a batch in one transaction: raw checks (multi-row INSERTs through `sql(rows, columns)`,
 * ON CONFLICT DO NOTHING), hour and day rollups of the checks actually inserted, incidents in
 * the order the changes came, settings, then the current columns of the streams touched — so
 * writing the same batch twice (its COMMIT's answer lost, the writer sends it again) stores it
 * once. When current rows changed, `pg_notify('sp_current', node)` goes out with the COMMIT
 * (PostgreSQL delivers a transaction's notifications only once it commits). `node` goes into
 * the `node` columns. A failure rolls back and throws; the caller keeps the batch.
 */
export async function writePgBatch(
  sql: Sql,
  batch: PgBatch,
  node: string | null,
): Promise<PgBatchResult> {
  const { checks, changes, meta } = batch;
  return await sql.begin(async (tx) => {
    const inserted = checks.length > 0 ? await insertChecks(tx, node, checks) : [];
    if (inserted.length > 0) {
      const { hours, days } = rollupsOf(inserted);
      await upsertRollups(tx, "sp_rollup_hour", "hour", hours);
      await upsertRollups(tx, "sp_rollup_day", "day", days);
    }
    await applyChanges(tx, node, changes);
    for (const [key, value] of meta) {
      await tx`INSERT INTO sp_meta (key, value) VALUES (${key}, ${value})
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`;
    }
    const current = await setCurrent(tx, node, batch, inserted);
    if (current > 0) await tx`SELECT pg_notify(${CURRENT_CHANNEL}, ${node ?? ""})`;
    return { checks: inserted.length, current };
  });
}
