/** Small formatting helpers shared by server-rendered pages and islands (pure, no DOM). */

/** "35 ms", "1.2 s" or "–". */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A duration as "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "12 s ago", or "never" for null. */
export function formatAgo(ts: number | null, now: number): string {
  if (ts === null) return "never";
  return `${formatDuration(now - ts)} ago`;
}

/** "99.95 %", "100 %" or "–". */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return "–";
  if (r >= 1) return "100 %";
  return `${(Math.floor(r * 10000) / 100).toFixed(2)} %`;
}

/** An ISO-8601 UTC string for `<time datetime>`, or undefined. */
export function isoOf(ts: number | null): string | undefined {
  return ts === null ? undefined : new Date(ts).toISOString();
}

/** Formatters by time zone, built once (Intl formatters are costly to create). */
const clocks = new Map<string, Intl.DateTimeFormat>();

/**
 * `ts` as "03:12" in the time zone `tz` (the configured one), or "2024-05-01 03:12" when it is
 * not on the same day as `now` there. An unknown zone falls back to UTC.
 */
export function formatClock(ts: number, tz: string, now: number): string {
  let f = clocks.get(tz);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    };
    try {
      f = new Intl.DateTimeFormat("en-CA", { ...opts, timeZone: tz || "UTC" });
    } catch {
      f = new Intl.DateTimeFormat("en-CA", { ...opts, timeZone: "UTC" });
    }
    clocks.set(tz, f);
  }
  const parts = (t: number) => {
    const o = Object.fromEntries(f!.formatToParts(t).map((p) => [p.type, p.value]));
    return { day: `${o.year}-${o.month}-${o.day}`, time: `${o.hour}:${o.minute}` };
  };
  const at = parts(ts);
  return at.day === parts(now).day ? at.time : `${at.day} ${at.time}`;
}
