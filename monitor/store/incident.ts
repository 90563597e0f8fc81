/** The one JSON shape of an incident, shared by the status API and the stream page. */

import { formatInZone } from "../time.ts";
import type { Incident } from "./types.ts";

/** An incident as `GET /api/streams/:name/incidents` returns it. */
export interface IncidentEntry {
  /** "down" or "degraded". */
  state: Incident["state"];
  /** Start, ISO-8601 in the configured time zone. */
  start: string;
  /** End, ISO-8601 in the configured time zone, or null while it lasts. */
  end: string | null;
  /** Length in whole seconds (until `now` while it lasts). */
  duration_seconds: number;
  /** Why it began. */
  cause: string;
}

/**
 * Maps a stored incident to its JSON entry: times in `timeZone`, an open incident's length up to
 * `now` (the caller's clock, ms since the epoch).
 */
export function incidentEntry(
  i: Pick<Incident, "state" | "start" | "end" | "cause">,
  opts: { timeZone: string; now: number },
): IncidentEntry {
  return {
    state: i.state,
    start: formatInZone(i.start, opts.timeZone),
    end: i.end === null ? null : formatInZone(i.end, opts.timeZone),
    duration_seconds: Math.round(((i.end ?? opts.now) - i.start) / 1000),
    cause: i.cause,
  };
}
