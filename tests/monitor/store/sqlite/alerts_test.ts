/** Tests of the SQLite store's alerting state: outbox, delivery log, acks, mutes, migration 2. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS } from "../../../../monitor/store/sqlite/migrations.ts";
import type { NewOutboxItem } from "../../../../monitor/store/mod.ts";
import { BACKENDS, check, DAY, HOUR, open, T0, withPath } from "./helpers.ts";

const SHIPPED = new URL("../../../fixtures/compat/v2.2/streams.db", import.meta.url);

const item = (key: string, channel = "hook"): NewOutboxItem => ({
  key,
  channel,
  alert: JSON.stringify({ key }),
  event: "down",
  stream: "cam",
});

for (const backend of BACKENDS) {
  Deno.test(`enqueueAlerts() ignores a (key, channel) already queued (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        assert.deepEqual(store.enqueueAlerts([item("a"), item("b"), item("a", "mail")], T0), {
          added: 3,
          dropped: 0,
        });
        assert.deepEqual(store.enqueueAlerts([item("a"), item("c")], T0 + 1), {
          added: 1,
          dropped: 0,
        });
        const due = store.dueAlerts(T0 + 1, 100);
        assert.deepEqual(due.map((i) => [i.key, i.channel]), [
          ["a", "hook"],
          ["b", "hook"],
          ["a", "mail"],
          ["c", "hook"],
        ]);
        assert.deepEqual(store.dueAlerts(T0, 100).map((i) => i.key), ["a", "b", "a"]);
        assert.deepEqual(store.dueAlerts(T0 + 1, 2, { channel: "hook" }).map((i) => i.key), [
          "a",
          "b",
        ]);
        const a = due[0];
        store.recordAttempt(a.id, {
          ts: T0 + 5,
          ok: true,
          status: 200,
          answer: "ok",
          nextAttemptAt: null,
          failed: false,
        });
        // Sent is final: enqueueing the same key again adds nothing and nothing is due.
        assert.equal(store.enqueueAlerts([item("a")], T0 + 10).added, 0);
        assert.deepEqual(store.dueAlerts(T0 + 10, 100, { channel: "hook" }).map((i) => i.key), [
          "b",
          "c",
        ]);
      } finally {
        store.close();
      }
    }));

  Deno.test(`recordAttempt() logs each attempt and moves the item (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        store.enqueueAlerts([item("k1"), item("k2")], T0);
        const [k1, k2] = store.dueAlerts(T0, 10);
        const answer = "HTTP 500 from https://user:pw@hooks.example/x";
        store.recordAttempt(k1.id, {
          ts: T0 + 1,
          ok: false,
          status: 500,
          answer,
          nextAttemptAt: T0 + 2000,
          failed: false,
        });
        assert.deepEqual(store.dueAlerts(T0 + 1999, 10).map((i) => i.key), ["k2"]);
        const again = store.dueAlerts(T0 + 2000, 10)[0];
        assert.equal(again.attempts, 1);
        assert.equal(again.lastAnswer, "HTTP 500 from https://***@hooks.example/x");
        store.recordAttempt(k1.id, {
          ts: T0 + 2000,
          ok: true,
          status: 204,
          answer: "",
          nextAttemptAt: null,
          failed: false,
        });
        store.recordAttempt(k2.id, {
          ts: T0 + 3000,
          ok: false,
          status: 400,
          answer: "bad request",
          nextAttemptAt: null,
          failed: true,
        });
        assert.deepEqual(store.dueAlerts(T0 + DAY, 10), []);
        const log = store.deliveries();
        assert.deepEqual(log.map((r) => [r.key, r.attempt, r.ok, r.status, r.ts]), [
          ["k2", 1, false, 400, T0 + 3000],
          ["k1", 2, true, 204, T0 + 2000],
          ["k1", 1, false, 500, T0 + 1],
        ]);
        assert.equal(log[2].answer, "HTTP 500 from https://***@hooks.example/x");
        assert.deepEqual([log[0].event, log[0].stream, log[0].channel], ["down", "cam", "hook"]);
        assert.equal(store.deliveries({ from: T0 + 2, to: T0 + 2000 }).length, 1);
        assert.equal(store.deliveries({ channel: "mail" }).length, 0);
        assert.throws(
          () => store.recordAttempt(999, { ...log[0], nextAttemptAt: null, failed: false }),
          /outbox item 999 does not exist/,
        );

        const stats = store.outboxStats(T0 + 3000);
        assert.deepEqual(stats, {
          pending: 0,
          failed: 1,
          oldestPendingAt: null,
          byChannel: {
            hook: {
              pending: 0,
              failed: 1,
              lastError: "bad request",
              lastOkAt: T0 + 2000,
              nextAttemptAt: null,
            },
          },
        });
        // Failures count for 24 hours in the figures; a later success clears lastError.
        assert.equal(store.outboxStats(T0 + 3000 + DAY + 1).failed, 0);
        store.enqueueAlerts([item("k3")], T0 + 4000);
        const k3 = store.dueAlerts(T0 + 4000, 10)[0];
        store.recordAttempt(k3.id, {
          ts: T0 + 4000,
          ok: true,
          status: 200,
          answer: "ok",
          nextAttemptAt: null,
          failed: false,
        });
        assert.equal(store.outboxStats(T0 + 4000).byChannel.hook.lastError, null);
      } finally {
        store.close();
      }
    }));

  Deno.test(`enqueueAlerts() drops the oldest pending items beyond maxPending (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        store.enqueueAlerts([item("1"), item("2"), item("3")], T0, { maxPending: 4 });
        const res = store.enqueueAlerts([item("4"), item("5"), item("6")], T0 + 1, {
          maxPending: 4,
        });
        assert.deepEqual(res, { added: 3, dropped: 2 });
        assert.deepEqual(store.dueAlerts(T0 + 1, 10).map((i) => i.key), ["3", "4", "5", "6"]);
        const stats = store.outboxStats(T0 + 1);
        assert.deepEqual([stats.pending, stats.failed, stats.oldestPendingAt], [4, 2, T0]);
        const log = store.deliveries();
        assert.deepEqual(log.map((r) => [r.key, r.attempt, r.answer]), [
          ["2", 0, "dropped: outbox full"],
          ["1", 0, "dropped: outbox full"],
        ]);
        // A give-up without an attempt is not the provider's error.
        assert.equal(stats.byChannel.hook.lastError, null);
      } finally {
        store.close();
      }
    }));

  Deno.test(`ackIncident() and incident() round-trip a just-recorded incident (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path, { now: () => T0 + HOUR });
      try {
        // Queued (the flush timer is 10 s away): ackIncident must write it first.
        store.recordStateChange({ name: "cam", from: "up", to: "down", ts: T0, cause: "timeout" });
        const long = "x".repeat(1001);
        assert.throws(() => store.ackIncident(1, long, T0), /1001 characters, at most 1000/);
        assert.equal(
          store.ackIncident(1, "on it, see rtsp://admin:pw@cam/live", T0 + 60_000),
          true,
        );
        assert.equal(store.ackIncident(42, "nope", T0), false);
        const inc = store.incident(1);
        assert.deepEqual(inc, {
          id: 1,
          name: "cam",
          state: "down",
          start: T0,
          end: null,
          durationMs: HOUR,
          cause: "timeout",
          endCause: null,
          ack: { ts: T0 + 60_000, note: "on it, see rtsp://***@cam/live" },
        });
        assert.deepEqual(store.incidents("cam")[0].ack, inc!.ack);
        assert.equal(store.incident(42), undefined);
        store.recordStateChange({ name: "cam", from: "down", to: "up", ts: T0 + 10, cause: "ok" });
        store.recordStateChange({ name: "cam", from: "up", to: "down", ts: T0 + 20, cause: "x" });
        assert.equal(store.incident(2)?.ack, null);
      } finally {
        store.close();
      }
    }));

  Deno.test(`setMute() and mutes() round-trip, expire and unmute (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        store.setMute("cam", T0 + HOUR, "maintenance");
        store.setMute("door", T0 + 2 * HOUR, "");
        store.setMute("cam", T0 + 3 * HOUR, "longer"); // replaces
        assert.deepEqual(store.mutes(T0), [
          { name: "cam", until: T0 + 3 * HOUR, note: "longer" },
          { name: "door", until: T0 + 2 * HOUR, note: "" },
        ]);
        assert.deepEqual(store.mutes(T0 + 2 * HOUR).map((m) => m.name), ["cam"]);
        store.setMute("cam", null, "");
        assert.deepEqual(store.mutes(T0), [{ name: "door", until: T0 + 2 * HOUR, note: "" }]);
        assert.throws(() => store.setMute("cam", NaN, ""), /"until" is NaN/);
        assert.throws(() => store.setMute("cam", T0, "y".repeat(2000)), /at most 1000/);
      } finally {
        store.close();
      }
    }));

  Deno.test(`prune() removes old delivery rows and finished items only (${backend})`, () =>
    withPath(backend, async (path) => {
      const now = T0 + 500 * DAY;
      const store = open(path, { now: () => now });
      try {
        const old = now - 450 * DAY;
        store.enqueueAlerts([item("old-sent"), item("old-failed"), item("old-pending")], old);
        const [sent, failed] = store.dueAlerts(old, 10);
        const a = { ok: false, status: 500, answer: "x", nextAttemptAt: null, failed: false };
        store.recordAttempt(sent.id, { ...a, ts: old, ok: true });
        store.recordAttempt(failed.id, { ...a, ts: old, failed: true });
        store.enqueueAlerts([item("new-sent")], now - DAY);
        const fresh = store.dueAlerts(now - DAY, 10).find((i) => i.key === "new-sent")!;
        store.recordAttempt(fresh.id, { ...a, ts: now - DAY, ok: true });
        store.setMute("gone", now - 1, "");
        store.setMute("kept", now + HOUR, "");
        store.recordCheck("cam", check(now - HOUR, true));

        const res = await store.prune({ batchSize: 1 });
        assert.deepEqual(res, { checks: 0, rollups: 0, incidents: 0, aborted: false });
        assert.deepEqual(store.deliveries({ limit: 100 }).map((r) => r.key), ["new-sent"]);
        // The old pending item stays, however old: only the dispatcher gives up on it.
        assert.deepEqual(store.dueAlerts(now, 10).map((i) => i.key), ["old-pending"]);
        assert.equal(store.enqueueAlerts([item("new-sent")], now).added, 0);
        assert.deepEqual(store.mutes(now - HOUR).map((m) => m.name), ["kept"]);
        assert.equal(store.history("cam").length, 1);
      } finally {
        store.close();
      }
    }));
}

Deno.test("openSqliteStore() migrates a version 1 database (the v2.2 file) keeping its data", () =>
  withPath("file", async (path) => {
    await Deno.copyFile(SHIPPED, path);
    await Deno.chmod(path, 0o644);
    // Build the previous release's schema on the Python file and fill it as 1.x would have.
    const db = new DatabaseSync(path);
    migrate(db, { migrations: MIGRATIONS.slice(0, 1) });
    db.exec(`
      INSERT INTO sp_meta VALUES ('admin', 'hash');
      INSERT INTO sp_stream (id, name, created_at, state, state_since) VALUES (7, 'cam', ${T0},
        'up', ${T0 + 2000});
      INSERT INTO sp_check (stream_id, ts, ok, state, latency_ms, message, details) VALUES
        (7, ${T0}, 0, 'down', NULL, 'timeout', '{}'), (7, ${T0 + 2000}, 1, 'up', 42, 'ok', '{}');
      INSERT INTO sp_incident (stream_id, state, started_at, ended_at, cause, end_cause)
        VALUES (7, 'down', ${T0}, ${T0 + 2000}, 'timeout', 'ok');
    `);
    const legacy = db.prepare("SELECT * FROM streams ORDER BY name").all();
    const users = db.prepare("SELECT * FROM users").all();
    assert.equal(db.prepare("PRAGMA user_version").get()?.user_version, 1);
    db.close();

    const store = open(path);
    try {
      assert.equal(store.health().userVersion, MIGRATIONS.length);
      assert.equal(store.getMeta("admin"), "hash");
      assert.deepEqual(store.history("cam").map((c) => [c.ts, c.ok]), [
        [T0 + 2000, true],
        [T0, false],
      ]);
      const [inc] = store.incidents("cam");
      assert.deepEqual([inc.start, inc.end, inc.cause, inc.ack], [T0, T0 + 2000, "timeout", null]);
      assert.equal(store.ackIncident(inc.id, "seen", T0 + 5000), true);
      assert.deepEqual(store.incident(inc.id)?.ack, { ts: T0 + 5000, note: "seen" });
      assert.equal(store.lastStates().get("cam")?.state, "up");
      assert.equal(store.enqueueAlerts([item("k")], T0).added, 1);
    } finally {
      store.close();
    }
    const check = new DatabaseSync(path, { readOnly: true });
    try {
      assert.deepEqual(check.prepare("SELECT * FROM streams ORDER BY name").all(), legacy);
      assert.deepEqual(check.prepare("SELECT * FROM users").all(), users);
    } finally {
      check.close();
    }
  }));
