/** Tests of the SQLite store's write queue: ids, masking, timer and batch flushes, locks, close. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import process from "node:process";
import { openSqliteStore } from "../../../../monitor/store/sqlite/mod.ts";
import { BACKENDS, check, logs, open, T0, withPath } from "./helpers.ts";

for (const backend of BACKENDS) {
  Deno.test(`ensureStream() returns stable ids and keeps every name (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        const a = store.ensureStream("Front door", "rtsp");
        const b = store.ensureStream("Back yard");
        assert.notEqual(a, b);
        assert.equal(store.ensureStream("Front door", "hls"), a);
        assert.deepEqual(store.streamNames(), ["Back yard", "Front door"]);
        assert.equal(store.lastStates().get("Front door")?.kind, "hls");
        assert.equal(store.lastStates().get("Back yard")?.state, "unknown");
      } finally {
        store.close();
      }
    }));

  Deno.test(`recordCheck() masks URL credentials and keeps a missing latency (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        store.recordCheck("cam", {
          ...check(T0, false),
          latencyMs: NaN,
          message: "cannot reach rtsp://admin:s3cret@10.0.0.5/live",
          details: { url: "rtsp://admin:s3cret@10.0.0.5/live", "a@b": 1 },
        });
        const [c] = store.history("cam");
        assert.equal(c.message, "cannot reach rtsp://***@10.0.0.5/live");
        assert.deepEqual(c.details, { url: "rtsp://***@10.0.0.5/live", "a@b": 1 });
        assert.ok(Number.isNaN(c.latencyMs));
        assert.throws(() => store.recordCheck("cam", check(NaN, true)), RangeError);
        assert.throws(
          () => store.recordCheck("cam", { ...check(T0, true), state: "sideways" as "up" }),
          /state "sideways" is unknown/,
        );
      } finally {
        store.close();
      }
    }));

  Deno.test(`recordCheck() flushes on the store's timer and at maxBatch (${backend})`, () =>
    withPath(backend, async (path) => {
      const store = openSqliteStore(path, { flushIntervalMs: 20, maxBatch: 10 });
      try {
        store.recordCheck("cam", check(T0, true));
        assert.equal(store.health().queued, 1);
        await new Promise((r) => setTimeout(r, 80));
        assert.equal(store.health().queued, 0);
        for (let i = 1; i <= 10; i++) store.recordCheck("cam", check(T0 + i, true));
        assert.equal(store.health().queued, 0);
        assert.equal(store.history("cam").length, 11);
      } finally {
        store.close();
      }
    }));
}

Deno.test("flush() keeps the batch while the database is locked and the timer retries", () =>
  withPath("file", async (path) => {
    const { lines, logger } = logs();
    const store = openSqliteStore(path, { flushIntervalMs: 20, busyTimeoutMs: 100, logger });
    const other = new DatabaseSync(path);
    try {
      store.recordCheck("cam", check(T0, true));
      other.exec("BEGIN IMMEDIATE"); // another writer holds the lock past busy_timeout
      const t = performance.now();
      assert.throws(() => store.flush(), /locked|busy/i);
      assert.ok(performance.now() - t >= 90, "waits busy_timeout before giving up");
      assert.equal(store.health().queued, 1);
      store.recordCheck("cam", check(T0 + 1, true)); // re-arms the timer, which fails and warns
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(lines.some((l) => l.startsWith("W store: flush failed")), lines.join("\n"));
      assert.equal(store.health().queued, 2);
      assert.deepEqual(store.history("cam"), []); // serves the disk, does not throw or block
      assert.equal(store.health().queued, 2);
      other.exec("ROLLBACK");
      await new Promise((r) => setTimeout(r, 500)); // the timer retries on its own, backing off
      assert.equal(store.health().queued, 0);
      assert.ok(lines.some((l) => l.includes("writes recovered")));
      assert.equal(store.history("cam").length, 2);
    } finally {
      other.close();
      store.close();
    }
  }));

Deno.test("close() keeps history and lastStates across a restart", () =>
  withPath("file", (path) => {
    const store = open(path);
    store.ensureStream("cam", "rtsp");
    for (let i = 0; i < 50; i++) store.recordCheck("cam", check(T0 + i * 10_000, i < 45));
    store.recordStateChange({
      name: "cam",
      from: "up",
      to: "down",
      ts: T0 + 460_000,
      cause: "timeout",
    });
    store.close(); // flushes the queue
    store.close(); // a second close does nothing
    assert.throws(() => store.recordCheck("cam", check(T0, true)), /store .* is closed/);
    const reopened = open(path);
    try {
      assert.equal(reopened.history("cam", { limit: 1000 }).length, 50);
      const s = reopened.lastStates().get("cam");
      assert.deepEqual(
        {
          state: s?.state,
          since: s?.since,
          kind: s?.kind,
          failStreak: s?.failStreak,
          ts: s?.last?.ts,
        },
        { state: "down", since: T0 + 460_000, kind: "rtsp", failStreak: 5, ts: T0 + 490_000 },
      );
      assert.equal(reopened.incidents("cam")[0].end, null);
    } finally {
      reopened.close();
    }
  }));

Deno.test("recordCheck() + flush() cost per check (measured, printed, not asserted)", () =>
  withPath("file", (path) => {
    const store = open(path, { maxBatch: 100_000 });
    try {
      const names = [...Array(1000)].map((_, i) => `stream ${i}`);
      names.forEach((n) => store.ensureStream(n, "rtsp"));
      const N = 10_000;
      let i = 0;
      // 500 = the size-triggered flush; 20 = what 100 checks/s give per 200 ms timer flush.
      for (const batch of [500, 20]) {
        const cpu = process.cpuUsage();
        const t = performance.now();
        for (const end = i + N; i < end; i++) {
          store.recordCheck(names[i % 1000], {
            ts: T0 + i * 10,
            ok: i % 17 !== 0,
            state: "up",
            latencyMs: 12.5,
            message: "RTSP 200, H264 320x240",
            details: { status: 200, codec: "h264", width: 320, height: 240 },
          });
          if ((i + 1) % batch === 0) store.flush();
        }
        store.flush();
        const wall = (performance.now() - t) / N * 1000;
        const used = process.cpuUsage(cpu);
        console.log(
          `    store: ${N} checks over 1,000 streams, file+WAL, batches of ${batch}: ` +
            `${wall.toFixed(1)} µs wall, ${
              ((used.user + used.system) / N).toFixed(1)
            } µs CPU per check`,
        );
      }
    } finally {
      store.close();
    }
  }));
