/** The stream page's latency chart (uPlot, loaded on demand) and status timeline per range. */

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { formatLatency, formatRatio } from "./format.ts";

/** What `/streams/:name/series` returns. */
export interface Series {
  /** "raw" checks (1 h, 24 h) or "hourly" rollups (7 d, 30 d). */
  source: "raw" | "hourly";
  from: number;
  to: number;
  /** Times in seconds (uPlot's unit). */
  t: number[];
  /** Latency in ms per point (average for rollups); null for failed checks. */
  lat: Array<number | null>;
  /** Highest latency per hour (rollups only). */
  max?: Array<number | null>;
  /** Share of passed checks per point (0 or 1 for raw checks). */
  ok: number[];
}

/** Props: the stream and the initial range. */
export interface StreamChartProps {
  name: string;
  range: string;
}

/** A CSS custom property's value, or `fallback`. */
function color(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * Fetches the series of `range` and draws it; the range is chosen by the page's links
 * (`?range=`), so the server-rendered state band above always covers the same span.
 */
export function StreamChart({ name, range }: StreamChartProps) {
  const series = useSignal<Series | null>(null);
  const error = useSignal("");
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    const url = `/streams/${encodeURIComponent(name)}/series?range=${range}`;
    fetch(url, { signal: ctrl.signal })
      .then((r) => r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)))
      .then((s: Series) => (series.value = s, error.value = ""))
      .catch((e) => ctrl.signal.aborted || (error.value = `Cannot load the chart: ${e.message}`));
    return () => ctrl.abort();
  }, [range]);
  useEffect(() => {
    const s = series.value;
    const el = box.current;
    if (!s || !el || !s.lat.some((v) => v !== null)) return;
    let plot: { destroy(): void; setSize(o: { width: number; height: number }): void } | undefined;
    let gone = false;
    const size = () => ({ width: Math.max(280, el.clientWidth), height: 220 });
    const ro = new ResizeObserver(() => plot?.setSize(size()));
    import("uplot").then(({ default: UPlot }) => {
      if (gone) return;
      const fg = color("--muted", "#666");
      const axis = { stroke: fg, grid: { stroke: color("--line", "#ddd"), width: 1 } };
      const lines = [{}, {
        label: "Latency (ms)",
        stroke: color("--accent", "#2563eb"),
        width: 1.5,
        spanGaps: false,
      }];
      const data: Array<Array<number | null>> = [s.t, s.lat];
      if (s.max) {
        lines.push({ label: "Max (ms)", stroke: fg, width: 1, dash: [4, 4] } as never);
        data.push(s.max);
      }
      plot = new UPlot(
        { ...size(), series: lines, axes: [axis, axis], legend: { show: true } },
        data as never,
        el,
      );
      ro.observe(el);
    });
    return () => {
      gone = true;
      ro.disconnect();
      plot?.destroy();
    };
  }, [series.value]);
  const s = series.value;
  const lat = s?.lat.filter((v): v is number => v !== null) ?? [];
  const avg = lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : null;
  const ok = s && s.ok.length ? s.ok.reduce((a, b) => a + b, 0) / s.ok.length : null;
  return (
    <section class="chart" aria-label="Latency history">
      <div ref={box} class="plot">
        {s ? null : <p class="muted">{error.value || "Loading chart…"}</p>}
        {s && s.t.length > 0 && lat.length === 0 && (
          <p class="muted">No check passed in this range, so there is no latency to draw.</p>
        )}
      </div>
      {s && (
        <p class="muted">
          {s.t.length === 0
            ? "No checks in this range."
            : `Average ${formatLatency(avg)}, passed ${formatRatio(ok)} of checks (${
              s.source === "raw" ? "every check" : "hourly rollups"
            }).`}
        </p>
      )}
    </section>
  );
}
