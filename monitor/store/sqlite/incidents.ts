/** The SQLite store's incident log: incidents of every stream by time, filtered and paged. */

import type { SyncStore } from "../types.ts";
import type { Row, SqliteContext } from "./context.ts";
import { incidentLogQuery } from "../query.ts";
import { INCIDENT_COLUMNS, toIncident } from "./queries.ts";

/**
 * Prepares the incident log's statement and returns allIncidents(). The three OR terms each
 * match one index range (start in the window; begun before it and ended inside or after it;
 * begun before it and still open), so SQLite reads only the incidents that overlap the window,
 * then sorts those (at most `limit` + `offset` kept). The `+` in ORDER BY stops the planner from
 * walking the whole start index in order instead (its choice on a table without statistics);
 * `beforeRead` writes queued state changes first.
 */
export function createIncidentLog(
  ctx: SqliteContext,
  beforeRead: () => void,
): Pick<SyncStore, "allIncidents"> {
  const cols = INCIDENT_COLUMNS.split(", ").map((c) => `i.${c}`).join(", ");
  const log = ctx.db.prepare(
    `SELECT ${cols}, s.name AS stream_name FROM sp_incident i JOIN sp_stream s ON s.id = i.stream_id
     WHERE ((i.started_at >= ?1 AND i.started_at <= ?2)
            OR (i.started_at < ?1 AND i.ended_at >= ?1)
            OR (i.started_at < ?1 AND i.ended_at IS NULL))
       AND (?3 IS NULL OR i.state = ?3)
       AND (?4 = 0 OR i.ended_at IS NULL)
       AND (?5 IS NULL OR i.stream_id IN (SELECT value FROM json_each(?5)))
     ORDER BY +i.started_at DESC, i.id DESC LIMIT ?6 OFFSET ?7`,
  );
  return {
    allIncidents(q = {}) {
      ctx.assertOpen("read the incident log");
      const { from, to, limit, offset } = incidentLogQuery(q);
      beforeRead();
      let ids: string | null = null;
      if (q.names) {
        const known = q.names.map((n) => ctx.streams.id(n)).filter((id) => id !== undefined);
        if (known.length === 0) return [];
        ids = JSON.stringify(known);
      }
      const t = ctx.now();
      const rows = log.all(from, to, q.state ?? null, q.open ? 1 : 0, ids, limit, offset) as Row[];
      return rows.map((r) => toIncident(r, r.stream_name as string, t));
    },
  };
}
