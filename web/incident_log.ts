/** The global incident log's pure parts: filters from a query string, the store query, CSV. */

import { formatInZone, parseQueryTime, type StreamConfig } from "../monitor/mod.ts";
import type { Incident, Store } from "../monitor/store/mod.ts";
import { csvCell } from "./csv.ts";

/** The slice of the store the incident log reads. */
export type IncidentLogStore = Pick<Store, "allIncidents">;

/** The store query allIncidents() takes. */
export type IncidentStoreQuery = NonNullable<Parameters<Store["allIncidents"]>[0]>;

/** Preset windows of the log, ending now; `24h` is the default. */
export const RANGES: Record<string, number> = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
};

/** The log's filters as the URL carries them (empty fields omitted). */
export interface IncidentFilter {
  /** One of {@link RANGES}, unless `from` is given. */
  range: string;
  /** Window start, ms; from `from=` or now − range. */
  from: number;
  /** Window end, ms; undefined: now. */
  to?: number;
  /** True when `from`/`to` came from the URL (they then win over the preset). */
  custom: boolean;
  /** `from` and `to` as the URL gave them, for links (absent when not given). */
  fromText?: string;
  toText?: string;
  state?: "down" | "degraded";
  stream?: string;
  tag?: string;
  site?: string;
  /** Only incidents still lasting. */
  open: boolean;
}

/** A filter value that is not accepted, with the field it came from. */
export class FilterError extends Error {
  /** The query field at fault. */
  readonly field: string;
  /** `message` names the value and what is expected. */
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

const clip = (v: string) => v.slice(0, 40);

/** A date-time input's value without an offset: `2026-12-01T03:00` (seconds optional). */
const LOCAL = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?$/;

/** The offset of `timeZone` at `ms`, in ms (read from formatInZone's `+01:00`). */
function offsetMs(ms: number, timeZone: string): number {
  const o = formatInZone(ms, timeZone).slice(19);
  const sign = o[0] === "-" ? -1 : 1;
  return sign * (Number(o.slice(1, 3)) * 60 + Number(o.slice(4, 6))) * 60_000;
}

/**
 * Reads a wall-clock time without an offset (what `<input type="datetime-local">` sends) in
 * `timeZone`: the offset is taken at the guess and once more at the result, so times beside a
 * DST change land right; NaN when it is not such a time.
 */
export function parseLocalTime(value: string, timeZone: string): number {
  const m = LOCAL.exec(value);
  if (!m) return NaN;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  if (!Number.isFinite(wall)) return NaN;
  const guess = wall - offsetMs(wall, timeZone);
  return wall - offsetMs(guess, timeZone);
}

/** `ms` as a datetime-local input value in `timeZone` (`2026-12-01T03:00`). */
export function toLocalInput(ms: number, timeZone: string): string {
  return formatInZone(ms, timeZone).slice(0, 16);
}

function time(
  query: Record<string, string>,
  field: "from" | "to",
  timeZone: string,
): number | undefined {
  const v = (query[field] ?? "").trim();
  if (v === "") return undefined;
  const ms = v.length <= 19 && LOCAL.test(v) ? parseLocalTime(v, timeZone) : parseQueryTime(v);
  // Beyond ±8.64e15 ms a Date is invalid: formatting such a bound would throw later.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new FilterError(
      field,
      `Invalid "${field}": expected a date and time, ISO-8601 or epoch milliseconds, got "${
        clip(v)
      }"`,
    );
  }
  return ms;
}

/** A text filter, trimmed and bounded (200 chars); undefined when empty. */
function text(query: Record<string, string>, field: string): string | undefined {
  const v = (query[field] ?? "").trim();
  if (v.length > 200) throw new FilterError(field, `Invalid "${field}": over 200 characters`);
  return v || undefined;
}

/**
 * Reads the filters of `/incidents`, `/incidents.csv` and `/api/incidents` from a query:
 * `range` (24h, 7d, 30d, 90d) or `from`/`to` (ISO-8601 or epoch ms, or a wall-clock
 * `2026-12-01T03:00` in `timeZone`), `state` (down, degraded), `stream`, `tag`, `site`, `open`
 * (1/true/on). Throws {@link FilterError} naming the field.
 */
