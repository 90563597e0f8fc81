/** The stream page's state band: up / degraded / down / maintenance over the chart's range (SVG). */

import { formatDuration } from "../../islands/mod.ts";
import { localTime } from "../stream_summary.ts";

/** A band state; "none" is time before the stream's first check. */
export type BandState = "up" | "degraded" | "down" | "maintenance" | "none";

/** One stretch of the band, [from, to) in ms. */
export interface BandSegment {
  state: BandState;
  from: number;
  to: number;
}

/** What {@link bandSegments} reads. */
export interface BandInput {
  from: number;
  to: number;
  /** Incidents overlapping the range (an open one has `end` null: it lasts to `to`). */
  incidents: Array<{ state: "down" | "degraded"; start: number; end: number | null }>;
  /** Maintenance intervals (monitor/alerts `maintenanceIntervals`). */
  maintenance: Array<[number, number]>;
  /** The stream's first check (undefined: never checked, the whole band is "none"). */
  firstCheck: number | undefined;
}

/** Which state wins where several cover one moment: maintenance, then down, degraded, up. */
const RANK: Record<BandState, number> = { none: 0, up: 1, degraded: 2, down: 3, maintenance: 4 };

/**
 * Splits [from, to) into segments: "none" before the first check, "up" after it, incidents over
 * that, maintenance over everything (alerts are held then, so it is what people should see).
 * Adjacent segments of one state are merged; the result covers the range without gaps.
 */
export function bandSegments(b: BandInput): BandSegment[] {
  if (!(b.to > b.from)) return [];
  const spans: BandSegment[] = [];
  const add = (state: BandState, s: number, e: number) => {
    const from = Math.max(b.from, s), to = Math.min(b.to, e);
    if (to > from) spans.push({ state, from, to });
  };
  add("up", b.firstCheck ?? b.to, b.to);
  for (const i of b.incidents) add(i.state, i.start, i.end ?? b.to);
  for (const [s, e] of b.maintenance) add("maintenance", s, e);
  const cuts = [...new Set([b.from, b.to, ...spans.flatMap((x) => [x.from, x.to])])]
    .sort((x, y) => x - y);
  const out: BandSegment[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [from, to] = [cuts[k], cuts[k + 1]];
    let state: BandState = "none";
    for (const x of spans) {
      if (x.from <= from && x.to >= to && RANK[x.state] > RANK[state]) state = x.state;
    }
    const prev = out[out.length - 1];
    if (prev && prev.state === state) prev.to = to;
    else out.push({ state, from, to });
  }
  return out;
}

/** Total time per state, for the band's text equivalent. */
export function bandTotals(segs: BandSegment[]): Partial<Record<BandState, number>> {
  const t: Partial<Record<BandState, number>> = {};
  for (const s of segs) t[s.state] = (t[s.state] ?? 0) + s.to - s.from;
  return t;
}

const NAMES: Record<BandState, string> = {
  up: "Up",
  degraded: "Degraded",
  down: "Down",
  maintenance: "Maintenance",
  none: "Not checked",
};

/** The band as an SVG strip with a legend; every segment has a title with its times. */
export function StateBand(
  p: { segments: BandSegment[]; from: number; to: number; timeZone: string; rangeLabel: string },
) {
  const span = Math.max(1, p.to - p.from);
  const W = 1000;
  const totals = bandTotals(p.segments);
  const summary = (Object.keys(NAMES) as BandState[])
    .filter((s) => totals[s])
    .map((s) => `${NAMES[s]} ${formatDuration(totals[s]!)}`)
    .join(", ");
  return (
    <figure class="stream-band">
      <svg
        viewBox={`0 0 ${W} 20`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`State over the last ${p.rangeLabel}: ${summary || "no data"}`}
      >
        {p.segments.map((s) => (
          <rect
            key={s.from}
            class={`stream-band-${s.state}`}
            data-state={s.state}
            x={((s.from - p.from) / span) * W}
            y={0}
            width={Math.max(1, ((s.to - s.from) / span) * W)}
            height={20}
          >
            <title>
              {`${NAMES[s.state]} ${localTime(s.from, p.timeZone)} – ${
                localTime(s.to, p.timeZone)
              } (${formatDuration(s.to - s.from)})`}
            </title>
          </rect>
        ))}
      </svg>
      <figcaption>
        <span class="stream-band-ends">
          <span>{localTime(p.from, p.timeZone)}</span>
          <span>{localTime(p.to, p.timeZone)}</span>
        </span>
        <span class="stream-band-legend">
          {(["up", "degraded", "down", "maintenance"] as BandState[]).map((s) => (
            <span key={s}>
              <i class={`stream-band-key stream-band-${s}`} aria-hidden="true" />
              {NAMES[s]}
              {totals[s] ? ` ${formatDuration(totals[s]!)}` : ""}
            </span>
          ))}
        </span>
      </figcaption>
    </figure>
  );
}
