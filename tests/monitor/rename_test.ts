/**
 * Renames by `id:`: the engine with a real SQLite store on a temp file and a real bus, in-test
 * probes through `selectProbe`; and the alert engine carrying an ongoing outage through one.
 */

import { assert, assertEquals } from "../assert.ts";
import { createAlertEngine } from "../../monitor/alerts/engine.ts";
import type { AlertsConfig } from "../../monitor/config/mod.ts";
import { type Bus, type BusEvents, createBus } from "../../monitor/bus.ts";
import { createLogger } from "../../monitor/log.ts";
import { createMonitor, type Monitor, streamRenames } from "../../monitor/monitor.ts";
import { openStore, type SyncStore as Store } from "../../monitor/store/mod.ts";
import type { Probe, StreamConfig } from "../../monitor/types.ts";
import { MIN, rule, S, stream as alertStream, T0 } from "./alerts/engine_helpers.ts";

const stream = (name: string, over: Partial<StreamConfig> = {}): StreamConfig => ({
  name,
  url: "rtsp://cam.test/live",
  enabled: true,
  intervalSeconds: 1,
  timeoutSeconds: 5,
  tags: [],
  tlsInsecure: false,
  ...over,
});

/** Fails every check, counting them in the per-stream memory: "refused <n>". */
const refusing: Probe = {
  kind: "rtsp",
  check(_s, ctx) {
    const n = ((ctx.memory.n as number | undefined) ?? 0) + 1;
    ctx.memory.n = n;
    return Promise.resolve({ ok: false, latencyMs: 3, message: `refused ${n}`, details: {} });
  },
};

