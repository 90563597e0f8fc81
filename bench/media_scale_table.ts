/** The media scale bench's table: native and ffprobe-pair figures beside issue 11's targets. */

import { quantile } from "./proc.ts";
import type { MediaRunFigures } from "./media_scale_run.ts";
import type { PairFigures } from "./media_pair_harness.ts";

/** Targets at N = 1,000 (issue 11). */
export const TARGET = { onTime: 0.99, cores: 1, rssMb: 300, ratio: 20 };

type Run = MediaRunFigures | PairFigures;

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "n/a");
const mark = (ok: boolean) => (ok ? "PASS" : "MISS");
const isDaemon = (r: Run): r is MediaRunFigures => "baseline" in r;

/** CPU seconds the media checks cost in the window: the handshakes' baseline rate taken off. */
function mediaCpuS(r: Run): number {
  if (!isDaemon(r)) return r.window.treeCpuS;
  const hs = (r.baseline.treeCpuS / r.baseline.seconds) * r.window.seconds;
  return r.window.treeCpuS - hs;
}

/** CPU-ms per media check done in the window (net of handshakes). */
export function msPerCheck(r: Run): number {
  return (mediaCpuS(r) * 1000) / r.done;
}

/** Children's CPU per check by command (sampled), and the share of the exact total it saw. */
/**
 * CPU-ms per check without snapshot and per snapshot, from the two parts of the window
 * (cpu = a × checks + s × snapshots, solved), and per check in the steady state, where a stream
 * saves one snapshot per 5 minutes (1 in 300 / cadence checks). Undefined when not solvable.
 */
export function steadyMs(r: MediaRunFigures, cadenceS: number) {
  const [p, q] = r.parts;
  if (!p || !q) return undefined;
  const det = p.done * q.snapshots - q.done * p.snapshots;
  if (Math.abs(det) < 1e-9) return undefined;
  const check = ((p.netCpuS * q.snapshots - q.netCpuS * p.snapshots) / det) * 1000;
  const snap = ((p.done * q.netCpuS - q.done * p.netCpuS) / det) * 1000;
  if (!(check >= 0 && snap >= 0)) return undefined; // the parts disagree (e.g. code changed)
  return { check, snap, steady: check + snap * Math.min(1, cadenceS / 300) };
}

function childMs(r: Run): string {
  const per = (x: number) => f1((x * 1000) / r.done);
  const seen = r.childCpu.reduce((s, [, x]) => s + x, 0);
  const exact = r.window.treeCpuS - r.window.selfCpuS;
  const parts = r.childCpu.slice(0, 2).map(([c, x]) => `${c} ${per(x)}`).join(" + ");
  return `${per(exact)} ms (${parts || "none seen"}; ${pct(seen / exact)} seen)`;
}

function wall(r: Run): string {
  const ms = isDaemon(r) ? r.mediaMs : r.checkMs;
  const p = (q: number) => f0(quantile(ms, q));
  return `p50 ${p(0.5)} / p95 ${p(0.95)} ms`;
}

function row(label: string, a: string, b: string, target = "", verdict = ""): string {
  return `  ${label.padEnd(38)}${a.padEnd(46)}${b.padEnd(44)}${target.padEnd(12)}${verdict}`;
}

