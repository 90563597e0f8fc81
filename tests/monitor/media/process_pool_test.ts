import { assert, assertEquals } from "../../assert.ts";
import { createProcessPool } from "../../../monitor/media/process_pool.ts";

const alive = (pid: number) => {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
};

Deno.test("createProcessPool() returns exit code, stdout and stderr of a child", async () => {
  const pool = createProcessPool({ max: 2 });
  const res = await pool.run("sh", ["-c", "printf out; printf err >&2; exit 3"], {
    timeoutMs: 5000,
  });
  assertEquals([res.code, new TextDecoder().decode(res.stdout), res.stderr], [3, "out", "err"]);
  assertEquals([res.timedOut, res.aborted, res.truncated], [false, false, false]);
});

Deno.test("createProcessPool() never runs more children than its cap", async () => {
  const pool = createProcessPool({ max: 2 });
  let peak = 0;
  const watch = setInterval(() => peak = Math.max(peak, pool.stats().running), 10);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, () => pool.run("sleep", ["0.3"], { timeoutMs: 5000 })),
  );
  clearInterval(watch);
  assertEquals(peak, 2);
  assert(performance.now() - t0 >= 550, "4 × 0.3 s with 2 slots takes ≥ 0.6 s");
  assertEquals(pool.stats().started, 4);
});

Deno.test("createProcessPool() kills a child on timeout and on abort, and waits for it", async () => {
  const pool = createProcessPool({ max: 2 });
  const slow = pool.run("sleep", ["30"], { timeoutMs: 200 });
  const ctrl = new AbortController();
  const aborted = pool.run("sleep", ["30"], { timeoutMs: 30_000, signal: ctrl.signal });
  await new Promise((r) => setTimeout(r, 100));
  const pids = pool.pids();
  assertEquals(pids.length, 2);
  ctrl.abort();
  const [a, b] = await Promise.all([slow, aborted]);
  assertEquals([a.timedOut, a.code, b.aborted, b.code], [true, null, true, null]);
  for (const pid of pids) assert(!alive(pid), `pid ${pid} still alive`);
});

Deno.test("createProcessPool() gives up waiting for a slot when the signal aborts", async () => {
  const pool = createProcessPool({ max: 1 });
  const first = pool.run("sleep", ["0.3"], { timeoutMs: 5000 });
  const ctrl = new AbortController();
  const queued = pool.run("sleep", ["0.3"], { timeoutMs: 5000, signal: ctrl.signal });
  ctrl.abort(new Error("stop"));
  const err = await queued.catch((e) => e);
  assertEquals(String(err), "Error: stop");
  await first;
  assertEquals(pool.stats().started, 1);
});

Deno.test("createProcessPool() killAll() leaves no child behind", async () => {
  const pool = createProcessPool({ max: 3 });
  const runs = [1, 2, 3].map(() => pool.run("sleep", ["30"], { timeoutMs: 30_000 }));
  await new Promise((r) => setTimeout(r, 100));
  const pids = pool.pids();
  await pool.killAll();
  await Promise.all(runs);
  assertEquals(pids.length, 3);
  for (const pid of pids) assert(!alive(pid), `pid ${pid} still alive`);
  assertEquals(pool.stats().running, 0);
});

Deno.test("createProcessPool() kills a child whose stdout passes the limit", async () => {
  const pool = createProcessPool({ max: 1 });
  const res = await pool.run("yes", [], { timeoutMs: 5000, maxStdoutBytes: 1 << 16 });
  assert(res.truncated);
  assert(res.stdout.length <= 1 << 16);
});

Deno.test("createProcessPool() does not hang on a grandchild that holds the pipes", async () => {
  const pool = createProcessPool({ max: 1 });
  const res = await pool.run("sh", ["-c", "sleep 30 & echo $!; sleep 30"], { timeoutMs: 200 });
  const orphan = Number(new TextDecoder().decode(res.stdout).trim());
  assert(res.timedOut && orphan > 0, `stdout ${new TextDecoder().decode(res.stdout)}`);
  Deno.kill(orphan, "SIGKILL"); // the pool only kills its direct child; end ours by pid
});

