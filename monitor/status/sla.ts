/** Pure time-weighted availability of a stream over a window, from its incidents. */

/** A period a stream spent down or degraded (the store's incidents have this shape). */
export interface StatePeriod {
  state: "down" | "degraded";
  /** Start, ms since the epoch. */
  start: number;
  /** End, ms since the epoch, or null while it lasts. */
  end: number | null;
}

/** A time window, ms since the epoch; `from` inclusive, `to` exclusive. */
export interface SlaWindow {
  from: number;
  to: number;
}

/** Availability figures of one stream (or of several, see {@link overallSla}). */
export interface SlaFigures {
  /** Observed time the stream was reachable: up plus degraded. */
  availableMs: number;
  /** Observed time the stream was down. */
  downMs: number;
  /** Observed time the stream was degraded (already counted in `availableMs`). */
  degradedMs: number;
  /** Time that counts at all: `availableMs + downMs` (maintenance left out). */
  observedMs: number;
  /** Time inside maintenance windows after the first check: reported apart, never down. */
  maintenanceMs: number;
  /** `availableMs / observedMs` ("reachable"), or null when nothing was observed. */
  ratio: number | null;
  /** `(availableMs − degradedMs) / observedMs` ("picture OK"), or null when nothing was observed. */
  pictureOkRatio: number | null;
}

/** What {@link availability} knows of a stream besides the window. */
export interface AvailabilityInput {
  /** The stream's first check (ms since the epoch); undefined when it was never checked. */
  firstCheck: number | undefined;
  /** Its down and degraded periods overlapping the window (all of them since `firstCheck`). */
  periods: readonly StatePeriod[];
  /** Maintenance windows of the stream, `[start, end)` ms (any order, may overlap). */
  maintenance?: readonly (readonly [number, number])[];
  /**
   * Its first passed check before its first period: a number when known, null when it had none
   * (never up before that period, or never up at all), undefined when not looked up (the time
   * between the first check and the first period then counts as up).
   */
  firstUp?: number | null;
  /** Time from here on is not observed (a disabled stream: its last check plus one interval). */
  observedUntil?: number;
}

/**
 * Splits the window into available, degraded and down time. Availability is time-weighted from
 * the state periods, never a count of checks: a 6 h outage weighs 6 h however often it was
 * checked. Unknown time (before the stream's first check) is left out entirely, so a stream added
 * 10 days into a 30-day window is judged on those 10 days.
 *
 * | time inside [from, to)                              | observed | available | reported as      |
 * |-----------------------------------------------------|----------|-----------|------------------|
 * | before `firstCheck` (or no `firstCheck` at all)     | no       | —         | left out         |
 * | from `observedUntil` on (a disabled stream)         | no       | —         | left out         |
 * | first check → first passed check (`firstUp` a time) | no       | —         | left out         |
 * | first check → first period, never up (`firstUp` null) | yes    | as that period | its state   |
 * | never up and no period at all (`firstUp` null)      | yes      | no        | `downMs`         |
 * | inside a `down` period                              | yes      | no        | `downMs`         |
 * | inside a `degraded` period (not down)               | yes      | yes       | `degradedMs`     |
 * | inside a maintenance window (after `firstCheck`)    | no       | —         | `maintenanceMs`  |
 * | any other time after `firstCheck`                   | yes      | yes       | up               |
 *
 * So a stream checked but never up is 0 over its observed time, and a stream never checked has
 * a null ratio. Maintenance wins over every state: an outage during a planned window is not
 * counted as down, and the window's time is not counted as available either (it is not observed
 * service). An open period (`end` null) lasts until `to`. Periods are clipped to the observed
 * part of the window. Overlapping periods (the store never writes them) count once: down wins
 * over degraded.
 */
