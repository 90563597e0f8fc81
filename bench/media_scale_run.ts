/** One run of the media scale bench: main.ts on N replay streams, handshakes only, then media on. */

import { type Children, cpuSeconds, freePort, machineBusySeconds, memoryMb, tail } from "./proc.ts";
import { treeCpuSeconds } from "./proc.ts";
import { TreeSampler } from "./proc_tree.ts";

const ROOT = new URL("../", import.meta.url);
const path = (rel: string) => decodeURIComponent(new URL(rel, ROOT).pathname);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Replay paths of the stream mix, by stream index modulo 20: 60 % moving H.264, 10 % H.265. */
const MIX = [
  ...Array(12).fill("moving"),
  "h265",
  "h265",
  "still",
  "still",
  "still",
  "black",
  "black",
  "black",
];

/** The replay path of stream `i` (`/still/cam7`…). */
export function streamPath(i: number): string {
  return `/${MIX[i % MIX.length]}/cam${i}`;
}

/** What one run needs. */
export interface MediaRunSetup {
  n: number;
  heartbeatS: number;
  cadenceS: number;
  /** Seconds of the handshake-only window (media off) that gives the handshakes' CPU. */
  baselineS: number;
  /** Seconds after media checks are switched on before the window starts. */
  warmS: number;
  windowS: number;
  replayPort: number;
  replayPid: number;
  ticks: number;
  children: Children;
  /** Extra environment of the daemon (e.g. STREAMPULSE_MEDIA_BACKEND). */
  env?: Record<string, string>;
  /** Folder for the daemon's `--cpu-prof` output, if profiling. */
  profileDir?: string;
  /** File that receives the daemon's whole output. */
  log?: string;
}

/** CPU and counters between two readings. */
export interface Span {
  seconds: number;
  /** StreamPulse and all its children (live and reaped). */
  treeCpuS: number;
  /** The StreamPulse process alone. */
  selfCpuS: number;
  replayCpuS: number;
  /** Every other process on the machine (not StreamPulse, the replay server or this bench). */
  otherCpuS: number;
  handshakes: number;
  handshakesOnTime: number;
  load1: number;
}

/** Part of the window: media CPU net of handshakes, verdicts, snapshots. */
export interface Part {
  seconds: number;
  netCpuS: number;
  done: number;
  snapshots: number;
}

/** The figures of one run. */
export interface MediaRunFigures {
  startupS: number;
  baseline: Span;
  window: Span;
  /** media_check_seconds-due checks in the window (N × window / cadence). */
  due: number;
  /** Media verdicts applied in the window (/api/health media.checks). */
  done: number;
  skipped: number;
  errors: number;
  /** Checks started in the window and how many within 0.5 / 5 s of due (lateness histogram). */
  started?: number;
  within5s?: number;
  within05s?: number;
  latenessSumS?: number;
  maxOverdue: number;
  /** Peak RSS of StreamPulse (VmHWM, whole life) and of all its children at once (sampled). */
  peakRssMb: number;
  peakChildrenRssMb: number;
  peakChildren: number;
  childrenSeen: number;
  childCpu: [string, number][];
  /** From /api/status at the end: media check wall times and read windows, ms. */
  mediaMs: number[];
  windowMs: number[];
  /** durationMs − windowMs: handshake, decode and snapshot around the read window. */
  afterWindowMs: number[];
  pictures: Record<string, number>;
  verifiedRecently: number;
  /** Snapshot files written in the window (each a one-shot ffmpeg for H.26x). */
  snapshots: number;
  /** The window split where the first round ends (its snapshots before, few after). */
  parts: Part[];
  media: Record<string, unknown>;
  /** ffprobe/ffmpeg processes the media task's pool started in the window. */
  processRuns: number;
  exitCode: number;
  logTail: string;
}

/** The permission flags of `deno task start`, read from deno.json so they stay in step. */
async function startFlags(): Promise<string[]> {
  const json = JSON.parse(await Deno.readTextFile(path("deno.json")));
  return String(json.tasks.start).split(/\s+/).filter((t) => t.startsWith("--"));
}

function configYaml(s: MediaRunSetup, apiPort: number, media: boolean): string {
  const streams = Array.from(
    { length: s.n },
    (_, i) =>
      `  - name: cam${i}\n    url: rtsp://127.0.0.1:${s.replayPort}${streamPath(i)}\n` +
      (media ? `    media_check_seconds: ${s.cadenceS}\n` : "    media: false\n"),
  );
  return `heartbeat_seconds: ${s.heartbeatS}\ntimezone: UTC\n` +
    `api:\n  host: 127.0.0.1\n  port: ${apiPort}\nmqtt:\n  enabled: false\n` +
    `streams:\n${streams.join("")}`;
}

