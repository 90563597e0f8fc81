/** Store alerting scenarios written once, run on every backend (SQLite and PostgreSQL). */

import assert from "node:assert/strict";
import type { NewOutboxItem } from "../../../../monitor/store/mod.ts";
import { DAY, HOUR, T0 } from "../sqlite/helpers.ts";
import type { Backend, Opened } from "./backends.ts";

type Scenario = (b: Backend) => Promise<void>;

/** An outbox item of `key` for `channel`. */
export const item = (key: string, channel = "hook"): NewOutboxItem => ({
  key,
  channel,
  alert: JSON.stringify({ key }),
  event: "down",
  stream: "cam",
});

async function run(b: Backend, now: () => number, fn: (o: Opened) => Promise<void>) {
  const o = await b.open(now);
  try {
    await fn(o);
  } finally {
    await o.close();
  }
}

const attempt = { ok: false, status: null, answer: "", nextAttemptAt: null, failed: false };

/** The scenarios by test name. */
export const ALERT_SCENARIOS: Record<string, Scenario> = {
  "enqueueAlerts() ignores a (key, channel) already queued": (b) =>
    run(b, () => T0, async ({ alerts: s }) => {
      assert.deepEqual(await s.enqueueAlerts([item("a"), item("b"), item("a", "mail")], T0), {
        added: 3,
        dropped: 0,
      });
      assert.deepEqual(await s.enqueueAlerts([item("a"), item("c")], T0 + 1), {
        added: 1,
        dropped: 0,
      });
      const due = await s.dueAlerts(T0 + 1, 100);
      assert.deepEqual(due.map((i) => [i.key, i.channel]), [
        ["a", "hook"],
        ["b", "hook"],
        ["a", "mail"],
        ["c", "hook"],
      ]);
      assert.deepEqual(JSON.parse(due[0].alert), { key: "a" });
      assert.deepEqual([due[0].createdAt, due[0].attempts, due[0].status], [T0, 0, "pending"]);
      assert.deepEqual((await s.dueAlerts(T0, 100)).map((i) => i.key), ["a", "b", "a"]);
      const hook = await s.dueAlerts(T0 + 1, 2, { channel: "hook" });
      assert.deepEqual(hook.map((i) => i.key), ["a", "b"]);
      await s.recordAttempt(due[0].id, { ...attempt, ts: T0 + 5, ok: true, status: 200 });
      assert.equal((await s.enqueueAlerts([item("a")], T0 + 10)).added, 0);
      const left = await s.dueAlerts(T0 + 10, 100, { channel: "hook" });
      assert.deepEqual(left.map((i) => i.key), ["b", "c"]);
    }),

  "recordAttempt() logs each attempt and moves the item": (b) =>
    run(b, () => T0, async ({ alerts: s }) => {
      await s.enqueueAlerts([item("k1"), item("k2")], T0);
      const [k1, k2] = await s.dueAlerts(T0, 10);
      const answer = "HTTP 500 from https://user:pw@hooks.example/x";
      const fail = { ...attempt, ts: T0 + 1, status: 500, answer, nextAttemptAt: T0 + 2000 };
      await s.recordAttempt(k1.id, fail);
      assert.deepEqual((await s.dueAlerts(T0 + 1999, 10)).map((i) => i.key), ["k2"]);
      const again = (await s.dueAlerts(T0 + 2000, 10))[0];
      assert.equal(again.attempts, 1);
      assert.equal(again.lastAnswer, "HTTP 500 from https://***@hooks.example/x");
      await s.recordAttempt(k1.id, { ...attempt, ts: T0 + 2000, ok: true, status: 204 });
      const bad = { ...attempt, ts: T0 + 3000, status: 400, answer: "bad request", failed: true };
      await s.recordAttempt(k2.id, bad);
      assert.deepEqual(await s.dueAlerts(T0 + DAY, 10), []);
      const log = await s.deliveries();
      assert.deepEqual(log.map((r) => [r.key, r.attempt, r.ok, r.status, r.ts]), [
        ["k2", 1, false, 400, T0 + 3000],
        ["k1", 2, true, 204, T0 + 2000],
        ["k1", 1, false, 500, T0 + 1],
      ]);
      assert.equal(log[2].answer, "HTTP 500 from https://***@hooks.example/x");
      assert.deepEqual([log[0].event, log[0].stream, log[0].channel], ["down", "cam", "hook"]);
      assert.equal(log[0].outboxId, k2.id);
      assert.equal((await s.deliveries({ from: T0 + 2, to: T0 + 2000 })).length, 1);
      assert.equal((await s.deliveries({ channel: "mail" })).length, 0);
      await assert.rejects(
        async () => await s.recordAttempt(999, { ...log[0], nextAttemptAt: null, failed: false }),
        /outbox item 999 does not exist/,
      );
      assert.deepEqual(await s.outboxStats(T0 + 3000), {
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
      assert.equal((await s.outboxStats(T0 + 3000 + DAY + 1)).failed, 0);
      await s.enqueueAlerts([item("k3")], T0 + 4000);
      const k3 = (await s.dueAlerts(T0 + 4000, 10))[0];
      await s.recordAttempt(k3.id, { ...attempt, ts: T0 + 4000, ok: true, status: 200 });
      assert.equal((await s.outboxStats(T0 + 4000)).byChannel.hook.lastError, null);
    }),

  "enqueueAlerts() drops the oldest pending items beyond maxPending": (b) =>
    run(b, () => T0, async ({ alerts: s }) => {
      await s.enqueueAlerts([item("1"), item("2"), item("3")], T0, { maxPending: 4 });
      const res = await s.enqueueAlerts([item("4"), item("5"), item("6")], T0 + 1, {
        maxPending: 4,
      });
      assert.deepEqual(res, { added: 3, dropped: 2 });
      assert.deepEqual((await s.dueAlerts(T0 + 1, 10)).map((i) => i.key), ["3", "4", "5", "6"]);
      const stats = await s.outboxStats(T0 + 1);
      assert.deepEqual([stats.pending, stats.failed, stats.oldestPendingAt], [4, 2, T0]);
      assert.equal(stats.byChannel.hook.nextAttemptAt, T0);
      const log = await s.deliveries();
      assert.deepEqual(log.map((r) => [r.key, r.attempt, r.answer]), [
        ["2", 0, "dropped: outbox full"],
        ["1", 0, "dropped: outbox full"],
      ]);
      assert.equal(stats.byChannel.hook.lastError, null);
    }),

  "ackIncident() and incident() round-trip an incident": (b) =>
    run(b, () => T0 + HOUR, async ({ alerts: s, reads, seed }) => {
      await seed({ changes: [{ name: "cam", from: "up", to: "down", ts: T0, cause: "timeout" }] });
      const [{ id }] = await reads.incidents("cam");
      await assert.rejects(
        async () => await s.ackIncident(id, "x".repeat(1001), T0),
        /1001 characters, at most 1000/,
      );
      assert.equal(
        await s.ackIncident(id, "on it, see rtsp://admin:pw@cam/live", T0 + 60_000),
        true,
      );
      assert.equal(await s.ackIncident(id + 41, "nope", T0), false);
      const inc = await s.incident(id);
      assert.deepEqual(inc, {
        id,
        name: "cam",
        state: "down",
        start: T0,
        end: null,
        durationMs: HOUR,
        cause: "timeout",
        endCause: null,
        ack: { ts: T0 + 60_000, note: "on it, see rtsp://***@cam/live" },
      });
      assert.deepEqual((await reads.incidents("cam"))[0].ack, inc!.ack);
      assert.equal(await s.incident(id + 41), undefined);
    }),

  "setMute() and mutes() round-trip, expire and unmute": (b) =>
    run(b, () => T0, async ({ alerts: s }) => {
      await s.setMute("cam", T0 + HOUR, "maintenance");
      await s.setMute("door", T0 + 2 * HOUR, "");
      await s.setMute("cam", T0 + 3 * HOUR, "longer");
      assert.deepEqual(await s.mutes(T0), [
        { name: "cam", until: T0 + 3 * HOUR, note: "longer" },
        { name: "door", until: T0 + 2 * HOUR, note: "" },
      ]);
      assert.deepEqual((await s.mutes(T0 + 2 * HOUR)).map((m) => m.name), ["cam"]);
      await s.setMute("cam", null, "");
      assert.deepEqual(await s.mutes(T0), [{ name: "door", until: T0 + 2 * HOUR, note: "" }]);
      await assert.rejects(async () => await s.setMute("cam", NaN, ""), /"until" is NaN/);
      await assert.rejects(
        async () => await s.setMute("cam", T0, "y".repeat(2000)),
        /at most 1000/,
      );
    }),
};