Deno.test("ProcessPool.stream() counts a streaming child in the pool and kills it on abort", async () => {
  const pool = createProcessPool({ max: 2 });
  const ctrl = new AbortController();
  const child = await pool.stream("sh", ["-c", "echo hello; sleep 30"], {
    timeoutMs: 30_000,
    signal: ctrl.signal,
  });
  assert(child, "a slot was free");
  const first = await child.stdout.getReader().read();
  assertEquals(new TextDecoder().decode(first.value), "hello\n", "stdout arrives as it comes");
  assertEquals(pool.pids(), [child.pid]);
  const s = pool.stats();
  assertEquals([s.running, s.streaming, s.started], [1, 1, 1]);
  ctrl.abort();
  await child.exited;
  assert(!alive(child.pid), "killed");
  const after = pool.stats();
  assertEquals([after.running, after.streaming, after.killed], [0, 0, 1]);
});

Deno.test("ProcessPool.stream() children end on timeoutMs and on killAll()", async () => {
  const pool = createProcessPool({ max: 4 });
  const timed = await pool.stream("sleep", ["30"], { timeoutMs: 200 });
  const other = await pool.stream("sleep", ["30"], { timeoutMs: 30_000 });
  assert(timed && other);
  const t0 = performance.now();
  await timed.exited;
  assert(performance.now() - t0 < 2000, "the time limit killed it");
  await pool.killAll();
  await other.exited;
  assert(!alive(timed.pid) && !alive(other.pid));
  assertEquals(pool.stats().running, 0);
});

Deno.test("ProcessPool.stream() holds at most half the slots, so checks keep the rest", async () => {
  const pool = createProcessPool({ max: 4 });
  const a = await pool.stream("sleep", ["30"], { timeoutMs: 30_000 });
  const b = await pool.stream("sleep", ["30"], { timeoutMs: 30_000 });
  const c = await pool.stream("sleep", ["30"], { timeoutMs: 30_000 });
  assert(a && b, "two of four slots");
  assertEquals(c, undefined, "a third is refused at once");
  assertEquals(pool.stats().maxStreaming, 2);
  const t0 = performance.now();
  const checks = await Promise.all([1, 2].map(() => pool.run("true", [], { timeoutMs: 5000 })));
  assertEquals(checks.map((r) => r.code), [0, 0]);
  assert(performance.now() - t0 < 2000, "checks ran beside the streams without waiting");
  await pool.killAll();
  await Promise.all([a.exited, b.exited]);
  assertEquals(createProcessPool({ max: 1 }).stats().maxStreaming, 1);
});

Deno.test("ProcessPool.stream() waits behind queued checks, never ahead, and only for waitMs", async () => {
  const pool = createProcessPool({ max: 1 });
  const t0 = performance.now();
  const holding = pool.run("sleep", ["0.3"], { timeoutMs: 5000 });
  const queued = pool.run("sleep", ["0.3"], { timeoutMs: 5000 });
  // Gives up: the check ahead of it needs the slot for 0.6 s.
  assertEquals(await pool.stream("sleep", ["30"], { timeoutMs: 30_000, waitMs: 100 }), undefined);
  assertEquals(pool.stats().streaming, 0);
  const child = await pool.stream("sleep", ["30"], { timeoutMs: 30_000, waitMs: 5000 });
  assert(child, "its turn came");
  const started = performance.now() - t0;
  await Promise.all([holding, queued]);
  assert(started >= 550, `it started after both checks (${Math.round(started)} ms)`);
  child.kill();
  await child.exited;
  assertEquals(pool.stats().running, 0);
});

Deno.test("ProcessPool.stream() rejects with the signal's reason when aborted in line", async () => {
  const pool = createProcessPool({ max: 1 });
  const holding = pool.run("sleep", ["0.3"], { timeoutMs: 5000 });
  const ctrl = new AbortController();
  const waiting = pool.stream("sleep", ["30"], { timeoutMs: 30_000, signal: ctrl.signal });
  ctrl.abort(new Error("tab closed"));
  assertEquals(String(await waiting.catch((e) => e)), "Error: tab closed");
  await holding;
  assertEquals([pool.stats().started, pool.stats().streaming], [1, 0]);
});
