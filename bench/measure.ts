/** The two measured runs of the benchmark: the real engine (main.ts) and the bare-loop floor. */

import { DatabaseSync } from "node:sqlite";
import {
  type Child,
  Children,
  cpuSeconds,
  freePort,
  lines,
  machineBusySeconds,
  memoryMb,
  quantile,
  tail,
  threadCpu,
  threadDelta,
  treeCpuSeconds,
} from "./proc.ts";

const ROOT = new URL("../", import.meta.url);
const path = (rel: string) => decodeURIComponent(new URL(rel, ROOT).pathname);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const ENV = { NO_COLOR: "1", RUST_BACKTRACE: "0" };

/** What both runs need. */
export interface RunSetup {
  n: number;
  heartbeatS: number;
  windowS: number;
  ports: number[];
  ticks: number;
  children: Children;
  /** The responder, whose CPU is reported beside each window. */
  responder: Child;
}

/** Engine-only knobs. */
export interface EngineSetup extends RunSetup {
  apiWindowS: number;
  apiRate: number;
  /** Folder for `--cpu-prof` output, if profiling. */
  profileDir?: string;
  /** Extra `deno run` flags for the engine (e.g. `--v8-flags=…`, `--inspect`). */
  engineFlags?: string[];
  /** Leave media checks (ffprobe/ffmpeg) at their default instead of `media: false`. */
  media?: boolean;
  /** File that receives the engine's whole output (stdout and stderr). */
  engineLog?: string;
}

/** Counters of one measuring window. */
export interface Window {
  seconds: number;
  cpuS: number;
  responderCpuS: number;
  /** CPU of every other process on the machine (not engine/floor, responder or this bench). */
  otherCpuS: number;
  started: number;
  onTime: number;
  /** Rows in sp_check (engine) or finished exchanges (floor) in the window. */
  done: number;
  ok: number;
  p50: number;
  p99: number;
  failures: Record<string, number>;
  /** CPU seconds per thread name in the window, largest first. */
  threads: [string, number][];
}

/** The engine's figures. */
export interface EngineFigures {
  startupS: number;
  quiet: Window;
  api: Window;
  maxLateMs: number;
  /** VmHWM at the end: the whole life, start-up burst included. */
  peakRssMb: number;
  /** Largest VmRSS sampled during the two windows (steady state). */
  windowRssMb: number;
  apiMs: number[];
  apiBytes: number;
  exitCode: number;
  logTail: string;
}

/** The permission flags of `deno task start`, read from deno.json so they stay in step. */
async function startFlags(): Promise<string[]> {
  const json = JSON.parse(await Deno.readTextFile(path("deno.json")));
  return String(json.tasks.start).split(/\s+/).filter((t) => t.startsWith("--"));
}

function configYaml(s: EngineSetup, apiPort: number): string {
  // The responder sends no RTP, so media checks could only fail; the bench measures handshakes.
  const media = s.media ? "" : "    media: false\n";
  const streams = Array.from({ length: s.n }, (_, i) => {
    const port = s.ports[i % s.ports.length];
    return `  - name: cam${i}\n    url: rtsp://127.0.0.1:${port}/cam${i}\n${media}`;
  });
  return `heartbeat_seconds: ${s.heartbeatS}\ntimezone: UTC\n` +
    `api:\n  host: 127.0.0.1\n  port: ${apiPort}\nmqtt:\n  enabled: false\n` +
    `streams:\n${streams.join("")}`;
}

