/** `deno task bench --fleet`: three StreamPulse nodes + PostgreSQL on this machine, and kill -9. */

// Usage: deno task bench --fleet [--n 5000] [--heartbeat 10] [--window 30] [--lease 5]
//          [--renew 1] [--api-window 20] [--api-rate 5] [--ports 4] [--no-single]
// Real parts: PostgreSQL 15 (tests/fixtures/postgres.ts), three main.ts processes sharing it
// (tests/fixtures/fleet.ts), the light RTSP responder (bench/rtsp_responder.ts: a handshake,
// no media) for N streams with `media: false`. After a warm-up it measures a quiet window (CPU
// of the nodes and of PostgreSQL, checks stored per second), then a window of GET /api/status
// spread over the three nodes, then kill -9 of one node: time until each of its streams is
// checked again by the others, checks missed and doubled. Last, one node on SQLite with the same
// N gives the single-node CPU per check. A missed target prints MISS, never fails the exit code.

import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { type Fleet, pidOfDataDir, startFleet, streamEntry } from "../tests/fixtures/fleet.ts";
import { startPostgres } from "../tests/fixtures/postgres.ts";
import { startStreamPulse } from "../tests/fixtures/streampulse.ts";
import { clockTicks, lines, quantile, treeCpuSeconds } from "./proc.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const mark = (ok: boolean) => (ok ? "PASS" : "MISS");
const row = (label: string, figure: string, target = "", verdict = "") =>
  `  ${label.padEnd(50)}${figure.padEnd(44)}${target.padEnd(16)}${verdict}`;

/** The postmaster of the server on `port` (found by its command line), for its CPU. */
function postmasterPid(port: number): number {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const args = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      const p = args.indexOf("-p");
      if (args[0].endsWith("/postgres") && p > 0 && args[p + 1] === String(port)) {
        return Number(e.name);
      }
    } catch { /* ended meanwhile */ }
  }
  throw new Error(`No postgres process listening on port ${port}`);
}

