/** `deno task bench --alerts`: state change → webhook latency, a 1,000-host burst, the drain. */

// Usage: deno task bench --alerts   (or: deno run -A bench/alerts_bench.ts [--receiver])
// In this process: the real alerts task (createAlertsTask) on a real SQLite store in a temp file,
// the real webhook channel, and a bus this bench emits "state-change" on (the streams are never
// contacted). The receiver (Deno.serve) is this file run with --receiver in a child process, so
// the CPU read from /proc/self/stat is the alerting side's alone; it stamps each arrival with
// performance.timeOrigin + now(), the wall clock this process stamps its emits on. Each phase has
// its own store, config and task. No written targets exist for alerting: the ones printed are
// this bench's (marked "assumed"); a missed one prints MISS and never fails the exit code.

import { createAlertsTask } from "../monitor/alerts/mod.ts";
import { type Bus, createBus } from "../monitor/bus.ts";
import { parseConfig } from "../monitor/config/mod.ts";
import type { Logger } from "../monitor/log.ts";
import { openStore } from "../monitor/store/mod.ts";
import type { StreamStatus } from "../monitor/types.ts";
import { Children, clockTicks, cpuSeconds, lines, memoryMb, quantile } from "./proc.ts";

const TARGET = { p50Ms: 100, p99Ms: 1000, burstS: 60, cpuMsPerAlert: 10, drainS: 30, rssMb: 150 };
const LATENCY_N = 250; // measured outages, after WARM_N unmeasured ones
const WARM_N = 10;
const BURST_N = 1000;
const DRAIN_N = 1000;
const DOWN_MS = 10_000; // how long the receiver refuses connections in phase 3

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const wall = () => performance.timeOrigin + performance.now();
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const mark = (ok: boolean) => (ok ? "PASS" : "MISS");
const row = (label: string, figure: string, target = "", verdict = "") =>
  `  ${label.padEnd(44)}${figure.padEnd(46)}${target.padEnd(22)}${verdict}`;

/** Receiver mode: answers 200 to every POST, prints `{at, key, stream}` per arrival. */
async function receiver(): Promise<void> {
  let server: Deno.HttpServer | undefined;
  let port = 0;
  const serve = () => {
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
      const at = wall();
      const body = await req.json().catch(() => ({}));
      console.log(JSON.stringify({ at, key: body.key, stream: body.stream }));
      return Response.json({ ok: true });
    });
    port = (server.addr as Deno.NetAddr).port;
  };
  serve();
  console.log(JSON.stringify({ reply: "started", port }));
  for await (const cmd of lines(Deno.stdin.readable)) {
    if (cmd === "stop") {
      await server?.shutdown();
      server = undefined;
      console.log(JSON.stringify({ reply: "stopped", port }));
    } else if (cmd === "start") {
      serve();
      console.log(JSON.stringify({ reply: "started", port }));
    } else if (cmd === "ping") {
      console.log(JSON.stringify({ reply: "pong", port, at: wall() }));
    }
  }
  await server?.shutdown();
}

interface Arrival {
  at: number;
  key: string;
  stream: string;
}

/** The receiver child seen from here: its arrivals, stop/start, waiting on a condition. */
async function startReceiver(children: Children) {
  const child = children.spawn("receiver", Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      decodeURIComponent(new URL(import.meta.url).pathname),
      "--receiver",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  });
  const arrivals: Arrival[] = [];
  const replies: { reply: string; port: number; at?: number }[] = [];
  let wake = () => {};
  (async () => {
    for await (const line of lines(child.process.stdout)) {
      const msg = JSON.parse(line);
      if (msg.reply) replies.push(msg);
      else arrivals.push(msg);
      wake();
    }
  })().catch(() => {});
  const until = async (pred: () => boolean, ms: number, what: string) => {
    const end = performance.now() + ms;
    while (!pred()) {
      if (performance.now() > end) throw new Error(`No ${what} within ${ms} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 20);
        wake = () => (clearTimeout(t), r());
      });
    }
  };
  const writer = child.process.stdin.getWriter();
  const command = async (cmd: "stop" | "start" | "ping") => {
    const n = replies.length;
    await writer.write(new TextEncoder().encode(`${cmd}\n`));
    await until(() => replies.length > n, 5000, `"${cmd}" reply from the receiver`);
    return replies[n];
  };
  /** How far the child's clock stamp falls outside [sent, answered] of a ping, worst of 20, ms. */
  const clockSkew = async () => {
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const a = wall();
      const at = (await command("ping")).at!;
      const b = wall();
      worst = Math.max(worst, a - at, at - b);
    }
    return worst;
  };
  await until(() => replies.length > 0, 30_000, "receiver start-up");
  return {
    port: replies[0].port,
    pid: child.process.pid,
    arrivals,
    until,
    clockSkew,
    stop: () => command("stop").then(() => {}),
    start: () => command("start").then(() => {}),
  };
}

/** One phase's alerting side: its own store, config (n streams, one per host), bus and task. */
async function startAlerts(children: Children, phase: number, n: number, port: number) {
  const dir = await children.tempDir("sp-alerts-bench-");
  const store = openStore(`${dir}/streams.db`);
  const streams = Array.from({ length: n }, (_, i) => {
    const host = `10.${phase}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    return `  - {name: "p${phase}-${i}", url: "rtsp://${host}/cam"}\n`;
  });
  const config = parseConfig(`timezone: UTC
alerts:
  group_seconds: 10
  channels:
    - {name: hook, type: webhook, url: "http://127.0.0.1:${port}/hook"}
  rules:
    - {channels: [hook], states: [down], after_seconds: 0}
streams:
${streams.join("")}`);
  const bus: Bus = createBus();
  const warnings: { at: number; msg: string }[] = [];
  const note = (msg: string) => warnings.push({ at: wall(), msg });
  const logger: Logger = { debug() {}, info() {}, warn: note, error: note, addSecret() {} };
  const task = createAlertsTask({
    bus,
    store,
    config: () => config,
    logger,
    snapshot: () => Promise.resolve(undefined),
  });
  const keys = new Set<string>();
  bus.on("alert", ({ alert }) => keys.add(alert.key));
  const ctrl = new AbortController();
  const running = task.run(ctrl.signal);
  await sleep(100);
  /** Stream i of this phase goes down now. */
  const down = (i: number) => {
    const name = `p${phase}-${i}`;
    const ts = Date.now();
    const status: StreamStatus = { name, kind: "rtsp", state: "down", since: ts, failStreak: 3 };
    bus.emit("state-change", { name, from: "up", to: "down", ts, cause: "bench", status });
  };
  const stop = async () => {
    ctrl.abort();
    await running;
    store.close();
    await children.removeDir(dir);
  };
  return { task, keys, warnings, down, stop, name: (i: number) => `p${phase}-${i}` };
}

