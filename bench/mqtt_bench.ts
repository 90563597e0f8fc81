/** MQTT publish cost at N streams against a real mosquitto: CPU and bytes per interval, latency. */

// Usage: deno run -A bench/mqtt_bench.ts [--n 1000] [--intervals 10]
// A `mosquitto_sub -v '#'` subprocess writes every delivered message to a file, so bytes are what
// the broker delivered and the subscriber costs this process no CPU.

import { parseArgs } from "node:util";
import process from "node:process";
import { createLogger } from "../monitor/log.ts";
import type { MqttConfig } from "../monitor/config/mqtt.ts";
import { createMqttTask } from "../mqtt/publisher.ts";
import { MQTT_PASSWORD, MQTT_USER, startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { staticWorld } from "../tests/fixtures/mqtt_task_proc.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "1000" }, intervals: { type: "string", default: "10" } },
});
const N = Number(values.n);
const INTERVALS = Number(values.intervals);
const INTERVAL_S = 1; // shorter than the 5 s minimum of config.yaml so the bench stays short
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const broker = await startMosquitto();
const dir = await Deno.makeTempDir({ prefix: "sp-mqtt-bench-" });
const sub = new Deno.Command("mosquitto_sub", {
  args: ["-p", String(broker.ports.plain), "-u", MQTT_USER, "-P", MQTT_PASSWORD, "-v", "-q", "1"]
    .concat(["-t", "bench/#", "-t", "homeassistant/#"]),
  stdout: "piped",
  stderr: "null",
}).spawn();
const file = await Deno.open(`${dir}/sub.log`, { write: true, create: true, truncate: true });
const piping = sub.stdout.pipeTo(file.writable);
const size = async () => (await Deno.stat(`${dir}/sub.log`)).size;
const waitBytes = async (min: number, ms = 20_000) => {
  const end = Date.now() + ms;
  while ((await size()) < min && Date.now() < end) await sleep(20);
};
await sleep(300);

const world = staticWorld(Array.from({ length: N }, (_, i) => `Camera ${i + 1}`));
const config: MqttConfig = {
  enabled: true,
  host: "127.0.0.1",
  port: broker.ports.plain,
  wsPort: broker.ports.ws,
  tlsPort: broker.ports.tls,
  tlsWsPort: broker.ports.tlsWs,
  useTls: false,
  useWebsocket: false,
  username: MQTT_USER,
  password: MQTT_PASSWORD,
  topic: "bench/status",
  qos: 0,
  retain: false,
  intervalSeconds: INTERVAL_S,
  tlsInsecure: false,
  baseTopic: "bench",
  haDiscovery: true,
  discoveryPrefix: "homeassistant",
  publishOnChange: true,
};
const task = createMqttTask({
  config: () => config,
  view: world.view,
  bus: world.bus,
  streams: world.streams,
  logger: createLogger({ level: "warn" }),
});
const ctrl = new AbortController();

// 1. Connect: availability, 2 discovery configs + 1 state per stream, the status topic.
let c0 = cpuMs();
let t0 = performance.now();
const running = task.run(ctrl.signal);
while (!task.health().connected) await sleep(5);
const connectCpu = cpuMs() - c0;
await waitBytes(N * 600);
const connectMs = performance.now() - t0;
const connectBytes = await size();

/** Every stream "checked" once: new ts and latency, as the engine does between intervals. */
const touchAll = (round: number) => {
  for (const st of world.statuses.values()) {
    st.last = { ...st.last!, ts: st.last!.ts + 10_000, latencyMs: 40 + (round % 7) };
  }
};

// 2. Intervals where every stream was checked (worst case: every per-stream state changed).
await sleep(INTERVAL_S * 1000 + 200); // settle past the first interval tick
const measure = async (touch: boolean) => {
  const b0 = await size();
  const c = cpuMs();
  for (let i = 0; i < INTERVALS; i++) {
    if (touch) touchAll(i);
    await sleep(INTERVAL_S * 1000);
  }
  await sleep(300);
  return { cpu: (cpuMs() - c) / INTERVALS, bytes: ((await size()) - b0) / INTERVALS };
};
const busy = await measure(true);
const idle = await measure(false);

// 3. A state-change storm: every stream changes state at once.
c0 = cpuMs();
t0 = performance.now();
for (const st of world.statuses.values()) {
  Object.assign(st, { state: "down", since: st.since + 1 });
  world.bus.emit("state-change", {
    name: st.name,
    from: "up",
    to: "down",
    ts: Date.now(),
    cause: "bench",
    status: st,
  });
}
const stormSyncMs = performance.now() - t0;
await sleep(500);
const stormCpu = cpuMs() - c0;

// 4. state-change → delivered to a mosquitto_sub (5 runs).
const lat: number[] = [];
for (let run = 0; run < 5; run++) {
  const probe = new Deno.Command("mosquitto_sub", {
    args: ["-p", String(broker.ports.plain), "-u", MQTT_USER, "-P", MQTT_PASSWORD, "-C", "1"]
      .concat(["-t", "bench/camera_1/state", "-R"]), // -R: skip the retained copy, wait for new
    stdout: "piped",
    stderr: "null",
  }).spawn();
  await sleep(300);
  const st = world.statuses.get("Camera 1")!;
  const from = st.state;
  Object.assign(st, { state: from === "up" ? "down" : "up", since: Date.now() });
  const t = performance.now();
  world.bus.emit("state-change", {
    name: st.name,
    from,
    to: st.state,
    ts: Date.now(),
    cause: "bench",
    status: st,
  });
  const reader = probe.stdout.getReader();
  await reader.read(); // the first line: the new state
  lat.push(performance.now() - t);
  reader.releaseLock();
  await probe.stdout.cancel();
  await probe.status;
}
lat.sort((a, b) => a - b);

ctrl.abort();
await running;
sub.kill("SIGTERM");
await piping.catch(() => {});
await sub.status;
await broker.stop();
await Deno.remove(dir, { recursive: true });

const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const statusBytes = JSON.stringify(world.view.all()).length;
console.log(`MQTT publish cost, ${N} streams, QoS 0, HA discovery on (${Deno.build.target})`);
console.log(
  `  connect: ${connectCpu.toFixed(1)} CPU-ms to queue+send, ${kb(connectBytes)} ` +
    `delivered in ${connectMs.toFixed(0)} ms`,
);
console.log(
  `  interval, every stream checked: ${busy.cpu.toFixed(1)} CPU-ms, ` +
    `${kb(busy.bytes)} delivered (status topic ${kb(statusBytes)} + ${N} states)`,
);
console.log(`  interval, nothing changed: ${idle.cpu.toFixed(1)} CPU-ms, ${kb(idle.bytes)}`);
console.log(
  `  ${N} state changes at once: ${stormSyncMs.toFixed(1)} ms in the emitter, ` +
    `${stormCpu.toFixed(1)} CPU-ms in all`,
);
console.log(
  `  state-change → mosquitto_sub: median ${lat[2].toFixed(1)} ms ` +
    `(min ${lat[0].toFixed(1)}, max ${lat[4].toFixed(1)}; includes mosquitto_sub start-up jitter)`,
);
console.log(`  memory: rss ${(Deno.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
