/**
 * createMonitor() in a fleet: ownership (setOwned), fencing (mayAct), the mirror's input
 * (observe) and restored states passed in or read later. The store is an in-test recorder (the
 * engine's MonitorStore slice), so "recorded" means exactly what the engine handed the store.
 */

import { assert, assertEquals } from "../assert.ts";
import { type Bus, type BusEvents, createBus } from "../../monitor/bus.ts";
import { createLogger } from "../../monitor/log.ts";
import {
  createMonitor,
  type Monitor,
  type MonitorStore,
  type RestoredState,
} from "../../monitor/monitor.ts";
import type {
  CheckRecord,
  Probe,
  ProbeContext,
  ProbeResult,
  StreamConfig,
} from "../../monitor/types.ts";

const T0 = Date.UTC(2025, 10, 1, 12);

const stream = (name: string, over: Partial<StreamConfig> = {}): StreamConfig => ({
  name,
  url: `rtsp://cam.test/${name}`,
  enabled: true,
  intervalSeconds: 60,
  timeoutSeconds: 5,
  tags: [],
  tlsInsecure: false,
  ...over,
});

const answer = (ok: boolean, message = ok ? "RTSP 200" : "refused"): ProbeResult => ({
  ok,
  latencyMs: 5,
  message,
  details: {},
});

const check = (ts: number, ok: boolean, state: CheckRecord["state"]): CheckRecord => ({
  ts,
  ok,
  state,
  latencyMs: 7,
  message: ok ? "remote ok" : "remote refused",
  details: {},
});

/** A MonitorStore that records every write; `states` answers lastStates (a Promise when asked). */
function recorder(states = new Map<string, RestoredState>(), opts: { async?: boolean } = {}) {
  const checks: Array<[string, CheckRecord]> = [];
  const changes: string[] = [];
  let reads = 0;
  const store: MonitorStore = {
    ensureStream: () => {},
    recordCheck: (name, r) => void checks.push([name, r]),
    recordStateChange: (c) => void changes.push(`${c.name}:${c.from}->${c.to}`),
    lastStates: () => {
      reads++;
      return opts.async ? Promise.resolve(new Map(states)) : new Map(states);
    },
  };
  return { store, checks, changes, reads: () => reads };
}

type Seen =
  | ["result", BusEvents["result"]]
  | ["state-change", BusEvents["state-change"]];

interface Harness {
  monitor: Monitor;
  bus: Bus;
  seen: Seen[];
  calls: string[];
  rec: ReturnType<typeof recorder>;
  stop(): Promise<void>;
}

/** An engine whose probe answers `probe(name)`; started at once. */
function engine(
  opts: {
    probe?: (name: string, ctx: ProbeContext) => Promise<ProbeResult>;
    rec?: ReturnType<typeof recorder>;
    owned?: ReadonlySet<string> | null;
    mayAct?: () => boolean;
    restored?: Map<string, RestoredState>;
    streams?: StreamConfig[];
  } = {},
): Harness {
  const rec = opts.rec ?? recorder();
  const bus = createBus((err) => {
    throw err;
  });
  const seen: Seen[] = [];
  bus.on("result", (p) => seen.push(["result", p]));
  bus.on("state-change", (p) => seen.push(["state-change", p]));
  const calls: string[] = [];
  const answerOf = opts.probe ?? (() => Promise.resolve(answer(true)));
  const probe: Probe = {
    kind: "rtsp",
    check: (s, ctx) => {
      calls.push(s.name);
      return answerOf(s.name, ctx);
    },
  };
  const monitor = createMonitor({
    store: rec.store,
    bus,
    logger: createLogger({ level: "error", write: () => {} }),
    selectProbe: () => probe,
    maxConcurrent: 4,
    recheckDelayMs: 10,
    now: () => T0 + 60_000,
    owned: opts.owned,
    mayAct: opts.mayAct,
    restored: opts.restored,
    node: "node-a",
  });
  monitor.applyStreams(opts.streams ?? [stream("a"), stream("b"), stream("c")]);
  const ctrl = new AbortController();
  const running = monitor.run(ctrl.signal);
  return {
    monitor,
    bus,
    seen,
    calls,
    rec,
    stop: async () => {
      ctrl.abort();
      await running;
    },
  };
}

/** A probe answer that comes only when the check is aborted (the test's stop). */
const answeredOnAbort = (ctx: ProbeContext) =>
  new Promise<ProbeResult>((r) => ctx.signal.addEventListener("abort", () => r(answer(true))));

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const kinds = (seen: Seen[]) =>
  seen.map(([type, p]) => `${type}:${p.name}${p.origin ? `@${p.origin}` : ""}`);

