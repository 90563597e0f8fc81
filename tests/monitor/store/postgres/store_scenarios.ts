/** Whole-Store scenarios (writes, ids, meta, prune, health, close) run on SQLite and PostgreSQL. */

import assert from "node:assert/strict";
import { check, DAY, HOUR, T0 } from "../sqlite/helpers.ts";
import type { Backend, Opened } from "./backends.ts";
import { item } from "./alert_scenarios.ts";

type Scenario = (b: Backend) => Promise<void>;

async function run(b: Backend, now: () => number, fn: (o: Opened) => Promise<Opened | void>) {
  let o = await b.open(now);
  try {
    o = (await fn(o)) ?? o;
  } finally {
    await o.close();
  }
}

/** The scenarios by test name. */
export const STORE_SCENARIOS: Record<string, Scenario> = {
  "ensureStream() with an id renames its stream and history follows": (b) =>
    run(b, () => T0, async (o) => {
      const s = o.store;
      s.ensureStream("Front", "rtsp");
      s.recordCheck("Front", check(T0, true));
      s.recordStateChange({ name: "Front", from: "up", to: "down", ts: T0 + 1000, cause: "x" });
      s.recordCheck("Front", check(T0 + 1000, false));
      s.ensureStream("Front", "rtsp", "cam-1"); // first use of the id: the row adopts it
      s.recordCheck("Front", check(T0 + 2000, false)); // still queued at the rename
      s.ensureStream("Porch", "rtsp", "cam-1");
      assert.deepEqual((await s.history("Porch")).map((c) => c.ts), [T0 + 2000, T0 + 1000, T0]);
      assert.deepEqual(await s.history("Front"), []);
      assert.deepEqual(await s.streamNames(), ["Porch"]);
      const [inc] = await s.incidents("Porch");
      assert.deepEqual([inc.name, inc.start, inc.end], ["Porch", T0 + 1000, null]);
      const st = (await s.lastStates()).get("Porch");
      assert.deepEqual([st?.state, st?.failStreak, st?.kind], ["down", 2, "rtsp"]);
      // A stream taking a name another stream holds moves that one aside, keeping both.
      s.ensureStream("Side", "http");
      s.recordCheck("Side", check(T0, true));
      s.ensureStream("Side", "rtsp", "cam-2");
      await o.flush();
      assert.deepEqual(await s.streamNames(), ["Porch", "Side"]);
      s.ensureStream("Porch", "rtsp", "cam-2");
      assert.deepEqual(await s.streamNames(), ["Porch", "Porch (old)"]);
      assert.equal((await s.history("Porch (old)")).length, 3);
      assert.equal((await s.history("Porch")).length, 1);
      assert.throws(() => s.ensureStream("x", undefined, "bad id!"), RangeError);
    }),

  "recordCheck() of a stream never registered creates it; lastStates() survives reopening": (b) =>
    run(b, () => T0 + HOUR, async (o) => {
      o.store.ensureStream("cam", "rtsp");
      o.store.recordCheck("cam", check(T0, true));
      o.store.recordCheck("cam", check(T0 + 1000, false, { message: "rtsp://u:pw@cam/x" }));
      o.store.recordCheck("walk-in", check(T0 + 5, false));
      o.store.recordStateChange({ name: "cam", from: "up", to: "down", ts: T0 + 1000, cause: "t" });
      const again = await o.reopen(); // close() writes what is queued
      const states = await again.store.lastStates();
      assert.deepEqual([...states.keys()].sort(), ["cam", "walk-in"]);
      const cam = states.get("cam")!;
      assert.deepEqual([cam.state, cam.since, cam.failStreak, cam.kind], [
        "down",
        T0 + 1000,
        1,
        "rtsp",
      ]);
      assert.equal(cam.last?.ts, T0 + 1000);
      assert.equal(cam.last?.message, "rtsp://***@cam/x");
      assert.deepEqual(
        [states.get("walk-in")?.state, states.get("walk-in")?.failStreak],
        ["unknown", 1],
      );
      return again;
    }),

  "getMeta() answers setMeta() at once and after reopening": (b) =>
    run(b, () => T0, async (o) => {
      assert.equal(o.store.getMeta("k"), undefined);
      o.store.setMeta("k", "v1");
      o.store.setMeta("k", "v2");
      o.store.setMeta("other", "x");
      assert.equal(o.store.getMeta("k"), "v2");
      await o.flush();
      assert.equal(o.store.getMeta("k"), "v2");
      o.store.setMeta("k", "v3");
      const again = await o.reopen();
      assert.equal(again.store.getMeta("k"), "v3");
      assert.equal(again.store.getMeta("other"), "x");
      return again;
    }),

  "prune() keeps SQLite's horizons: raw checks, rollups, closed incidents, outbox, mutes": (b) => {
    const now = T0 + 600 * DAY;
    return run(b, () => now, async (o) => {
      const s = o.store;
      for (const d of [500, 100, 40, 31, 29, 1]) {
        for (let i = 0; i < 24; i++) s.recordCheck("cam", check(now - d * DAY + i * 1000, true));
      }
      const change = (from: "up" | "down", to: "up" | "down", ago: number, cause: string) =>
        s.recordStateChange({ name: "cam", from, to, ts: now - ago * DAY, cause });
      change("up", "down", 501, "x");
      change("down", "up", 500, "y");
      change("up", "down", 2, "z");
      await o.flush();
      await s.enqueueAlerts([item("old"), item("new")], now - 500 * DAY);
      const [old, recent] = await s.dueAlerts(now, 10);
      const done = { ok: true, status: 200, answer: "ok", nextAttemptAt: null, failed: false };
      await s.recordAttempt(old.id, { ...done, ts: now - 450 * DAY });
      await s.recordAttempt(recent.id, { ...done, ts: now - DAY });
      await s.setMute("cam", now - 1, "ended");
      await s.setMute("other", now + HOUR, "lasts");

      assert.equal((await s.prune({ signal: AbortSignal.abort() })).aborted, true);
      await assert.rejects(async () => await s.prune({ rollupDays: 30 }), /"rollupDays" is 30/);
      await assert.rejects(async () => await s.prune({ batchSize: 0 }), /"batchSize" is 0/);
      const res = await s.prune({ retentionDays: 30, batchSize: 10 });
      // 500, 100, 40 and 31 days old: 4 × 24 raw checks; the 500-day rollups (hour and day) and
      // the incident that ended 500 days ago fall out of the default 400 days.
      assert.deepEqual(res, { checks: 96, rollups: 2, incidents: 1, aborted: false });
      assert.deepEqual(
        (await s.history("cam", { limit: 10_000 })).map((c) => Math.round((now - c.ts) / DAY)),
        [...Array(24).fill(1), ...Array(24).fill(29)],
      );
      assert.equal((await s.uptime({ since: now - 450 * DAY })).get("cam")?.checks, 5 * 24);
      assert.deepEqual((await s.incidents("cam")).map((i) => i.cause), ["z"]);
      assert.deepEqual((await s.deliveries({ limit: 10 })).map((d) => d.key), ["new"]);
      assert.deepEqual((await s.mutes(now)).map((m) => m.name), ["other"]);
      assert.deepEqual(await s.prune(), { checks: 0, rollups: 0, incidents: 0, aborted: false });
    });
  },

  "health() reports where, schema, size and the queue": (b) => {
    let now = T0;
    return run(b, () => now, async (o) => {
      const h0 = o.store.health();
      assert.equal(h0.path, o.expect.path);
      assert.equal(h0.journalMode, o.expect.journalMode);
      assert.ok(Number.isInteger(h0.userVersion) && h0.userVersion > 0, `${h0.userVersion}`);
      assert.ok(h0.sizeBytes > 0, `${h0.sizeBytes}`);
      assert.deepEqual([h0.queued, h0.writeError, h0.oldestQueuedAgeMs], [0, null, null]);
      o.store.recordCheck("cam", check(T0, true));
      o.store.recordCheck("cam", check(T0 + 1, true));
      now += 1500;
      const h1 = o.store.health();
      assert.deepEqual([h1.queued, h1.writeError, h1.oldestQueuedAgeMs], [2, null, 1500]);
      await o.flush();
      const h2 = o.store.health();
      assert.deepEqual([h2.queued, h2.writeError, h2.oldestQueuedAgeMs], [0, null, null]);
    });
  },

  "close() writes what is queued, twice is fine, and later calls throw": (b) =>
    run(b, () => T0, async (o) => {
      o.store.recordCheck("cam", check(T0, true));
      o.store.setMeta("k", "v");
      await o.store.close();
      await o.store.close();
      assert.throws(() => o.store.recordCheck("cam", check(T0 + 1, true)), /closed/);
      assert.throws(() => o.store.getMeta("k"), /closed/);
      assert.throws(() => o.store.health(), /closed/);
      await assert.rejects(async () => await o.store.history("cam"), /closed/);
      const again = await o.reopen();
      assert.equal((await again.store.history("cam")).length, 1);
      assert.equal(again.store.getMeta("k"), "v");
      return again;
    }),
};
