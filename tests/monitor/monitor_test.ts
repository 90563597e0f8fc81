/**
 * createMonitor(): the engine with a real store on a temp file, a real bus, and small in-test
 * probes through `selectProbe` (its declared seams). The injected clock moves 1 s per probe call,
 * so records have distinct timestamps; the scheduler waits on real timers, so every wait here is
 * for a bus event, with a generous bound, never a fixed sleep.
 */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { type Bus, type BusEvents, createBus } from "../../monitor/bus.ts";
import { createLogger } from "../../monitor/log.ts";
import { CONFIRM_TIMEOUT_MS, createMonitor, type Monitor } from "../../monitor/monitor.ts";
import type { MediaVerdict } from "../../monitor/status/state.ts";
import { openStore, type SyncStore as Store } from "../../monitor/store/mod.ts";
import type {
  Probe,
  ProbeContext,
  ProbeKind,
  ProbeResult,
  StreamConfig,
} from "../../monitor/types.ts";

const T0 = Date.UTC(2025, 10, 1, 12);

const stream = (name: string, over: Partial<StreamConfig> = {}): StreamConfig => ({
  name,
  url: `rtsp://cam.test/${name}`,
  enabled: true,
  intervalSeconds: 60, // one check per test unless a test asks for more
  timeoutSeconds: 5,
  tags: [],
  tlsInsecure: false,
  ...over,
});

const pass = (message = "RTSP 200"): ProbeResult => ({
  ok: true,
  latencyMs: 12,
  message,
  details: {},
});
const fail = (message = "connection refused"): ProbeResult => ({
  ok: false,
  latencyMs: 3,
  message,
  details: {},
});

type Answer = ProbeResult | Error | ((ctx: ProbeContext) => Promise<ProbeResult>);

/** A probe giving `answers` in turn (the last one repeats) and remembering every call. */
function scripted(kind: ProbeKind, ...answers: Answer[]) {
  const calls: Array<{ stream: StreamConfig; ctx: ProbeContext }> = [];
  const probe: Probe = {
    kind,
    check(s, ctx) {
      calls.push({ stream: s, ctx });
      const a = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (a instanceof Error) return Promise.reject(a);
      return typeof a === "function" ? a(ctx) : Promise.resolve(structuredClone(a));
    },
  };
  return { probe, calls };
}

/** A probe that holds every check until its signal aborts; `called` resolves with the context. */
function blocking(kind: ProbeKind = "rtsp") {
  let called!: (ctx: ProbeContext) => void;
  const started = new Promise<ProbeContext>((r) => called = r);
  const probe: Probe = {
    kind,
    check: (_s, ctx) =>
      new Promise((resolve) => {
        called(ctx);
        ctx.signal.addEventListener("abort", () => resolve(pass("answered after abort")));
      }),
  };
  return { probe, started };
}

/** A probe counting its checks in the per-stream memory: "<kind> check <n>". */
const counting = (kind: ProbeKind): Probe => ({
  kind,
  check(_s, ctx) {
    const n = ((ctx.memory.n as number | undefined) ?? 0) + 1;
    ctx.memory.n = n;
    return Promise.resolve(pass(`${kind} check ${n}`));
  },
});

