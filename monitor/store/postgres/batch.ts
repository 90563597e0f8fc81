/** Writes one batch of queued checks, state changes and settings in one PostgreSQL transaction. */

import type { Sql, TransactionSql } from "postgres";
import {
  type PgQueuedChange,
  type PgQueuedCheck,
  type PgRollup,
  rollupsOf,
  streaksOf,
} from "./rows.ts";

/** What one flush writes; every check and change carries its resolved sp_stream id. */
export interface PgBatch {
  checks: (PgQueuedCheck & { id: number })[];
  changes: (PgQueuedChange & { id: number })[];
  /** Settings, the newest value per key. */
  meta: Map<string, string>;
}

/** Rows per multi-row INSERT: 9 columns × 5,000 stays under PostgreSQL's 65,535 parameters. */
const CHUNK = 5000;

const chunks = <T>(rows: T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
};

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
 * Writes a batch in one transaction: raw checks (multi-row INSERTs through `sql(rows, columns)`),
 * hour and day rollups summed in memory, fail streaks, states and incidents in the order the
 * changes came, settings. `node` goes into the `node` columns. A failure rolls back and throws;
 * the caller keeps the batch.
 */
export async function writePgBatch(sql: Sql, batch: PgBatch, node: string | null): Promise<void> {
  const { checks, changes, meta } = batch;
  await sql.begin(async (tx) => {
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
      await tx`INSERT INTO sp_check ${
        tx(rows, "stream_id", "ts", "ok", "state", "latency_ms", "message", "details", "node")
      }`;
    }
    if (checks.length > 0) {
      const { hours, days } = rollupsOf(checks);
      await upsertRollups(tx, "sp_rollup_hour", "hour", hours);
      await upsertRollups(tx, "sp_rollup_day", "day", days);
      const s = streaksOf(checks);
      await tx`UPDATE sp_stream AS s
        SET fail_streak = CASE WHEN v.reset THEN v.n ELSE s.fail_streak + v.n END
        FROM unnest(${tx.array(s.map((x) => x.id))}::bigint[],
          ${tx.array(s.map((x) => x.reset))}::bool[], ${tx.array(s.map((x) => x.n))}::int[])
          AS v(id, reset, n)
        WHERE s.id = v.id`;
    }
    for (const c of changes) {
      await tx`UPDATE sp_stream SET state = ${c.to}, state_since = ${c.ts}, state_node = ${node}
        WHERE id = ${c.id}`;
      await tx`UPDATE sp_incident SET ended_at = ${c.ts}, end_cause = ${c.cause}, end_node = ${node}
        WHERE stream_id = ${c.id} AND ended_at IS NULL`;
      if (c.to === "down" || c.to === "degraded") {
        await tx`INSERT INTO sp_incident (stream_id, state, started_at, cause, node)
          VALUES (${c.id}, ${c.to}, ${c.ts}, ${c.cause}, ${node})`;
      }
    }
    for (const [key, value] of meta) {
      await tx`INSERT INTO sp_meta (key, value) VALUES (${key}, ${value})
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`;
    }
  });
}
