/** Formats instants as ISO-8601 with the UTC offset of an IANA time zone (the legacy API's `ts`). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA name this runtime knows (e.g. "Asia/Calcutta", "UTC"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** UTC offsets in minutes by `zone|15-minute bucket`; bounded, cleared when it grows too big. */
const offsets = new Map<string, number>();
const BUCKET_MS = 15 * 60_000;

/**
 * The zone's UTC offset in minutes at `ms`. Every zone's offset is a multiple of 15 minutes and
 * changes at a local whole hour, so transitions fall on 15-minute UTC boundaries: one
 * `formatToParts` per zone and quarter hour is enough (it is the costly part).
 */
function offsetMinutes(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  let off = offsets.get(key);
  if (off === undefined) {
    const at = bucket * BUCKET_MS;
    const parts: Record<string, string> = {};
    for (const p of formatterFor(timeZone).formatToParts(at)) parts[p.type] = p.value;
    const local = Date.UTC(
      +parts.year,
      +parts.month - 1,
      +parts.day,
      +parts.hour,
      +parts.minute,
      +parts.second,
    );
    off = Math.round((local - at) / 60000);
    if (offsets.size > 10_000) offsets.clear();
    offsets.set(key, off);
  }
  return off;
}

/**
 * Formats `ms` (since the epoch) as `2025-11-01T12:00:20+05:30` in `timeZone`: whole seconds,
 * for text people read (alert messages, forms). UTC is written with `+00:00`, as the Python
 * project's `datetime.isoformat()` did. The API's JSON uses {@link formatInZoneMs}.
 */
export function formatInZone(ms: number, timeZone: string): string {
  return zoned(ms, timeZone, 19);
}

/**
 * Formats `ms` as `2026-12-01T13:05:00.123+01:00` in `timeZone`: always three fraction digits,
 * so two checks within one second keep distinct times. The status API writes every time this
 * way, the legacy Python fields (`ts`) too: ISO-8601 with a fraction is what Python's
 * `datetime.fromisoformat()` (3.7+), JavaScript's `Date.parse` and StreamPulse's legacy
 * importer read, and the Python release's own `isoformat()` wrote fractions whenever it had them.
 */
export function formatInZoneMs(ms: number, timeZone: string): string {
  return zoned(ms, timeZone, 23);
}

/** Local time in `timeZone` cut to `len` characters of the ISO form, then the offset. */
function zoned(ms: number, timeZone: string, len: 19 | 23): string {
  const off = offsetMinutes(ms, timeZone);
  const whole = len === 19 ? Math.floor(ms / 1000) * 1000 : Math.floor(ms);
  const local = new Date(whole + off * 60000).toISOString().slice(0, len);
  const abs = Math.abs(off);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${off < 0 ? "-" : "+"}${hh}:${mm}`;
}

/** A zone offset whose `+` a query string turned into a space: `…T10:00:00 05:30`. */
const SPACED_OFFSET = /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?) (\d\d(?::?\d\d)?)$/;

/**
 * Parses a time from a query string: epoch milliseconds (digits only) or ISO-8601 with an
 * offset or `Z`. An unencoded `+` arrives decoded as a space (`from=2026-12-01T10:00:00+05:30`
 * reads `2026-12-01T10:00:00 05:30`): a space before a trailing offset is read as `+`, since a
 * `-` offset survives the decoding unchanged. NaN when it is neither (callers name the field).
 */
export function parseQueryTime(value: string): number {
  if (value.length > 64) return NaN; // bounded before any regex sees it
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const spaced = SPACED_OFFSET.exec(v);
  return Date.parse(spaced ? `${spaced[1]}+${spaced[2]}` : v);
}
