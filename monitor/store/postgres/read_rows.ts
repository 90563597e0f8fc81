/** What the PostgreSQL reads share: query bounds, BIGINT-as-string numbers, row mappers. */

import type { Sql } from "postgres";
import type { CheckRecord, StreamState } from "../../types.ts";
import type { Incident } from "../types.ts";

/** A row as postgres.js returns it (BIGINT and sums as strings, JSONB parsed). */
export type PgRow = Record<string, unknown>;

/** The connection every read part takes (any row type). */
// deno-lint-ignore no-explicit-any
export type PgSql = Sql<any>;

/** A BIGINT (or count/sum) column as a number. */
export const num = (v: unknown): number => Number(v);
/** Same, keeping null. */
export const numOrNull = (v: unknown): number | null => (v === null ? null : Number(v));

/** Maps an sp_check row; a NULL latency reads back as NaN, as in SQLite. */
export function toCheck(r: PgRow): CheckRecord {
  const d = r.details;
  const details = d !== null && typeof d === "object"
    ? d as Record<string, unknown>
    : { unreadable: String(d) };
  return {
    ts: num(r.ts),
    ok: r.ok === true,
    state: r.state as StreamState,
    latencyMs: r.latency_ms === null ? NaN : Number(r.latency_ms),
    message: r.message as string,
    details,
  };
}

/** The sp_incident columns {@link toIncident} reads, with the stream's name, for aliases i and s. */
export const INCIDENT_SELECT =
  "i.id, i.state, i.started_at, i.ended_at, i.cause, i.end_cause, i.ack_at, i.ack_note, " +
  "s.name AS stream_name";

/** Maps an sp_incident row (with stream_name); an open incident lasts until `now`. */
export function toIncident(r: PgRow, now: number): Incident {
  const start = num(r.started_at);
  const end = numOrNull(r.ended_at);
  return {
    id: num(r.id),
    name: r.stream_name as string,
    state: r.state as "down" | "degraded",
    start,
    end,
    durationMs: (end ?? now) - start,
    cause: r.cause as string,
    endCause: r.end_cause as string | null,
    ack: r.ack_at === null ? null : { ts: num(r.ack_at), note: r.ack_note as string },
  };
}
