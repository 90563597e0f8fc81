/** The query arguments every backend checks alike: time windows, row limits, the incident log's filters. */

import { clipText } from "../redact.ts";
import type { RangeQuery } from "./types.ts";

/** The largest `offset` allIncidents() accepts: deeper pages should narrow the window instead. */
export const MAX_INCIDENT_OFFSET = 100_000;

/** Names accepted in one `names` filter (more is a caller's bug, not a log request). */
export const MAX_NAMES = 10_000;

/**
 * [from, to, limit] of a query: bounds checked (RangeError for one that is not a time), made
 * whole ms (timestamps are whole, so the rows matched stay the same; BIGINT comparisons need it),
 * limit defaulted to 100 and kept in 1…10,000.
 */
export function range(q: RangeQuery): [number, number, number] {
  for (const key of ["from", "to"] as const) {
    const v = q[key];
    if (v !== undefined && !Number.isFinite(v)) {
      throw new RangeError(`Cannot query: "${key}" is ${v}, not a time in ms`);
    }
  }
  const limit = q.limit === undefined || !Number.isFinite(q.limit) ? 100 : Math.floor(q.limit);
  return [
    q.from === undefined ? Number.MIN_SAFE_INTEGER : Math.ceil(q.from),
    q.to === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(q.to),
    Math.min(10_000, Math.max(1, limit)),
  ];
}

/** What allIncidents() takes besides the window (Store declares it). */
export interface IncidentFilter {
  state?: "down" | "degraded";
  names?: string[];
  open?: boolean;
  offset?: number;
}

/**
 * The incident log's arguments checked: the window and limit as {@link range}, `offset` a whole
 * number up to {@link MAX_INCIDENT_OFFSET}, `state` down or degraded, at most {@link MAX_NAMES}
 * names. Throws RangeError naming the argument.
 */
export function incidentLogQuery(
  q: RangeQuery & IncidentFilter,
): { from: number; to: number; limit: number; offset: number } {
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
  return { from, to, limit, offset };
}

/** The longest note an acknowledgement or a mute keeps. */
export const MAX_NOTE = 1_000;

/** Throws RangeError unless `v` (argument `name` of the call `what`) is a finite number. */
export function finite(what: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`Cannot ${what}: "${name}" is ${v}, not a number`);
}

/** The note of an acknowledgement or mute, clipped; RangeError beyond {@link MAX_NOTE} characters. */
export function validNote(what: string, note: string): string {
  if (note.length > MAX_NOTE) {
    throw new RangeError(`Cannot ${what}: the note has ${note.length} characters, at most 1000`);
  }
  return clipText(note, MAX_NOTE);
}
