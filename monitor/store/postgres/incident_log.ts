/** The PostgreSQL store's incident log: incidents of every stream by time, filtered and paged. */

import { INCIDENT_SELECT, type PgSql, range, toIncident } from "./read_rows.ts";
import type { AsyncStoreQueries } from "./types.ts";

/** The largest `offset` allIncidents() accepts (as SQLite's MAX_INCIDENT_OFFSET). */
export const MAX_INCIDENT_OFFSET = 100_000;

/** Names accepted in one `names` filter (more is a caller's bug, not a log request). */
const MAX_NAMES = 10_000;

/**
 * allIncidents() with SQLite's checks and results. The three OR terms each match one index range
 * (start in the window; begun before it and ended inside or after it; begun before and still
 * open), so only the incidents overlapping the window are read; names are matched with
 * `= ANY($n)` on sp_stream.name (unknown names match nothing).
 */
export function createPgIncidentLog(
  sql: PgSql,
  deps: { now: () => number; read: () => Promise<void> },
): Pick<AsyncStoreQueries, "allIncidents"> {
  return {
    async allIncidents(q = {}) {
      const [from, to, limit] = range(q);
      const offset = q.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_INCIDENT_OFFSET) {
        throw new RangeError(
          `Cannot read the incident log: "offset" is ${offset}, not a whole number from 0 to ${MAX_INCIDENT_OFFSET}`,
        );
      }
      if (q.state !== undefined && q.state !== "down" && q.state !== "degraded") {
        throw new RangeError(
          `Cannot read the incident log: "state" is "${
            String(q.state).slice(0, 40)
          }", not down or degraded`,
        );
      }
      if (q.names && q.names.length > MAX_NAMES) {
        throw new RangeError(
          `Cannot read the incident log: ${q.names.length} names given, at most ${MAX_NAMES}`,
        );
      }
      if (q.names && q.names.length === 0) return [];
      await deps.read();
      const rows = await sql.unsafe(
        `SELECT ${INCIDENT_SELECT} FROM sp_incident i JOIN sp_stream s ON s.id = i.stream_id
         WHERE ((i.started_at >= $1 AND i.started_at <= $2)
                OR (i.started_at < $1 AND i.ended_at >= $1)
                OR (i.started_at < $1 AND i.ended_at IS NULL))
           AND ($3::text IS NULL OR i.state = $3::text)
           AND (NOT $4::boolean OR i.ended_at IS NULL)
           AND ($5::text[] IS NULL OR s.name = ANY($5::text[]))
         ORDER BY i.started_at DESC, i.id DESC LIMIT $6 OFFSET $7`,
        [from, to, q.state ?? null, q.open === true, q.names ?? null, limit, offset],
      );
      const t = deps.now();
      return rows.map((r) => toIncident(r, t));
    },
  };
}