/** The samples of `family` in a Prometheus text page, by their label text (`le="5"`). */
function metric(text: string, family: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(family)) continue;
    const m = /^(\S+?)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m) out.set(`${m[1].slice(family.length)}${m[2] ?? ""}`, Number(m[3]));
  }
  return out;
}

/** Starts main.ts, measures handshakes only, turns media checks on, measures the window. */
export async function runMedia(s: MediaRunSetup): Promise<MediaRunFigures> {
  const dir = await s.children.tempDir("streampulse-media-bench-");
  const apiPort = freePort();
  const base = `http://127.0.0.1:${apiPort}`;
  const cfg = `${dir}/config.yaml`;
  await Deno.writeTextFile(cfg, configYaml(s, apiPort, false));
  const prof = s.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${s.profileDir}`] : [];
  const t0 = performance.now();
  const daemon = s.children.spawn("streampulse", Deno.execPath(), {
    args: ["run", ...await startFlags(), ...prof, path("main.ts"), "--data-dir", dir],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", LOG_LEVEL: "warn", ...s.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const out = tail(daemon.process.stdout, 8192, s.log);
  const err = tail(daemon.process.stderr, 8192, s.log);
  const pid = daemon.process.pid;
  const get = async (p: string) => {
    const r = await fetch(`${base}${p}`);
    if (!r.ok) throw new Error(`GET ${p} answered ${r.status}`);
    return r;
  };
  const health = async () => await (await get("/api/health")).json();
  for (;;) {
    try {
      await health();
      break;
    } catch {
      if (performance.now() - t0 > 300_000) throw new Error("StreamPulse's API did not answer");
      if ((await Promise.race([daemon.exited, sleep(200)])) !== undefined) {
        throw new Error(`StreamPulse exited at start:\n${(out() + err()).slice(-2000)}`);
      }
    }
  }
  const startupS = (performance.now() - t0) / 1000;
  const snap = async () => {
    const h = await health();
    const m = await (await get("/metrics")).text();
    return {
      t: Date.now(),
      tree: treeCpuSeconds(pid, s.ticks),
      self: cpuSeconds(pid, s.ticks),
      replay: cpuSeconds(s.replayPid, s.ticks),
      own: cpuSeconds(Deno.pid, s.ticks),
      all: machineBusySeconds(s.ticks),
      sched: h.scheduler,
      media: h.media ?? {},
      lateness: metric(m, "streampulse_media_check_lateness_seconds"),
      load1: Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]),
    };
  };
  type Snap = Awaited<ReturnType<typeof snap>>;
  const span = (a: Snap, b: Snap): Span => ({
    seconds: (b.t - a.t) / 1000,
    treeCpuS: b.tree - a.tree,
    selfCpuS: b.self - a.self,
    replayCpuS: b.replay - a.replay,
    otherCpuS: (b.all - a.all) - (b.tree - a.tree) - (b.replay - a.replay) - (b.own - a.own),
    handshakes: b.sched.checks - a.sched.checks,
    handshakesOnTime: b.sched.onTime - a.sched.onTime,
    load1: b.load1,
  });

  // Handshakes only: two full rounds to settle (start-up writes, JIT), then the baseline window.
  await sleep(2 * s.heartbeatS * 1000 + 3000);
  const b0 = await snap();
  await sleep(s.baselineS * 1000);
  const b1 = await snap();

  // Media on: the config file is replaced whole (the daemon watches it), every loop restarts.
  await Deno.writeTextFile(`${cfg}.tmp`, configYaml(s, apiPort, true));
  await Deno.rename(`${cfg}.tmp`, cfg);
  const tOn = performance.now();
  while ((await health()).media?.streams !== s.n) {
    if (performance.now() - tOn > 60_000) throw new Error("Media loops did not start after reload");
    await sleep(200);
  }
  await sleep(s.warmS * 1000);
  const tree = new TreeSampler(pid, s.ticks);
  tree.mark();
  let maxOverdue = 0;
  const w0 = await snap();
  const end = performance.now() + s.windowS * 1000;
  let nextHealth = 0;
  // The first round (and its first snapshots) ends one cadence after media on: split there.
  const tSplit = tOn + (s.cadenceS + 5) * 1000;
  let mid: Snap | undefined;
  while (performance.now() < end) {
    await sleep(Math.min(100, end - performance.now()));
    tree.sample();
    if (!mid && performance.now() >= tSplit && end - performance.now() > 10_000) mid = await snap();
    if (performance.now() >= nextHealth) {
      nextHealth = performance.now() + 2000;
      maxOverdue = Math.max(maxOverdue, (await health()).media?.overdue ?? 0);
    }
  }
  const w1 = await snap();
  const body = await (await get("/api/status")).json();
  const status = (Array.isArray(body) ? body : Object.values(body)) as Record<string, unknown>[];
  if (s.log) {
    await Deno.writeTextFile(`${s.log}.status.json`, JSON.stringify(status.slice(0, 3), null, 1));
  }
  const peakRssMb = memoryMb(pid).hwm;
  const snapshots = await savedBetween(`${dir}/snapshots`, w0.t, w1.t);
  const hsRate = (b1.tree - b0.tree) / ((b1.t - b0.t) / 1000);
  const part = async (a: Snap, b: Snap): Promise<Part> => ({
    seconds: (b.t - a.t) / 1000,
    netCpuS: b.tree - a.tree - hsRate * (b.t - a.t) / 1000,
    done: (b.media.checks ?? 0) - (a.media.checks ?? 0),
    snapshots: await savedBetween(`${dir}/snapshots`, a.t, b.t),
  });
  const parts = mid ? [await part(w0, mid), await part(mid, w1)] : [];
  const exit = await s.children.stop(daemon);
  const lat = (k: string) => {
    const a = w0.lateness.get(k), b = w1.lateness.get(k);
    return a === undefined || b === undefined ? undefined : b - a;
  };
  const figures: MediaRunFigures = {
    startupS,
    baseline: span(b0, b1),
    window: span(w0, w1),
    due: Math.round((s.n * (w1.t - w0.t)) / 1000 / s.cadenceS),
    done: (w1.media.checks ?? 0) - (w0.media.checks ?? 0),
    skipped: (w1.media.skipped ?? 0) - (w0.media.skipped ?? 0),
    errors: (w1.media.errors ?? 0) - (w0.media.errors ?? 0),
    started: lat("_count"),
    within5s: lat('_bucket{le="5"}'),
    within05s: lat('_bucket{le="0.5"}'),
    latenessSumS: lat("_sum"),
    maxOverdue: Math.max(maxOverdue, w1.media.overdue ?? 0),
    peakRssMb,
    peakChildrenRssMb: tree.peakChildrenRssMb,
    peakChildren: tree.peakChildren,
    childrenSeen: tree.seen,
    childCpu: tree.byComm(),
    ...statusFigures(status, w1.t, s.cadenceS),
    snapshots,
    parts,
    media: w1.media,
    processRuns: (w1.media.processes?.started ?? 0) - (w0.media.processes?.started ?? 0),
    exitCode: exit.code,
    logTail: (out() + err()).trim(),
  };
  await s.children.removeDir(dir);
  return figures;
}

/** Snapshot files in `dir` last written between `from` and `to` (ms since the epoch). */
async function savedBetween(dir: string, from: number, to: number): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(dir)) {
      const t = (await Deno.stat(`${dir}/${e.name}`)).mtime?.getTime() ?? 0;
      if (t >= from && t <= to) n++;
    }
  } catch { /* no snapshot yet */ }
  return n;
}

/** What a stream's last media verdict said of the picture (details.media.picture). */
function pictureKind(m: Record<string, unknown>): string {
  const p = m.picture as Record<string, unknown> | undefined;
  if (!p) return m.packets === 0 ? "no video" : "none";
  if (p.verified === false) return "unverified";
  return p.black ? "black" : p.frozen ? "frozen" : p.moving ? "moving" : "still";
}

/** Per-stream media details at the end of the window: durations, pictures, fresh verdicts. */
function statusFigures(status: Record<string, unknown>[], now: number, cadenceS: number) {
  const mediaMs: number[] = [];
  const windowMs: number[] = [];
  const afterMs: number[] = [];
  const pictures: Record<string, number> = {};
  let verifiedRecently = 0;
  for (const e of status) {
    const d = (e.details ?? {}) as Record<string, unknown>;
    const m = (d.media ?? {}) as Record<string, unknown>;
    const ms = m.durationMs ?? m.latencyMs;
    if (typeof ms === "number") mediaMs.push(ms);
    if (typeof m.windowMs === "number") windowMs.push(m.windowMs);
    if (typeof ms === "number" && typeof m.windowMs === "number") afterMs.push(ms - m.windowMs);
    const kind = pictureKind(m);
    pictures[kind] = (pictures[kind] ?? 0) + 1;
    const at = typeof d.verified_at === "string" ? Date.parse(d.verified_at) : NaN;
    if (now - at <= (cadenceS + Math.max(10, cadenceS / 4)) * 1000) verifiedRecently++;
  }
  const asc = (a: number, b: number) => a - b;
  return {
    mediaMs: mediaMs.sort(asc),
    windowMs: windowMs.sort(asc),
    afterWindowMs: afterMs.sort(asc),
    pictures,
    verifiedRecently,
  };
}
