/** The PostgreSQL store's reads: history, states, uptime, incidents, names, first check, reports. */

import type { StreamState } from "../../types.ts";
import type { StoredState, Uptime } from "../types.ts";
import { createPgIncidentLog } from "./incident_log.ts";
import { createPgReports } from "./reports.ts";
import { INCIDENT_SELECT, num, type PgRow, type PgSql, toCheck, toIncident } from "./read_rows.ts";
import { range } from "../query.ts";
import type { AsyncStoreQueries } from "./types.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** What the reads take besides the connection. */
export interface PgReadDeps {
  /** Clock in ms since the epoch (open incidents' duration); default Date.now. */
  now?: () => number;
  /** Runs before each read: the writer's flush, so a read sees every recorded check. */
  beforeRead?: () => Promise<void>;
}

const CHECK_COLUMNS = "c.ts, c.ok, c.state, c.latency_ms, c.message, c.details";

/**
 * The async reads over `sql`, with the SQLite store's semantics and result shapes: every query
 * joins sp_stream by name (an unknown name simply matches nothing) and maps BIGINT strings back
 * to numbers. `beforeRead` runs first for every read that must see queued writes.
 */
export function createPgReads(sql: PgSql, deps: PgReadDeps = {}): AsyncStoreQueries {
  const now = deps.now ?? Date.now;
  const read = async () => {
    await deps.beforeRead?.();
  };
  const reports = createPgReports(sql, read);
  const log = createPgIncidentLog(sql, { now, read });
  return {
    ...reports,
    ...log,
    async history(name, query = {}) {
      const [from, to, limit] = range(query);
      await read();
      const rows = await sql.unsafe(
        `SELECT ${CHECK_COLUMNS} FROM sp_check c JOIN sp_stream s ON s.id = c.stream_id
         WHERE s.name = $1 AND c.ts >= $2 AND c.ts <= $3 ORDER BY c.ts DESC, c.id DESC LIMIT $4`,
        [name, from, to, limit],
      );
      return rows.map(toCheck);
    },
    async lastStates() {
      await read();
      const rows = await sql.unsafe(
        `SELECT s.name, s.kind, s.state, s.state_since, s.fail_streak, s.created_at,
                l.ts, l.ok, l.state AS check_state, l.latency_ms, l.message, l.details
         FROM sp_stream s LEFT JOIN LATERAL (
           SELECT ${CHECK_COLUMNS} FROM sp_check c WHERE c.stream_id = s.id
           ORDER BY c.ts DESC, c.id DESC LIMIT 1) l ON true`,
      );
      const out = new Map<string, StoredState>();
      for (const r of rows as PgRow[]) {
        out.set(r.name as string, {
          state: r.state as StreamState,
          since: num(r.state_since ?? r.created_at),
          ...(r.kind ? { kind: r.kind as string } : {}),
          ...(r.ts !== null ? { last: toCheck({ ...r, state: r.check_state }) } : {}),
          failStreak: num(r.fail_streak),
        });
      }
      return out;
    },
    async uptime({ since }) {
      if (!Number.isFinite(since)) {
        throw new RangeError(`Cannot compute uptime: "since" is ${since}, not a time in ms`);
      }
      await read();
      // Whole hours before the first day boundary from the hour table, whole days after it;
      // the writer keeps the current hour and day rows current, so they count as far as they go.
      const firstHour = Math.floor(since / HOUR) * HOUR;
      const firstDay = Math.ceil(firstHour / DAY) * DAY;
      const rows = await sql.unsafe(
        `SELECT s.name,
           coalesce((SELECT sum(checks) FROM sp_rollup_hour
                     WHERE stream_id = s.id AND hour >= $1 AND hour < $2), 0)
           + coalesce((SELECT sum(checks) FROM sp_rollup_day WHERE stream_id = s.id AND day >= $2), 0)
             AS checks,
           coalesce((SELECT sum(ok) FROM sp_rollup_hour
                     WHERE stream_id = s.id AND hour >= $1 AND hour < $2), 0)
           + coalesce((SELECT sum(ok) FROM sp_rollup_day WHERE stream_id = s.id AND day >= $2), 0)
             AS ok
         FROM sp_stream s`,
        [firstHour, firstDay],
      );
      const out = new Map<string, Uptime>();
      for (const r of rows as PgRow[]) {
        const checks = num(r.checks);
        const ok = num(r.ok);
        out.set(r.name as string, { checks, ok, ratio: checks > 0 ? ok / checks : null });
      }
      return out;
    },
    async incidents(name, query = {}) {
      const [from, to, limit] = range(query);
      await read();
      const rows = await sql.unsafe(
        `SELECT ${INCIDENT_SELECT} FROM sp_incident i JOIN sp_stream s ON s.id = i.stream_id
         WHERE s.name = $1 AND i.started_at <= $2 AND (i.ended_at IS NULL OR i.ended_at >= $3)
         ORDER BY i.started_at DESC, i.id DESC LIMIT $4`,
        [name, to, from, limit],
      );
      const t = now();
      return rows.map((r) => toIncident(r, t));
    },
    async streamNames() {
      await read(); // queued registrations first
      const rows = await sql.unsafe("SELECT name FROM sp_stream");
      return rows.map((r) => r.name as string).sort();
    },
    async firstCheckAt(name) {
      await read();
      // The first raw check when it lies in the first rollup hour (not pruned), else that hour.
      const [r] = await sql.unsafe(
        `SELECT coalesce((SELECT min(ts) FROM sp_check WHERE stream_id = f.id AND ts < f.h + ${HOUR}),
                         f.h) AS t
         FROM (SELECT s.id, (SELECT min(hour) FROM sp_rollup_hour WHERE stream_id = s.id) AS h
               FROM sp_stream s WHERE s.name = $1) f`,
        [name],
      );
      return r && r.t !== null ? num(r.t) : undefined;
    },
  };
}
