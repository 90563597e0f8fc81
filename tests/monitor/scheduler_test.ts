import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { createScheduler } from "../../monitor/scheduler.ts";
import type { StreamConfig } from "../../monitor/types.ts";

const stream = (name: string, intervalSeconds = 1): StreamConfig => ({
  name,
  url: `rtsp://h/${name}`,
  enabled: true,
  intervalSeconds,
  timeoutSeconds: 1,
  tags: [],
  tlsInsecure: false,
});

Deno.test("createScheduler() checks every stream at start and then on its interval", async () => {
  const seen: Record<string, number[]> = {};
  const t0 = Date.now();
  const s = createScheduler({
    maxConcurrent: 10,
    startSpreadMs: 200,
    runCheck: (st) => {
      (seen[st.name] ??= []).push(Date.now() - t0);
      return Promise.resolve({ recheck: false });
    },
  });
  s.reconcile([stream("a"), stream("b"), { ...stream("c"), enabled: false }]);
  const ctrl = new AbortController();
  const running = s.run(ctrl.signal);
  await delay(2700); // phases 0 and 500 ms: checks near 0, 1000, 2000 and 100, 1500, 2500
  ctrl.abort();
  await running;
  assertEquals(Object.keys(seen).sort(), ["a", "b"]);
  for (const times of Object.values(seen)) {
    assert(times[0] < 300, `first check late: ${times}`);
    assertEquals(times.length, 3, `checks at ${times}`);
  }
  assertEquals(s.stats().onTime, s.stats().checks);
});

Deno.test("createScheduler() never runs two checks of one stream at once", async () => {
  let running = 0;
  let maxRunning = 0;
  const s = createScheduler({
    maxConcurrent: 10,
    runCheck: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await delay(1500); // longer than the interval
      running--;
      return { recheck: false };
    },
  });
  s.reconcile([stream("slow")]);
  const ctrl = new AbortController();
  const p = s.run(ctrl.signal);
  await delay(2000);
  ctrl.abort();
  await p;
  assertEquals(maxRunning, 1);
});

Deno.test("createScheduler() respects the global concurrency cap", async () => {
  let running = 0;
  let maxRunning = 0;
  const s = createScheduler({
    maxConcurrent: 3,
    startSpreadMs: 0,
    runCheck: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await delay(100);
      running--;
      return { recheck: false };
    },
  });
  s.reconcile(Array.from({ length: 12 }, (_, i) => stream(`s${i}`, 5)));
  const ctrl = new AbortController();
  const p = s.run(ctrl.signal);
  await delay(600);
  ctrl.abort();
  await p;
  assertEquals(maxRunning, 3);
  assertEquals(s.stats().checks, 12);
});

Deno.test("createScheduler() re-checks quickly when asked", async () => {
  const times: number[] = [];
  const t0 = Date.now();
  const s = createScheduler({
    maxConcurrent: 1,
    recheckDelayMs: 100,
    runCheck: () => {
      times.push(Date.now() - t0);
      return Promise.resolve({ recheck: times.length === 1 });
    },
  });
  s.reconcile([stream("x", 10)]);
  const ctrl = new AbortController();
  const p = s.run(ctrl.signal);
  await delay(400);
  ctrl.abort();
  await p;
  assertEquals(times.length, 2);
  assert(times[1] - times[0] < 250, `re-check came after ${times[1] - times[0]} ms`);
});

Deno.test("createScheduler() reconcile() touches only added, removed and changed streams", async () => {
  const counts: Record<string, number> = {};
  const aborted: string[] = [];
  const s = createScheduler({
    maxConcurrent: 10,
    startSpreadMs: 0,
    runCheck: async (st, signal) => {
      counts[st.name] = (counts[st.name] ?? 0) + 1;
      signal.addEventListener("abort", () => aborted.push(st.name));
      await delay(10);
      return { recheck: false };
    },
  });
  s.reconcile([stream("keep", 10), stream("drop", 10), stream("change", 10)]);
  const ctrl = new AbortController();
  const p = s.run(ctrl.signal);
  await delay(100);
  const res = s.reconcile([
    stream("keep", 10),
    { ...stream("change", 10), url: "rtsp://h/new" },
    stream("new", 10),
  ]);
  assertEquals(res, { added: ["new"], removed: ["drop"], changed: ["change"] });
  await delay(400);
  ctrl.abort();
  await p;
  assertEquals(counts, { keep: 1, drop: 1, change: 2, new: 1 });
});

Deno.test("createScheduler() run() returns at once when its signal is already aborted", async () => {
  let checks = 0;
  const s = createScheduler({
    maxConcurrent: 2,
    runCheck: () => {
      checks++;
      return Promise.resolve({ recheck: false });
    },
  });
  s.reconcile([stream("a"), stream("b")]);
  const ctrl = new AbortController();
  ctrl.abort();
  await s.run(ctrl.signal);
  assertEquals(checks, 0);
  assertEquals(s.stats().streams, 0);
});

Deno.test("createScheduler() reconcile() checks streams added while running at once, then spreads them over the interval", async () => {
  const seen: Record<string, number[]> = {};
  const s = createScheduler({
    maxConcurrent: 50,
    runCheck: (st) => {
      (seen[st.name] ??= []).push(Date.now());
      return Promise.resolve({ recheck: false });
    },
  });
  const ctrl = new AbortController();
  const p = s.run(ctrl.signal);
  // Twenty streams taken over together (say, from a fleet node that died).
  const t0 = Date.now();
  s.reconcile(Array.from({ length: 20 }, (_, i) => stream(`s${i}`, 2)));
  await delay(2500);
  ctrl.abort();
  await p;
  const firsts = Object.values(seen).map((t) => t[0] - t0);
  const seconds = Object.values(seen).map((t) => t[1] - t0);
  assertEquals(firsts.length, 20);
  assert(Math.max(...firsts) < 400, `first checks at ${firsts}`);
  for (const times of Object.values(seen)) {
    const gap = times[1] - times[0];
    assert(gap >= 250 && gap <= 2300, `second check ${gap} ms after the first`);
  }
  // Not bunched: the second checks cover much of the interval, not the first 250 ms.
  assert(Math.max(...seconds) - Math.min(...seconds) > 600, `second checks at ${seconds}`);
});