Deno.test("createMonitor() setOwned() runs only the owned streams and checks a newly owned one at once", async () => {
  const h = engine({ owned: new Set(["a"]) });
  try {
    await until("a checked", () => h.calls.includes("a"));
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(h.calls, ["a"]);
    assertEquals([h.monitor.owns("a"), h.monitor.owns("b")], [true, false]);
    const at = Date.now();
    h.monitor.setOwned(new Set(["a", "b"]));
    await until("b checked", () => h.calls.includes("b"));
    assert(Date.now() - at < 1000, `b was checked ${Date.now() - at} ms after it became owned`);
    assertEquals(h.calls, ["a", "b"]); // a's loop went on untouched (no second check)
    h.monitor.setOwned(null); // every stream
    await until("c checked", () => h.calls.includes("c"));
    assertEquals(h.monitor.stats().streams, 3);
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() setOwned() continues a taken-over stream from its fresh state: no second state change", async () => {
  // b went down on node-b (its owner, which died); this node shows it as it last mirrored it.
  const h = engine({
    owned: new Set(),
    probe: () => Promise.resolve(answer(false, "still refused")),
  });
  try {
    const last = check(T0 + 50_000, false, "down");
    h.monitor.observe("b", { state: "up", since: T0, failStreak: 0 }, "node-b");
    h.seen.length = 0;
    const fresh = new Map([["b", {
      state: "down" as const,
      since: T0 + 40_000,
      last,
      failStreak: 3,
      node: "node-b",
    }]]);
    h.monitor.setOwned(new Set(["b"]), fresh);
    // The fresh state reaches the bus as node-b's (alerts ignore it: node-b alerted already).
    assertEquals(kinds(h.seen), ["state-change:b@node-b", "result:b@node-b"]);
    await until("b checked here", () => h.rec.checks.length === 1);
    const st = h.monitor.status("b")!;
    assertEquals([st.state, st.since, st.failStreak], ["down", T0 + 40_000, 4]);
    // Still down: recorded as a check, no state change recorded or emitted by this node.
    assertEquals(h.rec.changes, []);
    assertEquals(kinds(h.seen), ["state-change:b@node-b", "result:b@node-b", "result:b"]);
    assertEquals(h.monitor.owner("b"), "node-a");
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() setOwned() with a fresh state equal to the mirrored one emits nothing", async () => {
  const h = engine({ owned: new Set(), probe: (_, ctx) => answeredOnAbort(ctx) });
  try {
    const remote = {
      state: "up" as const,
      since: T0,
      last: check(T0 + 1000, true, "up"),
      failStreak: 0,
    };
    h.monitor.observe("a", remote, "node-b");
    h.seen.length = 0;
    h.monitor.setOwned(new Set(["a"]), new Map([["a", { ...remote, node: "node-b" }]]));
    assertEquals(h.seen, []);
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() a result arriving after mayAct turns false is neither recorded nor emitted", async () => {
  let acting = true;
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  const h = engine({
    mayAct: () => acting,
    streams: [stream("a")],
    probe: async () => {
      await held;
      return answer(true);
    },
  });
  try {
    await until("check started", () => h.calls.length === 1);
    acting = false; // the lease ran out while the check was in flight (a SIGSTOP, a stall)
    release();
    await until("result dropped", () => h.monitor.stats().fenced === 1);
    await new Promise((r) => setTimeout(r, 50));
    assertEquals([h.rec.checks, h.rec.changes, h.seen], [[], [], []]);
    assertEquals(h.monitor.status("a")!.state, "unknown");
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() starts no check while mayAct is false", async () => {
  const h = engine({ mayAct: () => false, streams: [stream("a"), stream("b")] });
  try {
    await until("both refused", () => h.monitor.stats().fenced === 2);
    assertEquals([h.calls, h.rec.checks, h.seen], [[], [], []]);
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() drops the check in flight of a stream that stops being owned", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  const h = engine({
    streams: [stream("a")],
    probe: async () => {
      await held;
      return answer(false);
    },
  });
  try {
    await until("check started", () => h.calls.length === 1);
    h.monitor.setOwned(new Set()); // a joining node took it
    release();
    await new Promise((r) => setTimeout(r, 100));
    assertEquals([h.rec.checks, h.seen], [[], []]);
    assertEquals(h.monitor.stats().streams, 0);
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() observe() mirrors another node's results and state changes with origin, never recording", async () => {
  const h = engine({ owned: new Set(["a"]) });
  try {
    await until("a checked", () => h.rec.checks.length === 1);
    h.seen.length = 0;
    const first = check(T0 + 10_000, false, "down");
    h.monitor.observe(
      "b",
      { state: "down", since: T0 + 10_000, last: first, failStreak: 2 },
      "node-b",
    );
    assertEquals(kinds(h.seen), ["state-change:b@node-b", "result:b@node-b"]);
    const change = h.seen[0][1] as BusEvents["state-change"];
    assertEquals([change.from, change.to, change.ts, change.cause], [
      "unknown",
      "down",
      T0 + 10_000,
      "remote refused",
    ]);
    assert(change.status === h.monitor.status("b"));
    // The same row again (the 10 s full read), an older one, and a same-state newer check.
    h.monitor.observe(
      "b",
      { state: "down", since: T0 + 10_000, last: first, failStreak: 2 },
      "node-b",
    );
    h.monitor.observe("b", {
      state: "up",
      since: T0,
      last: check(T0 + 5000, true, "up"),
      failStreak: 0,
    }, "node-b");
    const second = check(T0 + 20_000, false, "down");
    h.monitor.observe(
      "b",
      { state: "down", since: T0 + 10_000, last: second, failStreak: 3 },
      "node-b",
    );
    assertEquals(kinds(h.seen), ["state-change:b@node-b", "result:b@node-b", "result:b@node-b"]);
    const st = h.monitor.status("b")!;
    assertEquals([st.state, st.last, st.failStreak], ["down", second, 3]);
    // An owned stream and an unknown one are not taken from others.
    h.monitor.observe("a", {
      state: "down",
      since: T0,
      last: check(T0 + 90_000, false, "down"),
      failStreak: 9,
    }, "node-b");
    h.monitor.observe("zzz", { state: "down", since: T0, failStreak: 1 }, "node-b");
    assertEquals(h.seen.length, 3);
    assertEquals(h.monitor.status("a")!.state, "up");
    assertEquals(h.rec.checks.map(([n]) => n), ["a"]);
    assertEquals(h.rec.changes, ["a:unknown->up"]);
    assertEquals([h.monitor.owner("a"), h.monitor.owner("b"), h.monitor.owner("c")], [
      "node-a",
      "node-b",
      undefined,
    ]);
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() applyMedia() is ignored for a stream this node does not own", async () => {
  const h = engine({ owned: new Set() });
  try {
    h.monitor.applyMedia("a", { state: "down", message: "no video", details: {}, latencyMs: 1 });
    assertEquals([h.rec.checks, h.seen, h.monitor.stats().fenced], [[], [], 0]);
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() resumes from restored states passed in, without reading the store", async () => {
  const rec = recorder();
  const restored = new Map([["a", { state: "down" as const, since: T0, failStreak: 5 }]]);
  const h = engine({ rec, restored, owned: new Set() });
  try {
    assertEquals(rec.reads(), 0);
    const st = h.monitor.status("a")!;
    assertEquals([st.state, st.since, st.failStreak], ["down", T0, 5]);
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() fills in stored states that a store answers with a Promise, silently", async () => {
  const states = new Map([["b", { state: "degraded" as const, since: T0, failStreak: 1 }]]);
  const h = engine({ rec: recorder(states, { async: true }), owned: new Set() });
  try {
    assertEquals(h.monitor.status("b")!.state, "unknown"); // not arrived yet
    await until("restored", () => h.monitor.status("b")!.state === "degraded");
    assertEquals([h.monitor.status("b")!.since, h.monitor.status("b")!.failStreak], [T0, 1]);
    assertEquals(h.seen, []); // a restore is no state change
  } finally {
    await h.stop();
  }
});

Deno.test("createMonitor() a stream renamed by id stays owned", async () => {
  const h = engine({ owned: new Set(["a"]), streams: [stream("a", { id: "x" }), stream("b")] });
  try {
    await until("a checked", () => h.calls.length === 1);
    h.monitor.applyStreams([stream("a2", { id: "x" }), stream("b")]);
    assertEquals([h.monitor.owns("a2"), h.monitor.owns("a"), h.monitor.owns("b")], [
      true,
      false,
      false,
    ]);
    assertEquals(h.monitor.stats().streams, 1);
  } finally {
    await h.stop();
  }
});