async function main(children: Children): Promise<void> {
  const ticks = await clockTicks();
  const cpuMs = () => cpuSeconds(Deno.pid, ticks) * 1000;
  const rx = await startReceiver(children);
  const of = (prefix: string) => rx.arrivals.filter((a) => a.stream?.startsWith(prefix));
  console.log(`Alerting bench (${Deno.build.target}, deno ${Deno.version.deno}); targets assumed`);
  console.log(row("", "figure", "target (assumed)", ""));

  // 1. One outage at a time, each stream alone on its host: emit → arrival at the receiver.
  const p1 = await startAlerts(children, 1, WARM_N + LATENCY_N, rx.port);
  const lat: number[] = [];
  let cold = NaN;
  for (let i = 0; i < WARM_N + LATENCY_N; i++) {
    const name = p1.name(i);
    const t0 = wall();
    p1.down(i);
    await rx.until(() => rx.arrivals.some((a) => a.stream === name), 10_000, `alert of ${name}`);
    const ms = rx.arrivals.find((a) => a.stream === name)!.at - t0;
    if (i === 0) cold = ms;
    if (i >= WARM_N) lat.push(ms);
    await sleep(10 + Math.random() * 20); // the outbox loop back asleep between outages
  }
  await p1.stop();
  lat.sort((a, b) => a - b);
  const [p50, p99] = [quantile(lat, 0.5), quantile(lat, 0.99)];
  console.log(`\n1. state change → webhook received, ${lat.length} single-stream outages`);
  console.log(row("p50", `${f1(p50)} ms`, `≤ ${TARGET.p50Ms} ms`, mark(p50 <= TARGET.p50Ms)));
  console.log(row("p99", `${f1(p99)} ms`, `≤ ${TARGET.p99Ms} ms`, mark(p99 <= TARGET.p99Ms)));
  console.log(row("min / max", `${f1(lat[0])} / ${f1(lat[lat.length - 1])} ms`));
  console.log(row("first outage (cold, not counted)", `${f1(cold)} ms`));
  const skew = await rx.clockSkew();
  console.log(row("clock check: receiver stamp outside ping", `${skew.toFixed(2)} ms at worst`));
  console.log(row("RSS now", `${f1(memoryMb(Deno.pid).rss)} MB`));

  // 2. 1,000 streams on 1,000 hosts fail at once.
  const p2 = await startAlerts(children, 2, BURST_N, rx.port);
  const cpu0 = cpuMs();
  const t2 = wall();
  for (let i = 0; i < BURST_N; i++) p2.down(i);
  const emitMs = wall() - t2;
  await rx.until(() => of("p2-").length >= BURST_N, 120_000, `${BURST_N} burst alerts`);
  await sleep(1000); // anything late (a duplicate) arrives too, and the last attempt is recorded
  const cpu2 = cpuMs() - cpu0;
  const burst = of("p2-");
  const burstS = (Math.max(...burst.map((a) => a.at)) - t2) / 1000;
  const sent2 = p2.task.counts().get("hook")?.sent ?? 0;
  const rss2 = memoryMb(Deno.pid).rss;
  await p2.stop();
  console.log(`\n2. ${BURST_N} streams (${BURST_N} hosts) down at once`);
  console.log(
    row(
      "messages received / alerts decided",
      `${burst.length} / ${p2.keys.size} (outbox counted ${sent2} sent)`,
      `${BURST_N} / ${BURST_N}`,
      mark(burst.length === BURST_N && p2.keys.size === BURST_N),
    ),
  );
  console.log(
    row(
      "all delivered after the emits",
      `${f1(burstS)} s (${f1(BURST_N / burstS)}/s)`,
      `≤ ${TARGET.burstS} s`,
      mark(burstS <= TARGET.burstS),
    ),
  );
  console.log(row("  of which the 1,000 emits (synchronous)", `${f1(emitMs)} ms`));
  const perAlert = cpu2 / BURST_N;
  console.log(
    row(
      "process CPU (utime+stime), to 1 s after",
      `${f1(cpu2)} ms = ${perAlert.toFixed(2)} CPU-ms/alert`,
      `≤ ${TARGET.cpuMsPerAlert} ms/alert`,
      mark(perAlert <= TARGET.cpuMsPerAlert),
    ),
  );
  console.log(row("RSS at the end of the burst", `${f1(rss2)} MB`));

  // 3. The channel down while 1,000 alerts are queued, then up again.
  await rx.stop();
  const p3 = await startAlerts(children, 3, DRAIN_N, rx.port);
  const t3 = wall();
  for (let i = 0; i < DRAIN_N; i++) p3.down(i);
  await sleep(DOWN_MS - (wall() - t3));
  const refused = p3.task.counts().get("hook")?.retry ?? 0;
  const tUp = wall();
  await rx.start();
  const got = () => new Set(of("p3-").map((a) => a.key));
  await rx.until(() => got().size >= p3.keys.size, 150_000, `${DRAIN_N} queued alerts`);
  await sleep(1500); // late duplicates
  const drained = of("p3-");
  const distinct = got();
  const first = Math.min(...drained.map((a) => a.at)) - tUp;
  const last = Math.max(...drained.map((a) => a.at)) - tUp;
  const missing = [...p3.keys].filter((k) => !distinct.has(k)).length;
  const dups = drained.length - distinct.size;
  const health = p3.task.health();
  const rss3 = memoryMb(Deno.pid).rss;
  const since = (at: number) => `${f1((at - t3) / 1000)} s`;
  const steps = p3.warnings.map((w) => `${since(w.at)}: ${w.msg.replace(/^outbox: /, "")}`);
  steps.push(`${since(tUp)}: the receiver listens again`);
  steps.sort((a, b) => parseFloat(a) - parseFloat(b));
  await p3.stop();
  console.log(
    `\n3. ${DRAIN_N} alerts queued while the receiver refuses connections for ` +
      `${DOWN_MS / 1000} s, then it listens again`,
  );
  console.log(row("alerts decided / queued", `${p3.keys.size}`, `${DRAIN_N}`));
  console.log(row("refused attempts while down", `${refused}`));
  console.log(
    row("first delivery after the channel is up", `${f1(first / 1000)} s (backoff wait)`),
  );
  console.log(
    row(
      "all delivered after the channel is up",
      `${f1(last / 1000)} s`,
      `≤ ${TARGET.drainS} s`,
      mark(last / 1000 <= TARGET.drainS),
    ),
  );
  console.log(
    row(
      "deliveries/s",
      `${f1(DRAIN_N / ((last - first) / 1000))} (first→last), ` +
        `${f1(DRAIN_N / (last / 1000))} (up→last)`,
    ),
  );
  console.log(
    row("duplicates / missing", `${dups} / ${missing}`, "0 / 0", mark(!dups && !missing)),
  );
  console.log(row("outbox after: pending / failed", `${health.pending} / ${health.failed}`));
  console.log(row("RSS at the end of the drain", `${f1(rss3)} MB`));
  for (const s of steps) console.log(`    after the emits, ${s}`);

  const own = memoryMb(Deno.pid).hwm;
  const rxMem = memoryMb(rx.pid).hwm;
  console.log("");
  console.log(
    row(
      "peak RSS (VmHWM), this process",
      `${f1(own)} MB (receiver child ${f1(rxMem)} MB)`,
      `≤ ${TARGET.rssMb} MB`,
      mark(own <= TARGET.rssMb),
    ),
  );
}

if (import.meta.main && Deno.args.includes("--receiver")) {
  await receiver();
} else if (import.meta.main) {
  const children = new Children();
  const bail = async () => {
    await children.cleanup();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", bail);
  Deno.addSignalListener("SIGTERM", bail);
  let code = 0;
  const t = performance.now();
  try {
    await main(children);
    console.log(`\n  whole bench: ${f1((performance.now() - t) / 1000)} s`);
  } catch (err) {
    // A broken run (not a missed target, which only prints MISS) fails the exit code.
    console.error(`Bench failed: ${err instanceof Error ? err.message : err}`);
    code = 1;
  } finally {
    await children.cleanup();
  }
  Deno.exit(code);
}