/** Prints one N's table; `all` gives the ffprobe pair's cost when it ran at another N only. */
export function printTable(
  n: number,
  nat: MediaRunFigures,
  pair: Run | undefined,
  all: { n: number; pair?: Run }[],
  cadenceS: number,
): void {
  const w = nat.window;
  // The pair's cost per check is taken where it was measured at the smallest N: its checks queue
  // FIFO for the pool's slots (ffprobe, then the sample at the back of the line), so at large N
  // a 90 s window sees mostly ffprobe runs of checks that finish a whole turn of the line later.
  const paired = all.filter((x) => x.pair).sort((x, y) => x.n - y.n)[0];
  const ref = paired?.pair;
  const refN = paired?.n;
  const both = (f: (r: Run) => string) => [f(nat), pair ? f(pair) : "not run"] as const;
  const onTime = (r: Run) => (r.within5s ?? NaN) / r.due;
  const cores = w.treeCpuS / w.seconds;
  const st = steadyMs(nat, cadenceS);
  const natMs = st?.steady ?? msPerCheck(nat);
  const ratio = ref ? msPerCheck(ref) / natMs : NaN;
  const tgt = n >= 1000 ? "" : " (N=1k)";
  console.log(
    `\nN = ${n}: media every ${cadenceS} s, heartbeat 10 s; window ${f1(w.seconds)} s; ` +
      `load average at its end ${w.load1} (native)` +
      (pair ? `, ${pair.window.load1} (pair)` : ""),
  );
  console.log(row("", "native (main.ts)", "ffprobe + ffmpeg pair", "target", "verdict" + tgt));
  console.log(
    row("media checks done / due", ...both((r) => `${r.done} / ${r.due} (${pct(r.done / r.due)})`)),
  );
  console.log(row(
    "started within 5 s of due",
    ...both((r) => `${r.within5s ?? "n/a"} (${pct(onTime(r))} of due)`),
    "≥ 99%",
    mark(onTime(nat) >= TARGET.onTime),
  ));
  console.log(row(
    "  within 0.5 s / mean lateness",
    ...both((r) =>
      `${pct((r.within05s ?? NaN) / r.due)} / ${f1((r.latenessSumS ?? NaN) / (r.started ?? NaN))} s`
    ),
  ));
  console.log(
    row(
      "  streams overdue (max seen)",
      `${nat.maxOverdue}`,
      pair && isDaemon(pair) ? `${pair.maxOverdue}` : "-",
    ),
  );
  console.log(row(
    "CPU per media check (net, window)",
    ...both((r) => `${f1(msPerCheck(r))} ms`),
  ));
  console.log(row(
    "  steady state (1 snapshot / 5 min)",
    st
      ? `${f1(st.steady)} ms (${f1(st.check)} + snapshot ${f1(st.snap)} × ${
        f1(Math.min(1, cadenceS / 300))
      })`
      : "n/a (window not split)",
    pair ? `${pair.processRuns} ffprobe/ffmpeg runs in the window` : "",
    "≥ 20× less",
    ref
      ? `${mark(ratio >= TARGET.ratio)} ${f1(ratio)}×${refN === n ? "" : ` vs pair at N=${refN}`}`
      : "n/a",
  ));
  console.log(row("  children CPU per check", ...both(childMs)));
  console.log(row("  check wall time (last per stream)", ...both(wall)));
  console.log(row(
    "  read window / rest (decode…) p50",
    `${f0(quantile(nat.windowMs, 0.5))} / ${f0(quantile(nat.afterWindowMs, 0.5))} ms ` +
      `(rest p95 ${f0(quantile(nat.afterWindowMs, 0.95))})`,
    pair && isDaemon(pair) && pair.afterWindowMs.length
      ? `${f0(quantile(pair.afterWindowMs, 0.5))} ms rest`
      : "-",
  ));
  console.log(
    row(
      "  snapshots written in the window",
      `${nat.snapshots}`,
      pair ? "a JPEG every check (ffmpeg's sample)" : "",
    ),
  );
  console.log(row(
    "all checks CPU (tree)",
    `${f1(cores * 100)}% of a core`,
    pair
      ? `${f1((pair.window.treeCpuS / pair.window.seconds) * 100)}% of a core` +
        (isDaemon(pair) ? "" : " (media only)")
      : "",
    "≤ 1 core",
    mark(cores <= TARGET.cores),
  ));
  console.log(row(
    "  handshakes only / self / children",
    `${pct(nat.baseline.treeCpuS / nat.baseline.seconds)} / ${pct(w.selfCpuS / w.seconds)} / ` +
      `${pct((w.treeCpuS - w.selfCpuS) / w.seconds)}`,
    pair
      ? `- / ${pct(pair.window.selfCpuS / pair.window.seconds)} / ${
        pct((pair.window.treeCpuS - pair.window.selfCpuS) / pair.window.seconds)
      }`
      : "",
  ));
  console.log(row(
    "peak RSS StreamPulse (VmHWM)",
    ...both((r) => `${f1(r.peakRssMb)} MB`),
    "≤ 300 MB",
    mark(nat.peakRssMb <= TARGET.rssMb),
  ));
  console.log(
    row(
      "  children at once (peak RSS sum)",
      ...both((r) => `${r.peakChildren} (${f1(r.peakChildrenRssMb)} MB)`),
    ),
  );
  console.log(row(
    "handshakes on time (≤ 1 s)",
    `${pct(w.handshakesOnTime / w.handshakes)} of ${w.handshakes}`,
    pair && isDaemon(pair) ? `${pct(pair.window.handshakesOnTime / pair.window.handshakes)}` : "-",
  ));
  console.log(
    row(
      "  before media on (baseline)",
      `${pct(nat.baseline.handshakesOnTime / nat.baseline.handshakes)}`,
      "",
    ),
  );
  console.log(
    row(
      "replay server CPU",
      ...both((r) => `${pct(r.window.replayCpuS / r.window.seconds)} of a core`),
    ),
  );
  console.log(
    row(
      "other load on the machine",
      ...both((r) => `${pct(r.window.otherCpuS / r.window.seconds)} of a core`),
    ),
  );
  console.log(
    row(
      "media verdicts at the end",
      Object.entries(nat.pictures).map(([k, x]) => `${k} ${x}`).join(", "),
      "",
    ),
  );
  console.log(
    row("  up, verified_at within a cadence", `${nat.verifiedRecently} of ${n} streams`, ""),
  );
  const dec = nat.media.decoders as Record<string, number> | undefined;
  if (dec) {
    console.log(
      row(
        "  decode pool at the end",
        `size ${dec.size}, ${dec.children} ffmpeg children, ${dec.refused} refused`,
        "",
      ),
    );
  }
  if (nat.skipped || nat.errors) {
    console.log(row("  skipped / errors", `${nat.skipped} / ${nat.errors}`, ""));
  }
  if (nat.exitCode !== 0 && nat.logTail) {
    console.log(`  StreamPulse log (tail):\n${nat.logTail.slice(-800)}`);
  }
}
