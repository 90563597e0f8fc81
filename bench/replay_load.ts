/** Load bench of the RTSP replay fixture: N TCP sessions for S seconds; packets/s, server CPU, RSS. */
// Run: deno run -A bench/replay_load.ts [N=1000] [--seconds 10] [--ramp 100] [--join live|keyframe]
//   [--v8-flags=--max-semi-space-size=2] (passed to the server child) [--udp]
// With --udp (add --unstable-net) every session asks for RTP over UDP to one shared local socket.

import { parseArgs } from "node:util";
import { clockTicks, cpuSeconds, memoryMb, quantile } from "./proc.ts";
import { spawnReplayServer } from "../tests/fixtures/rtsp_replay_proc.ts";
import { type PlayResult, playSession, wait } from "../tests/fixtures/rtsp_replay_client.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: "10" },
    ramp: { type: "string", default: "100" },
    join: { type: "string", default: "live" },
    "v8-flags": { type: "string" },
    udp: { type: "boolean", default: false },
  },
});
const n = Number(positionals[0] ?? 1000);
const seconds = Number(values.seconds);
const ramp = Number(values.ramp);
if (!(n > 0) || !(seconds > 0) || !(ramp > 0)) {
  console.error(`Usage: replay_load.ts [N] [--seconds S] [--ramp R]; got "${Deno.args.join(" ")}"`);
  Deno.exit(2);
}

const ticks = await clockTicks();
const server = await spawnReplayServer({
  join: values.join === "keyframe" ? "keyframe" : "live",
  v8Flags: values["v8-flags"],
  unstableNet: values.udp, // the server then sends with Deno.listenDatagram too
});
const fmt = (x: number, d = 1) => x.toFixed(d);
const tally = { packets: 0, bytes: 0 };
if (values.udp && !("listenDatagram" in Deno)) {
  console.error("--udp needs --unstable-net (Deno.listenDatagram receives the datagrams)");
  Deno.exit(2);
}
const sink = values.udp ? udpSinks(tally, Math.ceil(n / 10)) : null;
try {
  // The timer alone, before any session: what the fixture costs when idle.
  const idle0 = cpuSeconds(server.pid, ticks);
  await wait(2000);
  const idleCpu = (cpuSeconds(server.pid, ticks) - idle0) / 2;

  // Handshakes run at most `ramp` at a time; a slot frees once PLAY is answered.
  let active = 0, playing = 0;
  const waiters: (() => void)[] = [];
  let allPlaying!: () => void;
  const everyonePlays = new Promise<void>((r) => allPlaying = r);
  const stop = new AbortController();
  const tRamp = performance.now();
  const one = async (i: number): Promise<PlayResult | Error> => {
    while (active >= ramp) await new Promise<void>((r) => waiters.push(r));
    active++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      active--;
      waiters.shift()?.();
    };
    try {
      return await playSession(server.url(`/cam${i}`), {
        seconds: 3600,
        signal: stop.signal,
        tally,
        udpPort: sink?.ports[i % sink.ports.length],
        onPlaying: () => {
          release();
          if (++playing === n) allPlaying();
        },
      });
    } catch (e) {
      return e as Error;
    } finally {
      release();
    }
  };
  const runs = Array.from({ length: n }, (_, i) => one(i));
  await Promise.race([everyonePlays, wait(120_000)]);
  const rampS = (performance.now() - tRamp) / 1000;
  console.log(`${playing}/${n} sessions playing after ${fmt(rampS)} s`);

  await wait(1000); // let the ramp's burst of first frames drain
  const s0 = await server.stats();
  const cpu0 = cpuSeconds(server.pid, ticks), self0 = cpuSeconds(Deno.pid, ticks);
  const p0 = tally.packets, b0 = tally.bytes, t0 = performance.now();
  let peakRss = 0;
  for (let s = 0; s < seconds; s++) {
    await wait(1000);
    peakRss = Math.max(peakRss, memoryMb(server.pid).rss);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = (cpuSeconds(server.pid, ticks) - cpu0) / wall;
  const selfCpu = (cpuSeconds(Deno.pid, ticks) - self0) / wall;
  const s1 = await server.stats();
  const { hwm } = memoryMb(server.pid);
  stop.abort();
  const results = await Promise.all(runs);

  const ok = results.filter((r): r is PlayResult => !(r instanceof Error));
  const errors = results.length - ok.length;
  const keyed = ok.filter((r) => r.keyframes > 0).length;
  const allOk = ok.filter((r) => r.statuses.length === 5 && r.statuses.every((s) => s === 200));
  const firstKey = ok.map((r) => r.firstKeyframeMs ?? Infinity).sort((a, b) => a - b);
  const gaps = ok.reduce((g, r) => g + r.seqGaps, 0);
  const summary = {
    sessions: n,
    playing,
    rampSeconds: +fmt(rampS, 2),
    windowSeconds: +fmt(wall, 2),
    packetsPerSecond: Math.round((tally.packets - p0) / wall),
    mbitPerSecond: +fmt((tally.bytes - b0) * 8 / wall / 1e6),
    serverPacketsPerSecond: Math.round((s1.packetsSent - s0.packetsSent) / wall),
    framesDroppedInWindow: s1.framesDropped - s0.framesDropped,
    framesSkippedInWindow: s1.framesSkipped - s0.framesSkipped,
    serverCpuCores: +fmt(cpu, 3),
    serverIdleCpuCores: +fmt(idleCpu, 3),
    serverRssMb: +fmt(peakRss),
    serverRssHwmMb: +fmt(hwm),
    clientCpuCores: +fmt(selfCpu, 3),
    sessionsAllStatus200: allOk.length,
    sessionsWithKeyframe: keyed,
    sessionErrors: errors,
    seqGapsTotal: gaps,
    firstKeyframeMsP50: Math.round(quantile(firstKey, 0.5)),
    firstKeyframeMsP95: Math.round(quantile(firstKey, 0.95)),
  };
  console.log(
    `${summary.packetsPerSecond} packets/s (${summary.mbitPerSecond} Mbit/s) to ${n} sessions; ` +
      `server CPU ${fmt(cpu * 100)} % of a core (idle ${fmt(idleCpu * 100)} %), ` +
      `RSS ${fmt(peakRss)} MB (HWM ${fmt(hwm)}); bench client CPU ${fmt(selfCpu * 100)} %`,
  );
  console.log(JSON.stringify(summary));
} finally {
  await server.close();
  await sink?.close();
}

/**
 * `count` UDP sockets on even ports that count every datagram into `tally`; sessions spread over
 * them so one tick's burst (~1,200 packets for 200 sessions) fits the default receive buffers.
 * Deno.listenDatagram (needs --unstable-net) because node:dgram in Deno received only ~1,000
 * datagrams/s here.
 */
function udpSinks(
  t: typeof tally,
  count: number,
): { ports: number[]; close(): Promise<void> } {
  const socks: Deno.DatagramConn[] = [];
  const readers: Promise<void>[] = [];
  while (socks.length < count) {
    const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    if ((s.addr as Deno.NetAddr).port % 2 !== 0) {
      s.close();
      continue;
    }
    socks.push(s);
    readers.push(
      (async () => {
        for await (const [m] of s) {
          t.packets++;
          t.bytes += m.length;
        }
      })().catch(() => {}),
    );
  }
  return {
    ports: socks.map((s) => (s.addr as Deno.NetAddr).port),
    close: async () => {
      for (const s of socks) s.close();
      await Promise.all(readers);
    },
  };
}