/** Starts the responder child and returns its ports and a stop function. */
async function startResponder(ports: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      decodeURIComponent(new URL("./rtsp_responder.ts", import.meta.url).pathname),
      "--ports",
      String(ports),
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const first = (await lines(child.stdout).next()).value;
  const list: number[] = JSON.parse(first ?? "{}").ports ?? [];
  if (list.length === 0) throw new Error("The RTSP responder did not report its ports");
  return {
    ports: list,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** N handshake-only streams spread over the responder's ports. */
function streamsYaml(n: number, ports: number[]): string {
  let out = "";
  for (let i = 0; i < n; i++) {
    out += streamEntry(`cam${i}`, `rtsp://127.0.0.1:${ports[i % ports.length]}/cam${i}`);
  }
  return out;
}

/**
 * GET /api/status at `rate` per second for `seconds`, round robin over `urls`: latencies (ms),
 * sorted, all together and per URL.
 */
async function statusLoad(urls: string[], rate: number, seconds: number) {
  const ms: number[] = [];
  const byUrl = new Map<string, number[]>(urls.map((u) => [u, []]));
  let bytes = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const inflight: Promise<void>[] = [];
  for (let i = 0; performance.now() < end; i++) {
    const url = urls[i % urls.length];
    inflight.push((async () => {
      const t = performance.now();
      try {
        const res = await fetch(`${url}/api/status`);
        bytes = (await res.arrayBuffer()).byteLength;
        if (res.ok) {
          ms.push(performance.now() - t);
          byUrl.get(url)!.push(performance.now() - t);
        } else errors++;
      } catch {
        errors++;
      }
    })());
    await sleep(1000 / rate);
  }
  await Promise.all(inflight);
  for (const l of byUrl.values()) l.sort((a, b) => a - b);
  return { ms: ms.sort((a, b) => a - b), byUrl, bytes, errors };
}

/** Rows stored with ts in [from, to) (the database's own count). */
async function storedBetween(fleet: Fleet, from: number, to: number): Promise<number> {
  const [r] = await fleet.sql<{ n: number }[]>`
    SELECT count(*)::float8 AS n FROM sp_check WHERE ts >= ${from} AND ts < ${to}`;
  return r.n;
}

/** The first check of each of `streams` by one of `nodes` since `since`. */
async function firstChecks(fleet: Fleet, streams: string[], nodes: string[], since: number) {
  return await fleet.sql<{ name: string; ts: number }[]>`
    SELECT s.name, min(c.ts)::float8 AS ts FROM sp_check c JOIN sp_stream s ON s.id = c.stream_id
    WHERE c.ts >= ${since} AND c.node = ANY(${nodes}) AND s.name = ANY(${streams})
    GROUP BY s.name`;
}

/** Every check of `streams` since `since`, oldest first. */
async function checksOf(fleet: Fleet, streams: string[], since: number) {
  return await fleet.sql<{ stream: string; ts: number; node: string | null }[]>`
    SELECT s.name AS stream, c.ts::float8 AS ts, c.node
    FROM sp_check c JOIN sp_stream s ON s.id = c.stream_id
    WHERE c.ts >= ${since} AND s.name = ANY(${streams}) ORDER BY c.ts, c.id`;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    args: Deno.args,
    options: {
      n: { type: "string", default: "5000" },
      heartbeat: { type: "string", default: "10" },
      window: { type: "string", default: "30" },
      lease: { type: "string", default: "5" },
      renew: { type: "string", default: "1" },
      "api-window": { type: "string", default: "20" },
      "api-rate": { type: "string", default: "5" },
      ports: { type: "string", default: "4" },
      "no-single": { type: "boolean", default: false },
    },
  });
  const n = Number(v.n);
  const hb = Number(v.heartbeat);
  const windowS = Number(v.window);
  const leaseS = Number(v.lease);
  const ticks = await clockTicks();
  const responder = await startResponder(Number(v.ports));
  const pg = await startPostgres();
  const cleanups: (() => Promise<void>)[] = [() => responder.stop(), () => pg.stop()];
  const bail = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", bail);
  try {
    console.log(
      `StreamPulse fleet bench: 3 nodes + PostgreSQL 15, N ${n}, heartbeat ${hb} s, lease ` +
        `${leaseS} s / renew ${v.renew} s, window ${windowS} s, ${navigator.hardwareConcurrency} cores`,
    );
    const shared = `heartbeat_seconds: ${hb}\ntimezone: UTC\nstreams:\n${
      streamsYaml(n, responder.ports)
    }`;
    const t0 = performance.now();
    const fleet = await startFleet({
      pg,
      shared,
      leaseSeconds: leaseS,
      renewSeconds: Number(v.renew),
      logLevel: "info",
    });
    cleanups.push(() => fleet.stop());
    const names = Array.from({ length: n }, (_, i) => `cam${i}`);
    const owners = await fleet.settled(names, { ms: 120_000 });
    const startS = (performance.now() - t0) / 1000;
    console.log(`  fleet up and settled in ${f1(startS)} s; warming up ${2 * hb} s…`);
    await sleep(2 * hb * 1000);

    // 1. Quiet window: CPU of the nodes and of PostgreSQL, checks stored per second.
    const pgPid = postmasterPid(pg.port);
    const pids = fleet.members.map((m) => m.pid());
    const cpu = () => pids.map((p) => treeCpuSeconds(p, ticks));
    const c0 = cpu();
    const pg0 = treeCpuSeconds(pgPid, ticks);
    const w0 = Date.now();
    await sleep(windowS * 1000);
    const w1 = Date.now();
    const c1 = cpu();
    const pg1 = treeCpuSeconds(pgPid, ticks);
    await sleep(3000); // the window's last checks reach the database
    const stored = await storedBetween(fleet, w0, w1);
    const nodeCpu = c1.reduce((s, x, i) => s + x - c0[i], 0);
    const pgCpu = pg1 - pg0;
    const due = (n * windowS) / hb;
    const per = fleet.members.map((m) => Object.values(owners).filter((o) => o === m.name).length);
    console.log(`\n1. steady state, ${windowS} s window (owned: ${per.join(" / ")})`);
    console.log(row("", "figure", "target", ""));
    console.log(
      row("checks stored / due", `${stored} / ${Math.round(due)} (${f1(100 * stored / due)}%)`),
    );
    console.log(row("write throughput the database takes", `${f1(stored / windowS)} checks/s`));
    console.log(
      row(
        "CPU: 3 nodes / PostgreSQL",
        `${f1(100 * nodeCpu / windowS)}% / ${f1(100 * pgCpu / windowS)}% of a core`,
      ),
    );
    const fleetPerK = (nodeCpu * 1e6) / Math.max(1, stored);
    const fleetPgPerK = ((nodeCpu + pgCpu) * 1e6) / Math.max(1, stored);
    console.log(
      row("CPU per 1,000 checks: nodes / nodes + PG", `${f1(fleetPerK)} / ${f1(fleetPgPerK)} ms`),
    );

    // 2. /api/status over the fleet.
    const urls = fleet.members.map((m) => `http://127.0.0.1:${m.sp.apiPort}`);
    const tApi = Date.now();
    const api = await statusLoad(urls, Number(v["api-rate"]), Number(v["api-window"]));
    const p95 = quantile(api.ms, 0.95);
    console.log(
      `\n2. GET /api/status, ${v["api-rate"]}/s for ${v["api-window"]} s over the 3 nodes`,
    );
    console.log(
      row(
        "p50 / p95 / max",
        `${f1(quantile(api.ms, 0.5))} / ${f1(p95)} / ${f1(api.ms.at(-1)!)} ms`,
        "p95 ≤ 50 ms",
        mark(p95 <= 50),
      ),
    );
    console.log(
      row(
        "  p95 per node",
        fleet.members.map((m, i) => `${m.name} ${f1(quantile(api.byUrl.get(urls[i])!, 0.95))}`)
          .join(", ") + " ms",
      ),
    );
    console.log(
      row(
        "requests ok / failed, body",
        `${api.ms.length} / ${api.errors}, ${f1(api.bytes / 1024)} KiB`,
      ),
    );

    // The load may have cost nodes their lease (renewals wait behind its reads): count those
    // fencings, then let the fleet settle again so the kill below starts from a steady state.
    const tApiEnd = Date.now();
    const fencings = fleet.members.map((m) => {
      const n = m.sp.logs().split("\n").filter((l) => {
        const at = Date.parse(l.slice(0, 24));
        return at >= tApi && at <= tApiEnd + 1000 && l.includes("not acting");
      }).length;
      return `${m.name} ${n}`;
    });
    console.log(row("lease lost during the load (times per node)", fencings.join(", "), "0"));
    await fleet.settled(names, { ms: 60_000 });
    await sleep(2 * hb * 1000);

    // 3. kill -9 of one node.
    const victim = "n3";
    const lost = names.filter((s) => owners[s] === victim);
    const lastBefore = new Map<string, number>();
    const tKill = Date.now();
    await fleet.kill(victim);
    const survivors = ["n1", "n2"];
    const first = new Map<string, number>();
    const limit = Date.now() + (leaseS + 6 * hb) * 1000;
    while (first.size < lost.length && Date.now() < limit) {
      await sleep(500);
      for (const r of await firstChecks(fleet, lost, survivors, tKill)) first.set(r.name, r.ts);
    }
    const allBackMs = first.size === lost.length ? Math.max(...first.values()) - tKill : NaN;
    await sleep(2 * hb * 1000);
    // Per lost stream, from 1½ heartbeats before the kill (its last check by the dead node) on:
    // its checks, slots missed, checks doubled.
    const rows = await checksOf(fleet, lost, tKill - 1.5 * hb * 1000);
    const byStream = new Map<string, { ts: number; node: string | null }[]>();
    for (const r of rows) {
      byStream.set(r.stream, [...byStream.get(r.stream) ?? [], r]);
      if (r.node === victim) lastBefore.set(r.stream, r.ts);
    }
    // Missed: heartbeat slots without a check. Doubled: two live nodes checked the stream less
    // than half a heartbeat apart. A new owner checks a taken-over stream at once, which may come
    // sooner than half a heartbeat after the dead node's last check: early, not doubled.
    let missed = 0;
    let doubled = 0;
    let early = 0;
    /** Doubled pairs by "first node→second node": count and when the second came (ms). */
    const pairs = new Map<string, { n: number; from: number; to: number }>();
    for (const s of lost) {
      const ts = byStream.get(s) ?? [];
      for (let i = 1; i < ts.length; i++) {
        const gap = ts[i].ts - ts[i - 1].ts;
        if (gap > 1.5 * hb * 1000) missed += Math.round(gap / (hb * 1000)) - 1;
        if (gap >= 0.5 * hb * 1000 || ts[i].node === ts[i - 1].node) continue;
        if (ts[i - 1].node === victim) {
          early++;
          continue;
        }
        doubled++;
        const key = `${ts[i - 1].node}→${ts[i].node}`;
        const at = ts[i].ts - tKill;
        const p = pairs.get(key) ?? { n: 0, from: at, to: at };
        pairs.set(key, { n: p.n + 1, from: Math.min(p.from, at), to: Math.max(p.to, at) });
      }
    }
    // What the nodes logged about their share (and warnings) from the kill on.
    const shareLog = fleet.members.flatMap((m) =>
      m.sp.logs().split("\n").filter((l) =>
        /Fleet node|WARN|ERROR/.test(l) && Date.parse(l.slice(0, 24)) >= tKill - 1000
      ).map((l) => ({ at: Date.parse(l.slice(0, 24)) - tKill, text: `${m.name}: ${l.slice(25)}` }))
    ).sort((a, b) => a.at - b.at).map((x) => `${f1(x.at / 1000)} s ${x.text}`);
    const settledAfter = await fleet.settled(names, { ms: 30_000 }).then(() => true, () => false);
    console.log(`\n3. kill -9 of ${victim} (${lost.length} streams)`);
    console.log(
      row(
        "all its streams checked again after",
        `${f1(allBackMs / 1000)} s (${first.size}/${lost.length})`,
        `≤ ${3 * hb} s`,
        mark(allBackMs <= 3 * hb * 1000),
      ),
    );
    const firstSorted = [...first.values()].map((t) => t - tKill).sort((a, b) => a - b);
    console.log(
      row(
        "  first / median / last re-check",
        `${f1(firstSorted[0] / 1000)} / ${f1(quantile(firstSorted, 0.5) / 1000)} / ${
          f1(firstSorted.at(-1)! / 1000)
        } s`,
      ),
    );
    const gapsMs = lost.filter((x) => lastBefore.has(x) && first.has(x))
      .map((x) => first.get(x)! - lastBefore.get(x)!).sort((a, b) => a - b);
    console.log(
      row(
        "history gap (dead node's last → next check)",
        `median ${f1(quantile(gapsMs, 0.5) / 1000)} s, max ${f1(gapsMs.at(-1)! / 1000)} s`,
      ),
    );
    console.log(
      row(
        "checks missed (heartbeat slots without one)",
        `${missed} (${f2(missed / Math.max(1, lost.length))} per stream)`,
      ),
    );
    console.log(row("early re-checks (< ½ heartbeat after its last)", `${early}`));
    console.log(
      row("checks doubled (two live nodes < ½ heartbeat)", `${doubled}`, "0", mark(doubled === 0)),
    );
    for (const [k, p] of pairs) {
      console.log(
        row(`  ${k}`, `${p.n}, ${f1(p.from / 1000)}–${f1(p.to / 1000)} s after the kill`),
      );
    }
    console.log(row("survivors agree on the new owners", settledAfter ? "yes" : "no"));
    console.log("  the nodes' share changes and warnings, seconds from the kill:");
    for (const l of shareLog.slice(0, 30)) console.log(`    ${l.slice(0, 140)}`);

    await fleet.stop();
    cleanups.pop();

    // 4. Single node on SQLite, same N: CPU per check.
    if (!v["no-single"]) {
      console.log(`\n4. one node on SQLite, N ${n}: warming up ${2 * hb} s, ${windowS} s window…`);
      const sp = await startStreamPulse({
        config:
          `heartbeat_seconds: ${hb}\ntimezone: UTC\napi: {host: 127.0.0.1, port: {{API_PORT}}}\n` +
          `streams:\n${streamsYaml(n, responder.ports)}`,
        env: { LOG_LEVEL: "warn" },
      });
      cleanups.push(async () => {
        await sp.stop();
        await Deno.remove(sp.dir, { recursive: true });
      });
      await sleep(2 * hb * 1000);
      const pid = pidOfDataDir(sp.dir);
      const s0 = treeCpuSeconds(pid, ticks);
      const a = Date.now();
      await sleep(windowS * 1000);
      const b = Date.now();
      const s1 = treeCpuSeconds(pid, ticks);
      await sleep(3000);
      const db = new DatabaseSync(sp.dbPath, { readOnly: true });
      const done = Number(
        (db.prepare("SELECT count(*) AS n FROM sp_check WHERE ts >= ? AND ts < ?").get(a, b) as {
          n: number;
        }).n,
      );
      db.close();
      const singlePerK = ((s1 - s0) * 1e6) / Math.max(1, done);
      const one = await statusLoad(
        [`http://127.0.0.1:${sp.apiPort}`],
        Number(v["api-rate"]),
        Number(v["api-window"]),
      );
      console.log(row("checks stored / due", `${done} / ${Math.round(due)}`));
      console.log(row("CPU per 1,000 checks (SQLite, one node)", `${f1(singlePerK)} ms`));
      console.log(
        row(
          "GET /api/status p50 / p95 (same load, one node)",
          `${f1(quantile(one.ms, 0.5))} / ${f1(quantile(one.ms, 0.95))} ms`,
        ),
      );
      console.log(
        row(
          "fleet / single: nodes, nodes + PG",
          `${f2(fleetPerK / singlePerK)}× / ${f2(fleetPgPerK / singlePerK)}×`,
        ),
      );
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

if (import.meta.main) {
  let code = 0;
  try {
    await main();
  } catch (err) {
    console.error(`Bench failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
    code = 1;
  }
  Deno.exit(code);
}
