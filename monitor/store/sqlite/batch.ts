/** Writes one batch of queued checks, state changes and settings in one SQLite transaction. */

import type { DatabaseSync } from "node:sqlite";
import type { StreamState } from "../../types.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A check as queued: stream id resolved, text masked, details serialised. */
export interface QueuedCheck {
  id: number;
  ts: number;
  ok: 0 | 1;
  state: StreamState;
  lat: number | null;
  msg: string;
  det: string;
}

/** A state change as queued. */
export interface QueuedChange {
  id: number;
  to: StreamState;
  ts: number;
  cause: string;
}

/** What one flush writes. */
export interface Batch {
  checks: QueuedCheck[];
  changes: QueuedChange[];
  /** Settings, the newest value per key. */
  meta: Map<string, string>;
}

interface Agg {
  id: number;
  bucket: number;
  checks: number;
  ok: number;
  min: number | null;
  sum: number;
  max: number | null;
  count: number;
}

function addTo(aggs: Map<string, Agg>, c: QueuedCheck, size: number): void {
  const bucket = Math.floor(c.ts / size) * size;
  const key = `${c.id}:${bucket}`;
  let a = aggs.get(key);
  if (!a) {
    a = { id: c.id, bucket, checks: 0, ok: 0, min: null, sum: 0, max: null, count: 0 };
    aggs.set(key, a);
  }
  a.checks++;
  a.ok += c.ok;
  // Latency statistics cover passed checks only (a failed check's latency is often the timeout).
  if (c.ok && c.lat !== null) {
    a.min = a.min === null ? c.lat : Math.min(a.min, c.lat);
    a.max = a.max === null ? c.lat : Math.max(a.max, c.lat);
    a.sum += c.lat;
    a.count++;
  }
}

const upsertSql = (table: string, col: string) =>
  `INSERT INTO ${table} (stream_id, ${col}, checks, ok, lat_min, lat_sum, lat_max, lat_count)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (stream_id, ${col}) DO UPDATE SET
     checks = checks + excluded.checks, ok = ok + excluded.ok,
     lat_min = min(coalesce(lat_min, excluded.lat_min), coalesce(excluded.lat_min, lat_min)),
     lat_sum = lat_sum + excluded.lat_sum,
     lat_max = max(coalesce(lat_max, excluded.lat_max), coalesce(excluded.lat_max, lat_max)),
     lat_count = lat_count + excluded.lat_count`;

/**
 * Prepares the write statements and returns the batch writer: raw checks, hour and day rollups
 * summed in memory first, fail streaks, states and incidents, settings, all in one
 * BEGIN IMMEDIATE … COMMIT. A failure rolls back and throws; the caller keeps the batch.
 */
export function createBatchWriter(db: DatabaseSync): (batch: Batch) => void {
  const p = (sql: string) => db.prepare(sql);
  const insertCheck = p(
    "INSERT INTO sp_check (stream_id, ts, ok, state, latency_ms, message, details) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const upsertHour = p(upsertSql("sp_rollup_hour", "hour"));
  const upsertDay = p(upsertSql("sp_rollup_day", "day"));
  const setStreak = p("UPDATE sp_stream SET fail_streak = ? WHERE id = ?");
  const addStreak = p("UPDATE sp_stream SET fail_streak = fail_streak + ? WHERE id = ?");
  const setState = p("UPDATE sp_stream SET state = ?, state_since = ? WHERE id = ?");
  const closeIncident = p(
    "UPDATE sp_incident SET ended_at = ?, end_cause = ? WHERE stream_id = ? AND ended_at IS NULL",
  );
  const openIncident = p(
    "INSERT INTO sp_incident (stream_id, state, started_at, cause) VALUES (?, ?, ?, ?)",
  );
  const setMeta = p(
    "INSERT INTO sp_meta (key, value) VALUES (?, ?) " +
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  return ({ checks, changes, meta }) => {
    try {
      db.exec("BEGIN IMMEDIATE"); // inside the try: a busy database must not lose the batch
      const hours = new Map<string, Agg>();
      const days = new Map<string, Agg>();
      const streaks = new Map<number, { reset: boolean; n: number }>();
      for (const c of checks) {
        insertCheck.run(c.id, c.ts, c.ok, c.state, c.lat, c.msg, c.det);
        addTo(hours, c, HOUR);
        addTo(days, c, DAY);
        let s = streaks.get(c.id);
        if (!s) streaks.set(c.id, s = { reset: false, n: 0 });
        if (c.ok) {
          s.reset = true;
          s.n = 0;
        } else s.n++;
      }
      for (const a of hours.values()) {
        upsertHour.run(a.id, a.bucket, a.checks, a.ok, a.min, a.sum, a.max, a.count);
      }
      for (const a of days.values()) {
        upsertDay.run(a.id, a.bucket, a.checks, a.ok, a.min, a.sum, a.max, a.count);
      }
      for (const [id, s] of streaks) (s.reset ? setStreak : addStreak).run(s.n, id);
      for (const c of changes) {
        setState.run(c.to, c.ts, c.id);
        closeIncident.run(c.ts, c.cause, c.id);
        if (c.to === "down" || c.to === "degraded") openIncident.run(c.id, c.to, c.ts, c.cause);
      }
      for (const [key, value] of meta) setMeta.run(key, value);
      db.exec("COMMIT");
    } catch (err) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw err;
    }
  };
}
