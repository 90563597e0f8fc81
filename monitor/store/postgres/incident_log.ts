/** The PostgreSQL store's incident log: incidents of every stream by time, filtered and paged. */

import { incidentLogQuery } from "../query.ts";
import { INCIDENT_SELECT, type PgSql, toIncident } from "./read_rows.ts";
import type { AsyncStoreQueries } from "./types.ts";

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
      const { from, to, limit, offset } = incidentLogQuery(q);
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
