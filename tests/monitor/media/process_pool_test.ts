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