export function parseIncidentFilter(
  query: Record<string, string>,
  now: number,
  timeZone = "UTC",
): IncidentFilter {
  const range = query.range || "24h";
  if (!(range in RANGES)) {
    throw new FilterError(
      "range",
      `Invalid "range": expected one of ${Object.keys(RANGES).join(", ")}, got "${clip(range)}"`,
    );
  }
  const state = query.state || undefined;
  if (state !== undefined && state !== "down" && state !== "degraded") {
    throw new FilterError(
      "state",
      `Invalid "state": expected down or degraded, got "${clip(state)}"`,
    );
  }
  const from = time(query, "from", timeZone);
  const to = time(query, "to", timeZone);
  if (from !== undefined && to !== undefined && from > to) {
    throw new FilterError("from", `Invalid range: "from" is after "to"`);
  }
  return {
    range,
    from: from ?? (to ?? now) - RANGES[range],
    ...(to !== undefined ? { to } : {}),
    custom: from !== undefined || to !== undefined,
    ...(from !== undefined ? { fromText: query.from.trim() } : {}),
    ...(to !== undefined ? { toText: query.to.trim() } : {}),
    ...(state ? { state } : {}),
    ...(text(query, "stream") ? { stream: text(query, "stream") } : {}),
    ...(text(query, "tag") ? { tag: text(query, "tag") } : {}),
    ...(text(query, "site") ? { site: text(query, "site") } : {}),
    open: ["1", "true", "on"].includes(query.open ?? ""),
  };
}

/**
 * The store query of a filter: `tag` and `site` pick the configured streams carrying them (a
 * stream removed from config.yaml keeps its incidents, found without those filters or by name).
 */
export function storeQuery(
  f: IncidentFilter,
  streams: Pick<StreamConfig, "name" | "tags" | "site">[],
  page: { limit: number; offset?: number },
): IncidentStoreQuery {
  let names: string[] | undefined = f.stream ? [f.stream] : undefined;
  if (f.tag || f.site) {
    const picked = streams.filter((s) =>
      (!f.tag || s.tags.includes(f.tag)) && (!f.site || s.site === f.site)
    ).map((s) => s.name);
    names = names ? names.filter((n) => picked.includes(n)) : picked;
  }
  return {
    from: f.from,
    ...(f.to !== undefined ? { to: f.to } : {}),
    ...(f.state ? { state: f.state } : {}),
    ...(names ? { names } : {}),
    ...(f.open ? { open: true } : {}),
    limit: page.limit,
    ...(page.offset ? { offset: page.offset } : {}),
  };
}

/** The filter as query parameters (for links to the CSV, the API and other pages). */
export function filterParams(f: IncidentFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (f.fromText !== undefined) p.set("from", f.fromText);
  if (f.toText !== undefined) p.set("to", f.toText);
  if (f.fromText === undefined && f.range !== "24h") p.set("range", f.range);
  for (const k of ["state", "stream", "tag", "site"] as const) if (f[k]) p.set(k, f[k]!);
  if (f.open) p.set("open", "1");
  return p;
}

/** The incident CSV's header columns. */
export const INCIDENT_CSV_COLUMNS = [
  "id",
  "stream",
  "state",
  "start",
  "end",
  "duration_seconds",
  "cause",
  "end_cause",
  "ack_time",
  "ack_note",
];

/** One CSV line (CRLF-terminated) of an incident, times in `timeZone`, cells formula-safe. */
export function incidentCsvLine(i: Incident, timeZone: string): string {
  return [
    csvCell(i.id),
    csvCell(i.name),
    csvCell(i.state),
    csvCell(formatInZone(i.start, timeZone)),
    csvCell(i.end === null ? null : formatInZone(i.end, timeZone)),
    csvCell(Math.round(i.durationMs / 1000)),
    csvCell(i.cause),
    csvCell(i.endCause),
    csvCell(i.ack ? formatInZone(i.ack.ts, timeZone) : null),
    csvCell(i.ack ? i.ack.note : null),
  ].join(",") + "\r\n";
}

/** The whole CSV file of a list of incidents (bounded by the store's 10,000-row limit). */
export function incidentCsv(list: Incident[], timeZone: string): string {
  return INCIDENT_CSV_COLUMNS.join(",") + "\r\n" +
    list.map((i) => incidentCsvLine(i, timeZone)).join("");
}
