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

const RANGES = ["1h", "24h", "7d", "30d"];

function color(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Status strip: one rect per point, coloured by its share of passed checks. */
function Timeline({ s }: { s: Series }) {
  const span = Math.max(1, s.to - s.from);
  const w = 1000;
  const step = s.source === "hourly" ? 3_600_000 : span / Math.max(1, s.t.length);
  return (
    <svg
      class="timeline"
      viewBox={`0 0 ${w} 12`}
      preserveAspectRatio="none"
      role="img"
      aria-label="Status over time"
    >
      <rect class="tl-none" x={0} y={0} width={w} height={12} />
      {s.t.map((t, i) => {
        const x = ((t * 1000 - s.from) / span) * w;
        const ok = s.ok[i];
        const cls = ok >= 0.999 ? "tl-up" : ok <= 0.001 ? "tl-down" : "tl-part";
        return (
          <rect
            key={t}
            class={cls}
            x={x}
            y={0}
            width={Math.max(1, (step / span) * w)}
            height={12}
          />
        );
      })}
    </svg>
  );
}

/** Fetches the series of the chosen range and draws it. */
export function StreamChart({ name, range }: StreamChartProps) {
  const current = useSignal(range);
  const series = useSignal<Series | null>(null);
  const error = useSignal("");
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    const url = `/streams/${encodeURIComponent(name)}/series?range=${current.value}`;
    fetch(url, { signal: ctrl.signal })
      .then((r) => r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)))
      .then((s: Series) => (series.value = s, error.value = ""))
      .catch((e) => ctrl.signal.aborted || (error.value = `Cannot load the chart: ${e.message}`));
    return () => ctrl.abort();
  }, [current.value]);
  useEffect(() => {
    const s = series.value;
    const el = box.current;
    if (!s || !el) return;
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
    <section class="chart" aria-label="Latency and status history">
      <div class="ranges" role="group" aria-label="Range">
        {RANGES.map((r) => (
          <button
            key={r}
            type="button"
            aria-pressed={current.value === r}
            onClick={() => current.value = r}
          >
            {r}
          </button>
        ))}
      </div>
      <div ref={box} class="plot">
        {s ? null : <p class="muted">{error.value || "Loading chart…"}</p>}
      </div>
      {s && <Timeline s={s} />}
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