/** Starts main.ts on N streams, warms up, measures a quiet window then one with API load. */
export async function runEngine(s: EngineSetup): Promise<EngineFigures> {
  const dir = await s.children.tempDir("streampulse-bench-");
  const apiPort = freePort();
  const base = `http://127.0.0.1:${apiPort}`;
  await Deno.writeTextFile(`${dir}/config.yaml`, configYaml(s, apiPort));
  const prof = s.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${s.profileDir}`] : [];
  prof.push(...s.engineFlags ?? []);
  const t0 = performance.now();
  const engine = s.children.spawn("engine", Deno.execPath(), {
    args: ["run", ...await startFlags(), ...prof, path("main.ts"), "--data-dir", dir],
    env: { ...ENV, LOG_LEVEL: "warn" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const out = tail(engine.process.stdout, 8192, s.engineLog);
  const err = tail(engine.process.stderr, 8192, s.engineLog);
  const pid = engine.process.pid;
  const health = async () => (await (await fetch(`${base}/api/health`)).json()).scheduler;
  for (;;) {
    try {
      await health();
      break;
    } catch {
      if (performance.now() - t0 > 300_000) throw new Error("The engine's API did not answer");
      await sleep(200);
    }
  }
  const startupS = (performance.now() - t0) / 1000;
  await sleep(s.heartbeatS * 1000 + 3000); // the start spread and one full round
  let peakRss = 0;
  const sampler = setInterval(() => peakRss = Math.max(peakRss, memoryMb(pid).rss), 250);
  const snap = async () => ({
    t: Date.now(),
    cpu: treeCpuSeconds(pid, s.ticks),
    resp: cpuSeconds(s.responder.process.pid, s.ticks),
    own: cpuSeconds(Deno.pid, s.ticks),
    all: machineBusySeconds(s.ticks),
    threads: threadCpu(pid, s.ticks),
    sched: await health(),
  });
  const a = await snap();
  await sleep(s.windowS * 1000);
  const b = await snap();
  const apiMs: number[] = [];
  let apiBytes = 0;
  let polling = s.apiWindowS > 0 && s.apiRate > 0;
  const poller = (async () => {
    while (polling) {
      const t = performance.now();
      const body = await (await fetch(`${base}/api/status`)).arrayBuffer();
      const ms = performance.now() - t;
      apiMs.push(ms);
      apiBytes = body.byteLength;
      await sleep(1000 / s.apiRate - ms);
    }
  })();
  await sleep(s.apiWindowS * 1000);
  polling = false;
  await poller;
  const c = await snap();
  clearInterval(sampler);
  const peakRssMb = Math.max(peakRss, memoryMb(pid).hwm);
  const exit = await s.children.stop(engine);
  const db = new DatabaseSync(`${dir}/streams.db`, { readOnly: true });
  const window = (x: typeof a, y: typeof a): Window => {
    const rows = db.prepare(
      "SELECT latency_ms AS lat, ok, message FROM sp_check WHERE ts >= ? AND ts < ?",
    ).all(x.t, y.t) as { lat: number | null; ok: number; message: string }[];
    const lat = Float64Array.from(rows.map((r) => r.lat ?? NaN)).sort();
    const failures: Record<string, number> = {};
    for (const r of rows) if (!r.ok) failures[r.message] = (failures[r.message] ?? 0) + 1;
    return {
      seconds: (y.t - x.t) / 1000,
      cpuS: y.cpu - x.cpu,
      responderCpuS: y.resp - x.resp,
      otherCpuS: (y.all - x.all) - (y.cpu - x.cpu) - (y.resp - x.resp) - (y.own - x.own),
      started: y.sched.checks - x.sched.checks,
      onTime: y.sched.onTime - x.sched.onTime,
      done: rows.length,
      ok: rows.filter((r) => r.ok).length,
      p50: quantile(lat, 0.5),
      p99: quantile(lat, 0.99),
      failures,
      threads: threadDelta(x.threads, y.threads),
    };
  };
  const figures: EngineFigures = {
    startupS,
    quiet: window(a, b),
    api: window(b, c),
    maxLateMs: c.sched.maxLateMs,
    peakRssMb,
    windowRssMb: peakRss,
    apiMs: apiMs.sort((x, y) => x - y),
    apiBytes,
    exitCode: exit.code,
    logTail: (out() + err()).trim(),
  };
  db.close();
  await s.children.removeDir(dir);
  return figures;
}

/** Runs bench/floor.ts against the same responder for the same window. */
export async function runFloor(s: RunSetup): Promise<Window & { peakRssMb: number }> {
  const floor = s.children.spawn("floor", Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      path("bench/floor.ts"),
      `--ports=${s.ports.join(",")}`,
      `--n=${s.n}`,
      `--heartbeat=${s.heartbeatS}`,
    ],
    env: ENV,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  });
  const pid = floor.process.pid;
  const writer = floor.process.stdin.getWriter();
  const replies = lines(floor.process.stdout);
  const snap = async () => {
    await writer.write(new TextEncoder().encode("\n"));
    const line = (await replies.next()).value;
    if (!line) throw new Error("The floor process ended early");
    return {
      t: Date.now(),
      cpu: cpuSeconds(pid, s.ticks),
      resp: cpuSeconds(s.responder.process.pid, s.ticks),
      own: cpuSeconds(Deno.pid, s.ticks),
      all: machineBusySeconds(s.ticks),
      threads: threadCpu(pid, s.ticks),
      c: JSON.parse(line),
    };
  };
  await sleep(Math.min(s.heartbeatS, 5) * 1000); // JIT warm-up; the loop has no start burst
  const a = await snap();
  await sleep(s.windowS * 1000);
  const b = await snap();
  const peakRssMb = memoryMb(pid).hwm;
  await writer.close().catch(() => {});
  await s.children.stop(floor);
  return {
    seconds: (b.t - a.t) / 1000,
    cpuS: b.cpu - a.cpu,
    responderCpuS: b.resp - a.resp,
    otherCpuS: (b.all - a.all) - (b.cpu - a.cpu) - (b.resp - a.resp) - (b.own - a.own),
    started: b.c.started - a.c.started,
    onTime: b.c.onTime - a.c.onTime,
    done: b.c.done - a.c.done,
    ok: b.c.ok - a.c.ok,
    p50: b.c.p50 ?? NaN,
    p99: b.c.p99 ?? NaN,
    failures: {},
    threads: threadDelta(a.threads, b.threads),
    peakRssMb,
  };
}
