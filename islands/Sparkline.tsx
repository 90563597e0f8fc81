/** A tiny SVG latency sparkline: lines for passed checks, red ticks for failed ones. */

const W = 100;
const H = 24;

/** Renders latencies (oldest first; null = failed check) as at most a few SVG nodes. */
export function Sparkline({ points }: { points: Array<number | null> }) {
  if (points.length === 0) return <span class="muted">–</span>;
  const max = Math.max(1, ...points.map((p) => p ?? 0));
  const step = points.length > 1 ? W / (points.length - 1) : 0;
  let line = "";
  let fails = "";
  let pen = "M";
  points.forEach((p, i) => {
    const x = (i * step).toFixed(1);
    if (p === null) {
      fails += `M${x} ${H - 6}v6`;
      pen = "M";
    } else {
      line += `${pen}${x} ${(H - 2 - (p / max) * (H - 4)).toFixed(1)}`;
      pen = "L";
    }
  });
  return (
    <svg class="spark" viewBox={`-2 0 ${W + 4} ${H}`} width={W} height={H} aria-hidden="true">
      {line && <path class="spark-line" d={line} />}
      {fails && <path class="spark-fail" d={fails} />}
    </svg>
  );
}