/** Resolves with the first payload of `type` that `pick` accepts; rejects after `ms`. */
function next<K extends keyof BusEvents>(
  bus: Bus,
  type: K,
  pick: (p: BusEvents[K]) => boolean = () => true,
  ms = 10_000,
): Promise<BusEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no "${type}" in ${ms} ms`))), ms);
    const off = bus.on(type, (p) => {
      if (!pick(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

interface Engine {
  monitor: Monitor;
  store: Store;
  bus: Bus;
  /** Every state-change (its name) and stream-renamed (its old name), in order. */
  seen: string[];
}

/** An engine on `<dir>/streams.db`, running until `fn` ends; the store is closed after. */
async function withEngine(dir: string, fn: (e: Engine) => Promise<void> | void) {
  const store = openStore(`${dir}/streams.db`, { flushIntervalMs: 50 });
  const bus = createBus((err) => {
    throw err;
  });
  const seen: string[] = [];
  bus.on("state-change", (e) => seen.push(`state-change ${e.name}`));
  bus.on("stream-renamed", (e) => seen.push(`stream-renamed ${e.from}`));
  const monitor = createMonitor({
    store,
    bus,
    logger: createLogger({ level: "error", write: () => {} }),
    selectProbe: () => refusing,
    maxConcurrent: 2,
    recheckDelayMs: 10,
  });
  const ctrl = new AbortController();
  const running = monitor.run(ctrl.signal);
  try {
    await fn({ monitor, store, bus, seen });
  } finally {
    ctrl.abort();
    await running;
    store.close();
  }
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "sp-rename-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("streamRenames() pairs streams by id, ignoring streams without one", () => {
  const before = [stream("a", { id: "x" }), stream("b"), stream("c", { id: "z" })];
  const after = [stream("c", { id: "x" }), stream("a", { id: "z" }), stream("b2"), stream("d")];
  assertEquals(streamRenames(before, after), [["a", "c", "x"], ["c", "a", "z"]]);
  assertEquals(streamRenames(before, before), []);
});

Deno.test("applyStreams() carries a renamed stream's status, memory, history and incident", () =>
  withDir((dir) =>
    withEngine(dir, async ({ monitor, store, bus, seen }) => {
      const down = next(bus, "state-change", (e) => e.name === "Front" && e.to === "down");
      const otherDown = next(bus, "state-change", (e) => e.name === "Other" && e.to === "down");
      monitor.applyStreams([stream("Front", { id: "cam-1" }), stream("Other")]);
      await Promise.all([down, otherDown]);
      const before = { ...monitor.status("Front")! };
      const checks = store.history("Front").length;
      assert(checks >= 2);
      assertEquals(store.incidents("Front").length, 1);
      seen.length = 0;

      const renamed = next(bus, "stream-renamed");
      const after = next(bus, "result", (e) => e.name === "Porch");
      monitor.applyStreams([stream("Porch", { id: "cam-1" }), stream("Other")]);
      const ev = await renamed;
      assertEquals([ev.id, ev.from, ev.to, ev.status.name], ["cam-1", "Front", "Porch", "Porch"]);
      assertEquals(monitor.status("Front"), undefined);
      assertEquals(monitor.statuses().map((s) => s.name), ["Porch", "Other"]);
      const st = monitor.status("Porch")!;
      assertEquals([st.state, st.since], [before.state, before.since]);
      const r = await after;
      // The probe's memory came along: its count goes on, and the stream stays down.
      assertEquals(r.record.message, `refused ${Number(before.last!.message.split(" ")[1]) + 1}`);
      assertEquals(r.status.state, "down");
      assertEquals(seen, ["stream-renamed Front"]); // and no state-change of Porch or Front
      // History and the open incident go by the new name; no incident was opened.
      assert(store.history("Porch").length > checks);
      assertEquals(store.history("Front"), []);
      const incidents = store.incidents("Porch");
      assertEquals([incidents.length, incidents[0].end, incidents[0].name], [1, null, "Porch"]);
      assertEquals(store.streamNames().includes("Front"), false);
    })
  ));

Deno.test("createMonitor() restores a stream renamed while StreamPulse was stopped", () =>
  withDir(async (dir) => {
    let since = 0;
    await withEngine(dir, async ({ monitor, bus }) => {
      const down = next(bus, "state-change", (e) => e.to === "down");
      monitor.applyStreams([stream("Front", { id: "cam-1", intervalSeconds: 60 })]);
      since = (await down).ts;
    });
    // config.yaml now calls it "Porch"; the next start ensures the stream by its id.
    await withEngine(dir, ({ monitor, store, seen }) => {
      monitor.applyStreams([stream("Porch", { id: "cam-1", intervalSeconds: 60 })]);
      const st = monitor.status("Porch")!;
      assertEquals([st.state, st.since], ["down", since]);
      assert(store.history("Porch").length >= 2);
      assertEquals(store.incidents("Porch")[0].end, null);
      assertEquals(store.streamNames(), ["Porch"]);
      assertEquals(seen.filter((t) => t.startsWith("stream-renamed")), []); // a start is no rename
    });
  }));

Deno.test("AlertEngine.configure() keeps a renamed stream's outage and its alert's key", () => {
  const e = createAlertEngine({ timeZone: "UTC" });
  const alerts: AlertsConfig = {
    rules: [rule({ remindMinutes: 5 })],
    channels: [],
    maintenance: [],
    groupSeconds: 0,
  };
  e.configure([alertStream("Front", { id: "cam-1" })], alerts, "UTC");
  e.change({ name: "Front", from: "up", to: "down", ts: T0, cause: "refused" });
  const first = e.tick(T0);
  assertEquals(first.map((d) => d.alert.key), [`Front@${T0}:down`]);
  e.configure([alertStream("Porch", { id: "cam-1" })], alerts, "UTC");
  // No new alert for the same outage; its reminder and recovery keep the key it was sent with.
  assertEquals(e.tick(T0 + S), []);
  const reminder = e.tick(T0 + 5 * MIN);
  assertEquals(reminder.map((d) => d.alert.key), [`Front@${T0}:reminder#1`]);
  assertEquals(reminder[0].alert.streams.map((s) => s.name), ["Porch"]);
  e.change({ name: "Porch", from: "down", to: "up", ts: T0 + 6 * MIN, cause: "ok" });
  assertEquals(e.tick(T0 + 6 * MIN).map((d) => d.alert.key), [`Front@${T0}:resolved`]);
});