export function availability(window: SlaWindow, opts: AvailabilityInput): SlaFigures {
  if (opts.firstCheck === undefined) return figures(0, 0, 0);
  const to = Math.min(window.to, opts.observedUntil ?? Infinity);
  let from = Math.max(window.from, opts.firstCheck);
  let periods = opts.periods;
  if (opts.firstUp !== undefined) {
    const first = periods.reduce<StatePeriod | undefined>(
      (a, p) => (a === undefined || p.start < a.start ? p : a),
      undefined,
    );
    if (opts.firstUp === null) {
      // Never up before its first period: that state held from the first check.
      const lead = {
        state: first?.state ?? "down",
        start: opts.firstCheck,
        end: first?.start ?? null,
      };
      periods = [...periods, lead];
    } else if (first === undefined || opts.firstUp < first.start) {
      from = Math.max(from, opts.firstUp);
    }
  }
  if (!(to > from)) return figures(0, 0, 0);
  const planned = union(
    (opts.maintenance ?? []).map(([start, end]) => ({ state: "down" as const, start, end })),
    from,
    to,
  );
  const down = union(periods.filter((p) => p.state === "down"), from, to);
  const degraded = union(periods.filter((p) => p.state === "degraded"), from, to);
  const maintenanceMs = total(planned);
  const downMs = total(down) - overlap(down, planned);
  const degradedMs = total(degraded) - overlap(degraded, down) - overlap(degraded, planned) +
    tripleOverlap(degraded, down, planned);
  return figures(to - from - maintenanceMs - downMs, downMs, degradedMs, maintenanceMs);
}

/**
 * Aggregates streams: the sum of available time over the sum of observed time, so a stream
 * observed for 2 days weighs less than one observed for 30 (not a mean of ratios).
 */
export function overallSla(streams: Iterable<SlaFigures>): SlaFigures {
  let available = 0;
  let down = 0;
  let degraded = 0;
  let maintenance = 0;
  for (const s of streams) {
    available += s.availableMs;
    down += s.downMs;
    degraded += s.degradedMs;
    maintenance += s.maintenanceMs;
  }
  return figures(available, down, degraded, maintenance);
}

function figures(
  availableMs: number,
  downMs: number,
  degradedMs: number,
  maintenanceMs = 0,
): SlaFigures {
  const observedMs = availableMs + downMs;
  return {
    availableMs,
    downMs,
    degradedMs,
    observedMs,
    maintenanceMs,
    ratio: observedMs > 0 ? availableMs / observedMs : null,
    pictureOkRatio: observedMs > 0 ? (availableMs - degradedMs) / observedMs : null,
  };
}

type Span = [number, number];

/** Periods clipped to [from, to), sorted and merged into disjoint spans. */
function union(periods: readonly StatePeriod[], from: number, to: number): Span[] {
  const spans = periods
    .map((p): Span => [Math.max(p.start, from), Math.min(p.end ?? to, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

const total = (spans: Span[]) => spans.reduce((n, [a, b]) => n + (b - a), 0);

/** Length of the part common to three sets of disjoint sorted spans. */
function tripleOverlap(xs: Span[], ys: Span[], zs: Span[]): number {
  return overlap(intersect(xs, ys), zs);
}

/** The intersection of two sets of disjoint sorted spans, itself disjoint and sorted. */
function intersect(xs: Span[], ys: Span[]): Span[] {
  const out: Span[] = [];
  for (const [a, b] of xs) {
    for (const [c, d] of ys) {
      const lo = Math.max(a, c);
      const hi = Math.min(b, d);
      if (hi > lo) out.push([lo, hi]);
    }
  }
  return out.sort((p, q) => p[0] - q[0]);
}

/** Length of the intersection of two sets of disjoint sorted spans. */
function overlap(xs: Span[], ys: Span[]): number {
  let n = 0;
  let j = 0;
  for (const [a, b] of xs) {
    while (j < ys.length && ys[j][1] <= a) j++;
    for (let k = j; k < ys.length && ys[k][0] < b; k++) {
      n += Math.min(b, ys[k][1]) - Math.max(a, ys[k][0]);
    }
  }
  return n;
}