/** Resolves with the next `n` payloads of `type` on the bus; rejects after `ms`. */
function next<K extends keyof BusEvents>(
  bus: Bus,
  type: K,
  n = 1,
  ms = 5000,
): Promise<BusEvents[K][]> {
  return new Promise((resolve, reject) => {
    const got: BusEvents[K][] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${got.length} of ${n} "${type}" events within ${ms} ms`));
    }, ms);
    const off = bus.on(type, (p) => {
      got.push(p);
      if (got.length < n) return;
      clearTimeout(timer);
      off();
      resolve(got);
    });
  });
}

type Event =
  | { type: "result"; payload: BusEvents["result"] }
  | { type: "state-change"; payload: BusEvents["state-change"] };

interface Engine {
  monitor: Monitor;
  store: Store;
  bus: Bus;
  logs: string[];
  /** Every result and state-change, in emit order. */
  events: Event[];
  /** The clock the monitor and the store read (moves 1 s per probe call). */
  clock: { t: number };
  /** Starts run(); the harness stops it at the end anyway. */
  start(): void;
  /** Stops run() and waits until its checks have ended. */
  stop(): Promise<void>;
}

/** State changes seen so far as "from->to". */
const changes = (events: Event[]) =>
  events.flatMap((e) => e.type === "state-change" ? [`${e.payload.from}->${e.payload.to}`] : []);

/** Builds an engine on a database in `dir` (a fresh temp dir by default), runs `fn`, cleans up. */
async function withEngine(
  selectProbe: (s: StreamConfig) => Probe,
  fn: (e: Engine) => Promise<void> | void,
  opts: { dir?: string; clock?: { t: number } } = {},
) {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "sp-monitor-" });
  const clock = opts.clock ?? { t: T0 };
  const now = () => clock.t;
  const store = openStore(`${dir}/streams.db`, { now, flushIntervalMs: 60_000 });
  const listenerErrors: unknown[] = [];
  const bus = createBus((err) => listenerErrors.push(err));
  const events: Event[] = [];
  bus.on("result", (payload) => events.push({ type: "result", payload }));
  bus.on("state-change", (payload) => events.push({ type: "state-change", payload }));
  const logs: string[] = [];
  const ticking = (s: StreamConfig): Probe => {
    const p = selectProbe(s);
    return {
      kind: p.kind,
      check: (st, ctx) => {
        clock.t += 1000;
        return p.check(st, ctx);
      },
    };
  };
  const monitor = createMonitor({
    store,
    bus,
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    selectProbe: ticking,
    maxConcurrent: 4,
    recheckDelayMs: 10,
    now,
  });
  const ctrl = new AbortController();
  let running: Promise<void> | undefined;
  const stop = async () => {
    ctrl.abort();
    await running;
  };
  try {
    await fn({
      monitor,
      store,
      bus,
      logs,
      events,
      clock,
      start: () => void (running ??= monitor.run(ctrl.signal)),
      stop,
    });
    assertEquals(listenerErrors, []);
  } finally {
    await stop();
    store.close();
    if (!opts.dir) await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `fn` with a temp dir that outlives one engine (for restarts). */
async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "sp-monitor-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const verdict = (state: MediaVerdict["state"], message: string): MediaVerdict => ({
  state,
  message,
  details: { codec: "h264" },
  latencyMs: 4000,
});

Deno.test("createMonitor() applyStreams() registers new streams as unknown, in config order", async () => {
  const { probe, calls } = scripted("http", pass());
  await withEngine(() => probe, ({ monitor, store, events }) => {
    const streams = [stream("b"), stream("a", { enabled: false }), stream("c")];
    monitor.applyStreams(streams);
    assertEquals(monitor.streams(), streams); // disabled ones too
    assertEquals(monitor.statuses().map((s) => s.name), ["b", "a", "c"]);
    assertEquals(monitor.status("a"), {
      name: "a",
      kind: "http",
      state: "unknown",
      since: T0,
      last: undefined,
      failStreak: 0,
    });
    assertEquals(monitor.status("nope"), undefined);
    assertEquals(store.streamNames(), ["a", "b", "c"]);
    assertEquals(store.lastStates().get("b")?.kind, "http");
    // Nothing is checked before run().
    assertEquals([calls.length, events.length], [0, 0]);
  });
});

Deno.test("createMonitor() a passing check is stored, turns the stream up and reaches the bus", async () => {
  const { probe, calls } = scripted("rtsp", { ...pass(), details: { codec: "h264" } });
  await withEngine(() => probe, async ({ monitor, store, bus, events, logs, start }) => {
    monitor.applyStreams([stream("cam"), stream("off", { enabled: false })]);
    const result = next(bus, "result");
    start();
    const [r] = await result;
    const record = {
      ts: T0 + 1000,
      ok: true,
      state: "up" as const,
      latencyMs: 12,
      message: "RTSP 200",
      details: { codec: "h264" },
    };
    assertEquals([r.name, r.record], ["cam", record]);
    // The state change comes first; both carry the live status object.
    assertEquals(events.map((e) => e.type), ["state-change", "result"]);
    const change = events[0].payload as BusEvents["state-change"];
    assertEquals(
      [change.name, change.from, change.to, change.ts, change.cause],
      ["cam", "unknown", "up", T0 + 1000, "RTSP 200"],
    );
    const status = monitor.status("cam")!;
    assert(change.status === status && r.status === status);
    assertEquals([status.state, status.since, status.failStreak], ["up", T0 + 1000, 0]);
    assertEquals(status.last, record);
    // The probe got the stream, its full time budget, a live signal and the clock.
    assertEquals(calls.length, 1); // the disabled stream is not checked
    assertEquals(calls[0].stream.name, "cam");
    assertEquals(calls[0].ctx.timeoutMs, 5000);
    assertEquals(calls[0].ctx.now(), T0 + 1000);
    assertEquals(monitor.status("off")!.state, "unknown");
    assertEquals(store.history("cam"), [record]);
    assertEquals(store.lastStates().get("cam")?.state, "up");
    assertEquals(store.incidents("cam"), []);
    assertEquals([monitor.stats().streams, monitor.stats().checks], [1, 1]);
    assertStringIncludes(logs.join("\n"), 'INFO stream "cam" unknown -> up: RTSP 200');
  });
});

Deno.test("createMonitor() confirms a first failure with a quick re-check before going down", async () => {
  const { probe, calls } = scripted("rtsp", fail("connection refused"), fail("still refused"));
  await withEngine(() => probe, async ({ monitor, store, bus, events, start }) => {
    monitor.applyStreams([stream("cam", { timeoutSeconds: 5 })]);
    const results = next(bus, "result", 2);
    start();
    const [first, second] = await results;
    // The first failure keeps the state and asks for the re-check...
    assertEquals([first.record.ok, first.record.state], [false, "unknown"]);
    // ...which runs with the short confirming budget and confirms: down.
    assertEquals([second.record.ok, second.record.state], [false, "down"]);
    assertEquals(calls.map((c) => c.ctx.timeoutMs), [5000, CONFIRM_TIMEOUT_MS]);
    assertEquals(events.map((e) => e.type), ["result", "state-change", "result"]);
    assertEquals(changes(events), ["unknown->down"]);
    const change = events[1].payload as BusEvents["state-change"];
    assertEquals([change.ts, change.cause], [T0 + 2000, "still refused"]);
    const status = monitor.status("cam")!;
    assertEquals([status.state, status.since, status.failStreak], ["down", T0 + 2000, 2]);
    assertEquals(store.history("cam").map((c) => c.message), [
      "still refused",
      "connection refused",
    ]);
    const incidents = store.incidents("cam");
    assertEquals(incidents.length, 1);
    assertEquals(
      [incidents[0].state, incidents[0].start, incidents[0].end, incidents[0].cause],
      ["down", T0 + 2000, null, "still refused"],
    );
  });
});

Deno.test("createMonitor() gives the confirming re-check no more time than the stream's timeout", async () => {
  const { probe, calls } = scripted("rtsp", fail());
  await withEngine(() => probe, async ({ monitor, bus, start }) => {
    monitor.applyStreams([stream("cam", { timeoutSeconds: 1 })]);
    const results = next(bus, "result", 2);
    start();
    await results;
    assertEquals(calls.map((c) => c.ctx.timeoutMs), [1000, 1000]);
  });
});

Deno.test("createMonitor() one failure between passes does not flap the state", async () => {
  const { probe } = scripted("rtsp", pass(), fail("lost a packet"), pass());
  await withEngine(() => probe, async ({ monitor, store, bus, events, start }) => {
    monitor.applyStreams([stream("cam", { intervalSeconds: 0.05 })]);
    const results = next(bus, "result", 3);
    start();
    const r = await results;
    assertEquals(r.map((x) => [x.record.ok, x.record.state]), [
      [true, "up"],
      [false, "up"], // failed, not yet confirmed
      [true, "up"],
    ]);
    assertEquals(changes(events), ["unknown->up"]);
    assertEquals(monitor.status("cam")!.failStreak, 0);
    assertEquals(monitor.status("cam")!.since, T0 + 1000);
    assertEquals(store.incidents("cam"), []);
  });
});

Deno.test("createMonitor() a down stream comes back up on its first passing check", async () => {
  const { probe } = scripted("rtsp", fail(), fail(), pass("back"));
  await withEngine(() => probe, async ({ monitor, store, bus, events, start }) => {
    monitor.applyStreams([stream("cam", { intervalSeconds: 0.05 })]);
    const results = next(bus, "result", 3);
    start();
    await results;
    assertEquals(changes(events), ["unknown->down", "down->up"]);
    assertEquals(monitor.status("cam")!.state, "up");
    const [incident] = store.incidents("cam");
    assertEquals([incident.start, incident.end, incident.endCause], [T0 + 2000, T0 + 3000, "back"]);
  });
});

Deno.test("createMonitor() a throwing probe counts as a failed check and is logged", async () => {
  const { probe } = scripted("http", new Error("boom"));
  await withEngine(() => probe, async ({ monitor, bus, logs, start }) => {
    monitor.applyStreams([stream("cam")]);
    const results = next(bus, "result", 2);
    start();
    const r = await results;
    assertEquals(r.map((x) => x.record.message), ["probe error: boom", "probe error: boom"]);
    assertEquals(monitor.status("cam")!.state, "down");
    assertStringIncludes(logs.join("\n"), 'WARN probe http threw for "cam": Error: boom');
  });
});

Deno.test("createMonitor() keeps the stream's password out of messages, causes, history and logs", async () => {
  const url = "rtsp://admin:s3cr%21t@cam.test/live";
  const { probe } = scripted(
    "rtsp",
    fail(`DESCRIBE ${url} failed: 401 for password s3cr!t`),
  );
  await withEngine(() => probe, async ({ monitor, store, bus, events, logs, start }) => {
    monitor.applyStreams([stream("cam", { url })]);
    const results = next(bus, "result", 2);
    start();
    const r = await results;
    assertEquals(
      r[0].record.message,
      "DESCRIBE rtsp://***@cam.test/live failed: 401 for password ***",
    );
    const texts = [
      ...events.map((e) => e.type === "result" ? e.payload.record.message : e.payload.cause),
      ...store.history("cam").map((c) => c.message),
      ...store.incidents("cam").map((i) => i.cause),
      ...logs,
    ];
    assertEquals(texts.length, 3 + 2 + 1 + logs.length);
    for (const t of texts) assert(!t.includes("s3cr"), `leaked in ${JSON.stringify(t)}`);
  });
});

Deno.test("createMonitor() applyStreams() removing a stream discards its check in flight", async () => {
  const slow = blocking();
  const { probe: quick } = scripted("rtsp", pass("second life"));
  let active = slow.probe;
  await withEngine(() => active, async ({ monitor, store, bus, events, start }) => {
    monitor.applyStreams([stream("cam")]);
    start();
    const ctx = await slow.started;
    monitor.applyStreams([]);
    assertEquals(monitor.status("cam"), undefined);
    assertEquals(monitor.statuses(), []);
    assertEquals(monitor.streams(), []);
    assert(ctx.signal.aborted);
    assertEquals((ctx.signal.reason as Error).message, "stream removed");
    // Added back: a fresh check runs, and the abandoned one never shows up.
    active = quick;
    const result = next(bus, "result");
    monitor.applyStreams([stream("cam")]);
    const [r] = await result;
    assertEquals(r.record.message, "second life");
    assertEquals(events.filter((e) => e.type === "result").length, 1);
    assertEquals(store.history("cam").map((c) => c.message), ["second life"]);
  });
});

Deno.test("createMonitor() run() stopping discards the check in flight", async () => {
  const slow = blocking();
  await withEngine(() => slow.probe, async ({ monitor, store, events, start, stop }) => {
    monitor.applyStreams([stream("cam")]);
    start();
    const ctx = await slow.started;
    await stop(); // resolves once the check has ended
    assert(ctx.signal.aborted);
    assertEquals(events, []);
    assertEquals(monitor.status("cam")!.state, "unknown");
    assertEquals(store.history("cam"), []);
  });
});

Deno.test("createMonitor() applyStreams() resets probe memory of a changed stream only", async () => {
  const probes = { rtsp: counting("rtsp"), hls: counting("hls") };
  const select = (s: StreamConfig) => s.kind === "hls" ? probes.hls : probes.rtsp;
  await withEngine(select, async ({ monitor, bus, start }) => {
    const cam = stream("cam", { intervalSeconds: 0.05 });
    monitor.applyStreams([cam]);
    let results = next(bus, "result", 2);
    start();
    assertEquals((await results).map((r) => r.record.message), ["rtsp check 1", "rtsp check 2"]);

    results = next(bus, "result");
    monitor.applyStreams([{ ...cam }]); // the same config again: memory kept
    assertEquals((await results)[0].record.message, "rtsp check 3");

    results = next(bus, "result");
    monitor.applyStreams([{ ...cam, kind: "hls" }]);
    assertEquals(monitor.status("cam")!.kind, "hls"); // at once, before any check
    assertEquals(monitor.status("cam")!.state, "up"); // the state survives the change
    assertEquals((await results)[0].record.message, "hls check 1");

    results = next(bus, "result");
    monitor.applyStreams([{ ...cam, kind: "hls", tags: ["lobby"] }]);
    assertEquals((await results)[0].record.message, "hls check 1");
  });
});

Deno.test("createMonitor() restores state, since, last check and fail streak from the store", async () => {
  await withDir(async (dir) => {
    const { probe } = scripted("rtsp", fail(), fail("gone"));
    await withEngine(() => probe, async ({ monitor, bus, start }) => {
      monitor.applyStreams([stream("cam")]);
      const results = next(bus, "result", 2);
      start();
      await results;
    }, { dir });

    const { probe: later } = scripted("rtsp", pass());
    await withEngine(() => later, ({ monitor }) => {
      monitor.applyStreams([stream("cam"), stream("new")]);
      const st = monitor.status("cam")!;
      assertEquals([st.state, st.since, st.failStreak], ["down", T0 + 2000, 2]);
      assertEquals([st.last?.message, st.last?.ts, st.last?.state], ["gone", T0 + 2000, "down"]);
      const fresh = monitor.status("new")!;
      assertEquals([fresh.state, fresh.since, fresh.last], ["unknown", T0 + 50_000, undefined]);
    }, { dir, clock: { t: T0 + 50_000 } });
  });
});

// Bug found while writing this: `restored` is read once at startup, so a stream removed and added
// back came back with the state it had at startup ("down" here) and the next check emitted a
// spurious down -> up.
Deno.test("createMonitor() a stream removed and added back keeps its latest state", async () => {
  await withDir(async (dir) => {
    const { probe } = scripted("rtsp", fail());
    await withEngine(() => probe, async ({ monitor, bus, start }) => {
      monitor.applyStreams([stream("cam")]);
      const results = next(bus, "result", 2);
      start();
      await results;
    }, { dir });

    const { probe: healthy } = scripted("rtsp", pass("healthy"));
    await withEngine(() => healthy, async ({ monitor, bus, events, start }) => {
      monitor.applyStreams([stream("cam")]);
      assertEquals(monitor.status("cam")!.state, "down");
      const result = next(bus, "result");
      start();
      await result;
      assertEquals(monitor.status("cam")!.state, "up");
      const since = monitor.status("cam")!.since;
      monitor.applyStreams([]);
      monitor.applyStreams([stream("cam")]);
      const st = monitor.status("cam")!;
      assertEquals([st.state, st.since, st.last?.message], ["up", since, "healthy"]);
      const again = next(bus, "result");
      await again;
      assertEquals(changes(events), ["down->up"]);
    }, { dir, clock: { t: T0 + 50_000 } });
  });
});

Deno.test("createMonitor() probeOnce() checks without touching state, history or the bus", async () => {
  const { probe, calls } = scripted("http", (ctx) => {
    ctx.memory.seen = ((ctx.memory.seen as number | undefined) ?? 0) + 1;
    return Promise.resolve(fail(`seen ${ctx.memory.seen}`));
  });
  await withEngine(() => probe, async ({ monitor, store, events }) => {
    const cam = stream("cam");
    monitor.applyStreams([cam]);
    assertEquals(await monitor.probeOnce(cam), fail("seen 1"));
    assertEquals(await monitor.probeOnce(cam), fail("seen 1")); // fresh memory every time
    assertEquals(await monitor.probeOnce(stream("not-configured")), fail("seen 1"));
    assertEquals(calls.map((c) => c.ctx.timeoutMs), [5000, 5000, 5000]);
    assertEquals(events, []);
    assertEquals(monitor.status("cam")!.state, "unknown");
    assertEquals(monitor.status("cam")!.last, undefined);
    assertEquals(store.history("cam"), []);
    assertEquals(store.streamNames(), ["cam"]);
    // Once the check is over its signal is aborted, so leftover probe work stops.
    assert(calls[0].ctx.signal.aborted);
    assertEquals((calls[0].ctx.signal.reason as DOMException).name, "AbortError");
  });
});

Deno.test("createMonitor() probeOnce() aborts the probe's signal at the deadline with a TimeoutError", async () => {
  const { probe } = scripted("http", (ctx) =>
    new Promise((resolve) => {
      ctx.signal.addEventListener("abort", () => {
        resolve(fail(`aborted: ${(ctx.signal.reason as DOMException).name}`));
      });
    }));
  await withEngine(() => probe, async ({ monitor }) => {
    const res = await monitor.probeOnce(stream("cam", { timeoutSeconds: 0.05 }));
    assertEquals(res.message, "aborted: TimeoutError");
  });
});

Deno.test("createMonitor() probeOnce() ends a probe that ignores its signal as a hard timeout", async () => {
  const { probe } = scripted("http", () => new Promise(() => {}));
  await withEngine(() => probe, async ({ monitor }) => {
    // The deadline (50 ms) aborts the signal; 1 s later the check ends regardless.
    const res = await monitor.probeOnce(stream("cam", { timeoutSeconds: 0.05 }));
    assertEquals([res.ok, res.message, res.details], [false, "timeout", { hardTimeout: true }]);
    assert(res.latencyMs >= 1000, `latency ${res.latencyMs}`);
  });
});

Deno.test("createMonitor() probeOnce() passes the caller's abort on to the probe", async () => {
  const slow = blocking("http");
  await withEngine(() => slow.probe, async ({ monitor }) => {
    const ctrl = new AbortController();
    const running = monitor.probeOnce(stream("cam"), ctrl.signal);
    const ctx = await slow.started;
    const reason = new Error("user left the page");
    ctrl.abort(reason);
    assertEquals((await running).message, "answered after abort");
    assert(ctx.signal.reason === reason);
  });
  const { probe, calls } = scripted("http", pass());
  await withEngine(() => probe, async ({ monitor }) => {
    const reason = new Error("already gone");
    await monitor.probeOnce(stream("cam"), AbortSignal.abort(reason));
    assert(calls[0].ctx.signal.aborted && calls[0].ctx.signal.reason === reason);
  });
});

Deno.test("createMonitor() applyMedia() folds a degraded picture in at once and into later checks", async () => {
  const { probe } = scripted("rtsp", { ...pass("RTSP 200"), details: { tracks: 1 } });
  await withEngine(() => probe, async ({ monitor, store, bus, events, start }) => {
    const cam = stream("cam", { intervalSeconds: 0.05 });
    monitor.applyStreams([cam]);
    const first = next(bus, "result");
    start();
    await first;
    const changed = next(bus, "state-change");
    monitor.applyMedia("cam", verdict("degraded", "picture frozen for 45 s"));
    const [change] = await changed; // emitted synchronously inside applyMedia()
    assertEquals([change.from, change.to, change.cause], [
      "up",
      "degraded",
      "picture frozen for 45 s",
    ]);
    const st = monitor.status("cam")!;
    assertEquals(st.state, "degraded");
    assertEquals(st.last!.ok, true);
    assertEquals(st.last!.latencyMs, 12); // the handshake's, not the media check's 4 s
    assertEquals(st.last!.details, { tracks: 1, media: { codec: "h264", durationMs: 4000 } });
    // The next handshake check passes, but the verdict still holds until the next one.
    const later = next(bus, "result");
    const [r] = await later;
    assertEquals([r.record.state, r.record.message], ["degraded", "picture frozen for 45 s"]);
    assertEquals(changes(events), ["unknown->up", "up->degraded"]);
    assertEquals(store.incidents("cam")[0].state, "degraded");
    // A verdict for a stream that is not configured is ignored.
    const before = events.length;
    monitor.applyMedia("ghost", verdict("down", "no video"));
    assertEquals([events.length, monitor.status("ghost")], [before, undefined]);
  });
});

Deno.test("createMonitor() applyMedia() with no video goes down at once, without a re-check", async () => {
  const { probe, calls } = scripted("rtsp", pass());
  await withEngine(() => probe, async ({ monitor, bus, events, start }) => {
    monitor.applyStreams([stream("cam")]);
    const first = next(bus, "result");
    start();
    await first;
    monitor.applyMedia("cam", verdict("down", "no video in 10 s"));
    const st = monitor.status("cam")!;
    assertEquals([st.state, st.failStreak, st.last!.message], ["down", 1, "no video in 10 s"]);
    assertEquals(changes(events), ["unknown->up", "up->down"]);
    monitor.applyMedia("cam", verdict("up", "h264 1920x1080"));
    assertEquals(monitor.status("cam")!.state, "up");
    assertEquals(calls.length, 1); // the verdicts triggered no probe run
  });
});

// Bug found while writing this: applyMedia() took reachability from the last record's `ok`, which
// a "no video" verdict had set to false, so a frozen picture right after it stayed "down" until
// the next handshake check.
Deno.test("createMonitor() applyMedia() a frozen picture after no video is degraded at once", async () => {
  const { probe } = scripted("rtsp", pass());
  await withEngine(() => probe, async ({ monitor, bus, start }) => {
    monitor.applyStreams([stream("cam")]);
    const first = next(bus, "result");
    start();
    await first;
    monitor.applyMedia("cam", verdict("down", "no video in 10 s"));
    monitor.applyMedia("cam", verdict("degraded", "picture frozen for 45 s"));
    const st = monitor.status("cam")!;
    assertEquals([st.state, st.last!.message], ["degraded", "picture frozen for 45 s"]);
  });
});

/** A media verdict whose picture was not verified (an undecodable keyframe). */
const unverified = (): MediaVerdict => ({
  state: "degraded",
  verified: false,
  message: "picture not verified: keyframe not decodable",
  details: {
    codec: "h264",
    picture: { verified: false, reason: "picture not verified: keyframe not decodable" },
  },
  latencyMs: 4000,
});

Deno.test("createMonitor() applyMedia() with an unverified picture never ends an incident nor turns a stream up", async () => {
  const { probe } = scripted("rtsp", pass("RTSP 200"));
  await withEngine(() => probe, async ({ monitor, bus, events, start, store }) => {
    monitor.applyStreams([stream("cam", { intervalSeconds: 0.05 })]);
    const first = next(bus, "result");
    start();
    await first;
    monitor.applyMedia("cam", verdict("down", "no video in 10 s"));
    const streak = monitor.status("cam")!.failStreak;
    monitor.applyMedia("cam", unverified());
    let st = monitor.status("cam")!;
    assertEquals([st.state, st.failStreak, st.last!.message], ["down", streak, "no video in 10 s"]);
    const shown = st.last!.details.media as Record<string, unknown>;
    assertEquals((shown.picture as Record<string, unknown>).verified, false);
    // Later handshakes fold in the last verified verdict, and show the unverified details.
    const [r] = await next(bus, "result");
    assertEquals([r.record.state, r.record.message], ["down", "no video in 10 s"]);
    assertEquals(
      ((r.record.details.media as Record<string, unknown>).picture as Record<string, unknown>)
        .verified,
      false,
    );
    assertEquals(changes(events), ["unknown->up", "up->down"]);
    assertEquals(store.incidents("cam")[0].end, null, "the incident is still open");
    // A frozen picture stays frozen: the unverified check holds it too.
    monitor.applyMedia("cam", verdict("degraded", "picture frozen for 45 s"));
    monitor.applyMedia("cam", unverified());
    st = monitor.status("cam")!;
    assertEquals([st.state, st.last!.message], ["degraded", "picture frozen for 45 s"]);
    monitor.applyMedia("cam", verdict("up", "H264 320x240"));
    assertEquals(monitor.status("cam")!.state, "up");
    assertEquals(changes(events), ["unknown->up", "up->down", "down->degraded", "degraded->up"]);
  });
});

Deno.test("createMonitor() applyStreams() forgets the media verdict of a changed stream", async () => {
  const { probe } = scripted("rtsp", pass());
  await withEngine(() => probe, async ({ monitor, bus, start }) => {
    const cam = stream("cam");
    monitor.applyStreams([cam]);
    const first = next(bus, "result");
    start();
    await first;
    monitor.applyMedia("cam", verdict("degraded", "picture frozen for 45 s"));
    assertEquals(monitor.status("cam")!.state, "degraded");
    const result = next(bus, "result");
    monitor.applyStreams([{ ...cam, url: "rtsp://cam.test/other" }]); // checked again at once
    const [r] = await result;
    assertEquals([r.record.state, r.record.message], ["up", "RTSP 200"]);
    assertEquals(r.record.details.media, undefined);
  });
});
