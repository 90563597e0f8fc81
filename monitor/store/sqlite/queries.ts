/** The SQLite store's reads: history, incidents, uptime, restored states, first check, names. */

import type { CheckRecord, StreamState } from "../../types.ts";
import type { Incident, StoredState, StoreReads, SyncStore, Uptime } from "../types.ts";
import { range } from "../query.ts";
import type { Row, SqliteContext } from "./context.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;

function toCheck(r: Row): CheckRecord {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details as string);
  } catch {
    details = { unreadable: String(r.details) };
  }
  return {
    ts: r.ts as number,
    ok: r.ok === 1,
    state: r.state as StreamState,
    latencyMs: r.latency_ms === null ? NaN : (r.latency_ms as number),
    message: r.message as string,
    details,
  };
}

/** The sp_incident columns {@link toIncident} reads, for every query that returns incidents. */
export const INCIDENT_COLUMNS =
  "id, state, started_at, ended_at, cause, end_cause, ack_at, ack_note";

/** Maps an sp_incident row of stream `name`; an open incident lasts until `now`. */
export function toIncident(r: Row, name: string, now: number): Incident {
  return {
    id: r.id as number,
    name,
    state: r.state as "down" | "degraded",
    start: r.started_at as number,
    end: r.ended_at as number | null,
    durationMs: ((r.ended_at ?? now) as number) - (r.started_at as number),
    cause: r.cause as string,
    endCause: r.end_cause as string | null,
    ack: r.ack_at === null ? null : { ts: r.ack_at as number, note: r.ack_note as string },
  };
}

/**
 * Prepares the read statements and returns the reads. `beforeRead` writes queued checks first
 * (the queue skips it while writes fail, so reads then serve what is on disk).
 */
export function createQueries(
  ctx: SqliteContext,
  beforeRead: () => void,
): Pick<SyncStore, keyof StoreReads> {
  const { db, streams } = ctx;
  const p = (sql: string) => db.prepare(sql);
  const history = p(
    "SELECT ts, ok, state, latency_ms, message, details FROM sp_check " +
      "WHERE stream_id = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?",
  );
  const lastCheck = p(
    "SELECT ts, ok, state, latency_ms, message, details FROM sp_check " +
      "WHERE stream_id = ? ORDER BY ts DESC, id DESC LIMIT 1",
  );
  const all = p(
    "SELECT id, name, kind, state, state_since, fail_streak, created_at FROM sp_stream",
  );
  // Whole hours before the first day boundary from the hour table, whole days after it.
  const uptime = p(
    `SELECT s.name,
       coalesce((SELECT sum(checks) FROM sp_rollup_hour
                 WHERE stream_id = s.id AND hour >= ?1 AND hour < ?2), 0)
       + coalesce((SELECT sum(checks) FROM sp_rollup_day WHERE stream_id = s.id AND day >= ?2), 0)
         AS checks,
       coalesce((SELECT sum(ok) FROM sp_rollup_hour
                 WHERE stream_id = s.id AND hour >= ?1 AND hour < ?2), 0)
       + coalesce((SELECT sum(ok) FROM sp_rollup_day WHERE stream_id = s.id AND day >= ?2), 0)
         AS ok
     FROM sp_stream s`,
  );
  const incidents = p(
    `SELECT ${INCIDENT_COLUMNS} FROM sp_incident ` +
      "WHERE stream_id = ? AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?) " +
      "ORDER BY started_at DESC, id DESC LIMIT ?",
  );
  // The first raw check when it lies in the first rollup hour (not pruned), else that hour.
  const firstCheck = p(
    "SELECT coalesce((SELECT min(ts) FROM sp_check WHERE stream_id = ?1 AND ts < h + 3600000), h) " +
      "AS t FROM (SELECT min(hour) AS h FROM sp_rollup_hour WHERE stream_id = ?1)",
  );
  const read = (what: string) => {
    ctx.assertOpen(what);
    beforeRead();
  };

  return {
    history(name, query = {}) {
      read("read history");
      const id = streams.id(name);
      if (id === undefined) return [];
      return (history.all(id, ...range(query)) as Row[]).map(toCheck);
    },
    lastStates() {
      read("read states");
      const out = new Map<string, StoredState>();
      for (const r of all.all() as Row[]) {
        const last = lastCheck.get(r.id as number) as Row | undefined;
        out.set(r.name as string, {
          state: r.state as StreamState,
          since: (r.state_since ?? r.created_at) as number,
          ...(r.kind ? { kind: r.kind as string } : {}),
          ...(last ? { last: toCheck(last) } : {}),
          failStreak: r.fail_streak as number,
        });
      }
      return out;
    },
    uptime({ since }) {
      ctx.assertOpen("read uptime");
      if (!Number.isFinite(since)) {
        throw new RangeError(`Cannot compute uptime: "since" is ${since}, not a time in ms`);
      }
      beforeRead();
      const firstHour = Math.floor(since / HOUR) * HOUR;
      const firstDay = Math.ceil(firstHour / DAY) * DAY;
      const out = new Map<string, Uptime>();
      for (const r of uptime.all(firstHour, firstDay) as Row[]) {
        const checks = r.checks as number;
        const ok = r.ok as number;
        out.set(r.name as string, { checks, ok, ratio: checks > 0 ? ok / checks : null });
      }
      return out;
    },
    incidents(name, query = {}) {
      read("read incidents");
      const id = streams.id(name);
      if (id === undefined) return [];
      const [from, to, limit] = range(query);
      const t = ctx.now();
      return (incidents.all(id, to, from, limit) as Row[]).map((r) => toIncident(r, name, t));
    },
    firstCheckAt(name) {
      read("read the first check");
      const id = streams.id(name);
      if (id === undefined) return undefined;
      return ((firstCheck.get(id) as Row).t as number | null) ?? undefined;
    },
    streamNames() {
      ctx.assertOpen("list streams");
      return streams.names();
    },
  };
}
