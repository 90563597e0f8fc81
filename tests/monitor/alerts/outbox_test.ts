/** Tests of the alert outbox against a real HTTP receiver: retries, backoff, crashes, channels. */

import assert from "node:assert/strict";
import {
  afterFailure,
  attemptOutcome,
  backoffDelayMs,
  DEFAULT_BACKOFF,
} from "../../../monitor/alerts/backoff.ts";
import { createOutbox, type OutboxDeps } from "../../../monitor/alerts/outbox.ts";
import type { Channel } from "../../../monitor/alerts/types.ts";
import { openStore, type SyncStore as Store } from "../../../monitor/store/mod.ts";
import { openSqliteStore } from "../../../monitor/store/sqlite/mod.ts";
import { holdWriteLock } from "../../fixtures/sqlite_locker.ts";
import { alertOf, hookChannel } from "../../fixtures/outbox_proc.ts";

const FIXTURE = new URL("../../fixtures/outbox_proc.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;

/** What the receiver does with one request: answer, or hang until the client gives up. */
type Behaviour = Response | "hang";

/**
 * A webhook receiver on loopback. `next()` picks each request's behaviour; `accepted` counts
 * the 2xx answers per alert key (what the provider took). stop() ends the hanging requests and
 * refuses connections until start() serves again, on the same port when it is still free.
 */
function receiver(next: (key: string) => Behaviour = () => new Response("ok")) {
  const accepted = new Map<string, number>();
  const hanging = new Set<() => void>();
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  let port = 0;
  const handler = async (req: Request) => {
    const { key } = await req.json();
    const b = next(key);
    if (b === "hang") {
      await new Promise<void>((resolve) => hanging.add(resolve)); // until stop()
      return new Response("too late", { status: 504 });
    }
    if (b.ok) accepted.set(key, (accepted.get(key) ?? 0) + 1);
    return b;
  };
  const serve = (p: number) =>
    Deno.serve({ hostname: "127.0.0.1", port: p, onListen: () => {} }, handler);
  const r = {
    accepted,
    url: () => `http://127.0.0.1:${port}/hook`,
    start() {
      try {
        server = serve(port);
      } catch (err) {
        if (!(err instanceof Deno.errors.AddrInUse)) throw err;
        server = serve(0);
      }
      port = server.addr.port;
    },
    async stop() {
      for (const release of hanging) release();
      await server?.shutdown();
      server = undefined;
    },
  };
  r.start();
  return r;
}

async function until(what: string, cond: () => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `fn` with a fresh file store, an outbox over it and its loop; stops both after. */
async function withOutbox(
  channels: Map<string, Channel>,
  opts: Partial<OutboxDeps>,
  fn: (e: {
    store: Store;
    path: string;
    outbox: ReturnType<typeof createOutbox>;
    results: string[];
  }) => unknown,
) {
  const dir = await Deno.makeTempDir({ prefix: "sp_outbox_" });
  const path = `${dir}/streams.db`;
  // A short busy timeout: the locked-database test must not block the event loop for long.
  const store = openSqliteStore(path, { busyTimeoutMs: 100 });
  const results: string[] = [];
  const lines: string[] = [];
  const outbox = createOutbox({
    store,
    channels: () => channels,
    render: (a) => ({ title: `${a.stream} is ${a.event}`, body: a.cause }),
    evidence: () => Promise.resolve([]),
    logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
    onResult: (c, r) => results.push(`${c}:${r}`),
    backoff: { baseMs: 100, capMs: 400, random: () => 0.5 },
    attemptTimeoutMs: 500,
    ...opts,
  });
  const stop = new AbortController();
  const loop = outbox.run(stop.signal);
  try {
    await fn({ store, path, outbox, results });
    // Logs name channels, keys and statuses, never an answer (which could quote a secret).
    assert.ok(lines.every((l) => !l.includes("secret-token")), lines.join("\n"));
  } finally {
    stop.abort();
    await loop;
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Outbox.run() delivers an alert once, and a second enqueue of its key sends nothing", async () => {
  const rx = receiver();
  const hook = hookChannel("hook", rx.url);
  try {
    await withOutbox(new Map([["hook", hook]]), {}, async ({ store, outbox, results }) => {
      const decision = { alert: alertOf("cam@1:down"), channels: ["hook"] };
      assert.equal(await outbox.enqueue([decision]), 1);
      await until("the delivery", () => rx.accepted.get("cam@1:down") === 1);
      assert.equal(await outbox.enqueue([decision]), 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual([...rx.accepted], [["cam@1:down", 1]]);
      const log = store.deliveries();
      assert.deepEqual(log.map((r) => [r.key, r.channel, r.attempt, r.ok, r.status]), [
        ["cam@1:down", "hook", 1, true, 200],
      ]);
      assert.deepEqual(results, ["hook:sent"]);
      assert.equal(outbox.health().pending, 0);
    });
  } finally {
    await rx.stop();
  }
});

Deno.test("Outbox.run() retries refused, 500, 429 Retry-After and hanging attempts, then delivers each once", async () => {
  const script: Behaviour[] = [
    new Response("boom secret-token", { status: 500 }),
    new Response("boom", { status: 500 }),
    new Response("slow down", { status: 429, headers: { "retry-after": "2" } }),
    "hang",
  ];
  const rx = receiver(() => script.shift() ?? new Response("ok"));
  await rx.stop(); // refuses connections
  const hook = hookChannel("hook", rx.url);
  try {
    await withOutbox(new Map([["hook", hook]]), {}, async ({ store, outbox, results }) => {
      const keys = ["a@1:down", "b@1:down", "c@1:down"];
      await outbox.enqueue(keys.map((k) => ({ alert: alertOf(k), channels: ["hook"] })));
      await until("refused attempts", () => store.deliveries().length >= 5);
      assert.ok(outbox.health().channels.hook.backoffUntil !== null);
      rx.start();
      await until("every delivery", () => keys.every((k) => rx.accepted.get(k) === 1));
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(keys.map((k) => rx.accepted.get(k)), [1, 1, 1]);

      const log = store.deliveries({ limit: 1000 }).reverse(); // oldest first
      const firstAnswer = log.findIndex((r) => r.status !== null);
      assert.ok(firstAnswer >= 5);
      for (const r of log.slice(0, firstAnswer)) {
        assert.equal(r.ok, false);
        assert.match(r.answer, /refused|connect/i);
      }
      const answered = log.slice(firstAnswer);
      assert.deepEqual(answered.map((r) => [r.key, r.status, r.ok]), [
        ["a@1:down", 500, false],
        ["a@1:down", 500, false],
        ["a@1:down", 429, false],
        ["a@1:down", null, false],
        ["a@1:down", 200, true],
        ["b@1:down", 200, true],
        ["c@1:down", 200, true],
      ]);
      assert.equal(answered[0].answer, "boom secret-token");
      // Backoff between the failures; Retry-After: 2 holds the next attempt back 2 s.
      assert.ok(answered[1].ts - answered[0].ts >= 100);
      assert.ok(answered[3].ts - answered[2].ts >= 2000, `${answered[3].ts - answered[2].ts}`);
      // The hang is cut at attemptTimeoutMs (500) and retried.
      assert.equal(answered[3].answer, "no answer within 500 ms");
      assert.ok(answered[4].ts - answered[3].ts >= 500);
      const attempts = log.filter((r) => r.key === "a@1:down").map((r) => r.attempt);
      assert.deepEqual(attempts, attempts.map((_, i) => i + 1));
      const health = outbox.health();
      assert.deepEqual([health.pending, health.failed], [0, 0]);
      assert.deepEqual(
        [health.channels.hook.lastError, health.channels.hook.backoffUntil],
        [null, null],
      );
      assert.deepEqual(results.filter((r) => r === "hook:sent").length, 3);
      assert.equal(results.filter((r) => r === "hook:failed").length, 0);
    });
  } finally {
    await rx.stop();
  }
});

Deno.test("Outbox.run() fails a permanent 400 at once, in the log and in health()", async () => {
  let requests = 0;
  const rx = receiver(() => (requests++, new Response("bad payload", { status: 400 })));
  const hook = hookChannel("hook", rx.url);
  try {
    await withOutbox(new Map([["hook", hook]]), {}, async ({ store, outbox, results }) => {
      await outbox.enqueue([{ alert: alertOf("x@1:down"), channels: ["hook"] }]);
      await until("the failure", () => results.length === 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(requests, 1);
      assert.deepEqual(results, ["hook:failed"]);
      assert.deepEqual(store.deliveries().map((r) => [r.status, r.ok, r.answer]), [
        [400, false, "bad payload"],
      ]);
      const h = outbox.health();
      assert.deepEqual([h.pending, h.failed, h.channels.hook.failed], [0, 1, 1]);
      assert.equal(h.channels.hook.lastError, "bad payload");
      assert.equal(h.channels.hook.backoffUntil, null);
    });
  } finally {
    await rx.stop();
  }
});

Deno.test("Outbox.run() gives up after maxAttempts with the last answer", async () => {
  const rx = receiver(() => new Response("still down", { status: 503 }));
  const hook = hookChannel("hook", rx.url);
  try {
    await withOutbox(new Map([["hook", hook]]), { maxAttempts: 3 }, async (e) => {
      await e.outbox.enqueue([{ alert: alertOf("y@1:down"), channels: ["hook"] }]);
      await until("the give-up", () => e.results.includes("hook:failed"));
      assert.deepEqual(e.results, ["hook:retry", "hook:retry", "hook:failed"]);
      assert.deepEqual(e.store.deliveries().map((r) => [r.attempt, r.status]), [
        [3, 503],
        [2, 503],
        [1, 503],
      ]);
      assert.equal(e.outbox.health().channels.hook.lastError, "still down");
    });
  } finally {
    await rx.stop();
  }
});

Deno.test("Outbox.run() keeps sending on one channel while another backs off", async () => {
  const down = receiver(() => new Response("unavailable", { status: 503 }));
  const up = receiver();
  const channels = new Map([
    ["down", hookChannel("down", down.url)],
    ["up", hookChannel("up", up.url)],
  ]);
  const backoff = { baseMs: 10_000, capMs: 10_000, random: () => 0.5 };
  try {
    await withOutbox(channels, { backoff }, async ({ outbox }) => {
      const keys = Array.from({ length: 5 }, (_, i) => `cam${i}@1:down`);
      await outbox.enqueue(keys.map((k) => ({ alert: alertOf(k), channels: ["down"] })));
      await until(
        "the down channel to back off",
        () => outbox.health().channels.down.backoffUntil !== null,
      );
      const t0 = Date.now();
      await outbox.enqueue(keys.map((k) => ({ alert: alertOf(k), channels: ["up"] })));
      await until("the up channel's deliveries", () => up.accepted.size === 5, 8_000);
      assert.ok(Date.now() - t0 < 8_000);
      const h = outbox.health();
      assert.equal(h.channels.down.pending, 5);
      assert.ok(h.channels.down.backoffUntil! > Date.now());
      assert.equal(h.channels.up.pending, 0);
    });
  } finally {
    await down.stop();
    await up.stop();
  }
});

Deno.test("Outbox.run() fails the items of a removed channel with 'channel removed'", async () => {
  const rx = receiver();
  const channels = new Map([["hook", hookChannel("hook", rx.url)]]);
  try {
    await withOutbox(channels, {}, async ({ store, outbox, results }) => {
      await outbox.enqueue([{ alert: alertOf("z@1:down"), channels: ["hook", "gone"] }]);
      await until("both outcomes", () => results.length === 2);
      assert.deepEqual(results.sort(), ["gone:failed", "hook:sent"]);
      const gone = store.deliveries({ channel: "gone" });
      assert.deepEqual(gone.map((r) => [r.attempt, r.answer]), [[0, "channel removed"]]);
      assert.equal(outbox.health().channels.gone.failed, 1);
    });
  } finally {
    await rx.stop();
  }
});

Deno.test("Outbox.test() sends through a channel now and returns the provider's answer", async () => {
  const rx = receiver(() => new Response("accepted", { status: 202 }));
  try {
    await withOutbox(new Map(), {}, async ({ outbox, store }) => {
      const r = await outbox.test(hookChannel("hook", rx.url), alertOf("test@1:down"));
      assert.deepEqual(r, { ok: true, status: 202, answer: "accepted" });
      assert.deepEqual(store.deliveries(), []); // outside the queue
    });
  } finally {
    await rx.stop();
  }
});

Deno.test("Outbox.run() keeps alerts a locked database refused and queues them once it is free", async () => {
  const rx = receiver();
  try {
    await withOutbox(new Map([["hook", hookChannel("hook", rx.url)]]), {}, async (e) => {
      const lock = await holdWriteLock(e.path);
      try {
        assert.equal(
          await e.outbox.enqueue([{ alert: alertOf("l@1:down"), channels: ["hook"] }]),
          0,
        );
        assert.equal(e.outbox.health().pending, 1);
      } finally {
        await lock.release();
      }
      await until("the delivery", () => rx.accepted.get("l@1:down") === 1);
      assert.deepEqual(e.store.deliveries().map((r) => [r.key, r.ok]), [["l@1:down", true]]);
    });
  } finally {
    await rx.stop();
  }
});

/** Starts the fixture; resolves with the child and a promise of its first line of output. */
function child(args: string[]) {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FIXTURE, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const line = (async () => {
    let text = "";
    for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (text.includes("\n")) break;
    }
    return text.trim();
  })();
  return { proc, line };
}

Deno.test("Outbox.run() delivers every alert queued before a kill -9 exactly once after restarts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sp_outbox_kill_" });
  const db = `${dir}/streams.db`;
  const rx = receiver();
  const downUrl = rx.url();
  await rx.stop();
  try {
    const first = child(["enqueue", db, downUrl, "20", "100"]);
    assert.equal(await first.line, "queued");
    await new Promise((r) => setTimeout(r, 400)); // retrying against the refused port
    first.proc.kill("SIGKILL");
    assert.equal((await first.proc.status).signal, "SIGKILL");
    await first.proc.stdout.cancel().catch(() => {});

    rx.start();
    for (const round of ["deliver", "again"]) {
      const next = child(["run", db, rx.url(), "500", "100"]);
      assert.equal(await next.line, "idle", round);
      assert.equal((await next.proc.status).code, 0);
      assert.equal(rx.accepted.size, 20, round);
      assert.ok([...rx.accepted.values()].every((n) => n === 1), round);
    }
    const store = openStore(db);
    try {
      const log = store.deliveries({ limit: 1000 });
      assert.equal(log.filter((r) => r.ok).length, 20);
      assert.ok(log.some((r) => !r.ok), "the first process tried and failed before the kill");
      assert.equal(store.outboxStats(Date.now()).pending, 0);
    } finally {
      store.close();
    }
  } finally {
    await rx.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backoffDelayMs() doubles from baseMs with jitter and stops at capMs", () => {
  const at = (r: number) => ({ ...DEFAULT_BACKOFF, random: () => r });
  assert.deepEqual([1, 2, 3].map((n) => backoffDelayMs(n, at(0.5))), [2000, 4000, 8000]);
  assert.equal(backoffDelayMs(1, at(0)), 1500);
  assert.equal(backoffDelayMs(1, at(0.999)), 2499);
  assert.equal(backoffDelayMs(50, at(0.999)), 600_000);
});

Deno.test("afterFailure() lets Retry-After win, bounds it, and counts a burst once", () => {
  const policy = { ...DEFAULT_BACKOFF, random: () => 0.5 };
  const first = afterFailure(undefined, { startedAt: 0, now: 10 }, policy);
  assert.deepEqual(first, { failures: 1, until: 2010, since: 10 });
  // Another attempt begun before that step (in flight together): same outage, same count.
  assert.deepEqual(afterFailure(first, { startedAt: 5, now: 20 }, policy), first);
  const later = afterFailure(first, { startedAt: 2010, now: 2020, retryAfterMs: 30_000 }, policy);
  assert.deepEqual(later, { failures: 2, until: 32_020, since: 2020 });
  const huge = afterFailure(later, { startedAt: 40_000, now: 40_000, retryAfterMs: 1e12 }, policy);
  assert.equal(huge.until, 40_000 + 3_600_000);
});

Deno.test("attemptOutcome() follows its table", () => {
  const limits = { retryAt: 5000, maxAttempts: 3, maxAgeMs: 10_000 };
  const item = { attempts: 1, createdAt: 0 };
  assert.equal(attemptOutcome(item, { ok: true }, limits).result, "sent");
  assert.equal(attemptOutcome(item, { ok: false, permanent: true }, limits).reason, "permanent");
  assert.deepEqual(attemptOutcome(item, { ok: false }, limits), {
    result: "retry",
    nextAttemptAt: 5000,
  });
  assert.equal(
    attemptOutcome({ attempts: 3, createdAt: 0 }, { ok: false }, limits).reason,
    "max attempts",
  );
  assert.equal(
    attemptOutcome(item, { ok: false }, { ...limits, retryAt: 10_001 }).reason,
    "max age",
  );
});
