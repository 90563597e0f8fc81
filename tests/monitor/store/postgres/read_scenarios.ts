/** Store read scenarios written once, run on every backend (SQLite and PostgreSQL). */

import assert from "node:assert/strict";
import type { StreamState } from "../../../../monitor/types.ts";
import { check, DAY, HOUR, T0 } from "../sqlite/helpers.ts";
import type { Backend, SeedData } from "./backends.ts";

type Scenario = (b: Backend) => Promise<void>;

async function run(
  b: Backend,
  now: () => number,
  d: SeedData,
  fn: (r: Awaited<ReturnType<Backend["open"]>>["reads"]) => Promise<void>,
) {
  const o = await b.open(now);
  try {
    await o.seed(d);
    await fn(o.reads);
  } finally {
    await o.close();
  }
}

const change = (name: string, from: StreamState, to: StreamState, ts: number, cause: string) => ({
  name,
  from,
  to,
  ts,
  cause,
});

/** The scenarios by test name. */
export const READ_SCENARIOS: Record<string, Scenario> = {
  "history() returns newest first within limits": (b) =>
    run(b, () => T0, {
      checks: [...Array(20)].map((_, i) => ({
        name: "cam",
        check: check(T0 + i * 1000, i % 3 !== 0),
      })),
    }, async (r) => {
      const all = await r.history("cam");
      assert.deepEqual(all.map((c) => c.ts), [...Array(20)].map((_, i) => T0 + (19 - i) * 1000));
      assert.deepEqual(all[0], check(T0 + 19_000, true));
      const win = await r.history("cam", { from: T0 + 5000, to: T0 + 9000, limit: 3 });
      assert.deepEqual(win.map((c) => c.ts), [T0 + 9000, T0 + 8000, T0 + 7000]);
      assert.equal((await r.history("cam", { limit: 0 })).length, 1);
      assert.equal((await r.history("cam", { limit: 50_000 })).length, 20);
      assert.deepEqual(await r.history("nobody"), []);
      await assert.rejects(async () => await r.history("cam", { from: NaN }), /"from" is NaN/);
      await assert.rejects(async () => await r.uptime({ since: NaN }), /"since" is NaN/);
    }),

  "incidents() and lastStates() read what state changes wrote": (b) => {
    let now = T0 + 10 * HOUR;
    return run(b, () => now, {
      checks: [
        { name: "cam", check: check(T0 + 4 * HOUR - 1, true) },
        ...[0, 1, 2].map((i) => ({ name: "cam", check: check(T0 + 4 * HOUR + i, false) })),
      ],
      changes: [
        change("cam", "unknown", "up", T0, "RTSP 200"),
        change("cam", "up", "down", T0 + HOUR, "timeout"),
        change("cam", "down", "degraded", T0 + 2 * HOUR, "frozen picture"),
        change("cam", "degraded", "up", T0 + 3 * HOUR, "RTSP 200"),
        change("cam", "up", "up", T0 + 3.5 * HOUR, "ignored"),
        change("cam", "up", "down", T0 + 4 * HOUR, "connection refused"),
      ],
    }, async (r) => {
      const inc = await r.incidents("cam");
      assert.deepEqual(
        inc.map((i) => [i.name, i.state, i.start, i.end, i.cause, i.endCause, i.ack]),
        [
          ["cam", "down", T0 + 4 * HOUR, null, "connection refused", null, null],
          ["cam", "degraded", T0 + 2 * HOUR, T0 + 3 * HOUR, "frozen picture", "RTSP 200", null],
          ["cam", "down", T0 + HOUR, T0 + 2 * HOUR, "timeout", "frozen picture", null],
        ],
      );
      assert.equal(inc[0].durationMs, 6 * HOUR);
      assert.equal(inc[1].durationMs, HOUR);
      now += HOUR;
      assert.equal((await r.incidents("cam", { limit: 1 }))[0].durationMs, 7 * HOUR);
      const mid = await r.incidents("cam", { from: T0 + 2.5 * HOUR, to: T0 + 3.5 * HOUR });
      assert.deepEqual(mid.map((i) => i.state), ["degraded"]);
      assert.deepEqual(await r.incidents("nobody"), []);
      const s = (await r.lastStates()).get("cam");
      assert.equal(s?.state, "down");
      assert.equal(s?.since, T0 + 4 * HOUR);
      assert.equal(s?.failStreak, 3);
      assert.deepEqual(s?.last, check(T0 + 4 * HOUR + 2, false));
    });
  },

  "uptime() matches the checks, summed from hour and day rollups": (b) => {
    const checks: NonNullable<SeedData["checks"]> = [];
    for (let ts = T0 + 7 * 60_000; ts < T0 + 4 * DAY; ts += 5 * 60_000) {
      for (const name of ["a", "b"]) {
        const i = (ts - T0) / 60_000;
        const ok = name === "a" ? i % 11 !== 0 : !(ts > T0 + 30 * HOUR && ts < T0 + 41 * HOUR);
        checks.push({ name, check: check(ts, ok) });
      }
    }
    return run(b, () => T0 + 4 * DAY, { streams: [{ name: "idle" }], checks }, async (r) => {
      const sinces = [0, T0 + 1, T0 + 5 * HOUR + 59 * 60_000, T0 + 23 * HOUR, T0 + DAY + 1800_000];
      for (const since of [...sinces, T0 + 3 * DAY + 13 * HOUR, T0 + 5 * DAY]) {
        const up = await r.uptime({ since });
        const from = Math.floor(since / HOUR) * HOUR;
        for (const name of ["a", "b"]) {
          const rows = checks.filter((w) => w.name === name && w.check.ts >= from);
          const ok = rows.filter((w) => w.check.ok).length;
          assert.deepEqual(up.get(name), {
            checks: rows.length,
            ok,
            ratio: rows.length ? ok / rows.length : null,
          }, `${name} since ${new Date(since).toISOString()}`);
        }
        assert.deepEqual(up.get("idle"), { checks: 0, ok: 0, ratio: null });
      }
    });
  },

  "allIncidents() lists, filters and pages every stream's incidents": (b) =>
    run(b, () => T0 + 6 * HOUR, {
      changes: [
        change("cam-c", "up", "down", T0 - HOUR, "c down"),
        change("cam-a", "up", "down", T0 + HOUR, "a down"),
        change("cam-a", "down", "up", T0 + 2 * HOUR, "a up"),
        change("cam-b", "up", "down", T0 + 3 * HOUR, "b down"),
        change("cam-b", "down", "up", T0 + 4 * HOUR, "b up"),
        change("cam-a", "up", "degraded", T0 + 5 * HOUR, "a degraded"),
      ],
    }, async (r) => {
      const starts = (l: Array<{ name: string; start: number }>) =>
        l.map((i) => `${i.name}@${(i.start - T0) / HOUR}`);
      const all = await r.allIncidents();
      assert.deepEqual(starts(all), ["cam-a@5", "cam-b@3", "cam-a@1", "cam-c@-1"]);
      assert.deepEqual({ ...all[0], id: 0 }, {
        id: 0,
        name: "cam-a",
        state: "degraded",
        start: T0 + 5 * HOUR,
        end: null,
        durationMs: HOUR,
        cause: "a degraded",
        endCause: null,
        ack: null,
      });
      assert.deepEqual(starts(await r.allIncidents({ from: T0, to: T0 + 2.5 * HOUR })), [
        "cam-a@1",
        "cam-c@-1",
      ]);
      assert.deepEqual(starts(await r.allIncidents({ state: "degraded" })), ["cam-a@5"]);
      assert.deepEqual(starts(await r.allIncidents({ open: true })), ["cam-a@5", "cam-c@-1"]);
      assert.deepEqual(starts(await r.allIncidents({ names: ["cam-b", "nobody"] })), ["cam-b@3"]);
      assert.deepEqual(await r.allIncidents({ names: [] }), []);
      assert.deepEqual(await r.allIncidents({ names: ["nobody"] }), []);
      assert.deepEqual(starts(await r.allIncidents({ limit: 2, offset: 1 })), [
        "cam-b@3",
        "cam-a@1",
      ]);
      await assert.rejects(async () => await r.allIncidents({ offset: -1 }), /"offset" is -1/);
      await assert.rejects(
        async () => await r.allIncidents({ state: "up" as never }),
        /"state" is "up"/,
      );
    }),

  "rollups(), exportChecks(), streamNames() and firstCheckAt() report the checks": (b) => {
    const t0 = Date.UTC(2026, 0, 1);
    const m = (ts: number, ok: boolean, latencyMs: number, message: string) => ({
      ts,
      ok,
      state: "up" as const,
      latencyMs,
      message,
      details: {},
    });
    return run(b, () => t0 + 3 * HOUR, {
      streams: [{ name: "never", kind: "rtsp" }],
      checks: [
        ...[...Array(6)].map((_, i) => ({
          name: "a",
          check: m(t0 + i * HOUR / 2, i !== 1, 10 + i, "m"),
        })),
        { name: "b", check: m(t0, true, 1, "x") },
      ],
    }, async (r) => {
      const ro = await r.rollups("a", { from: t0, to: t0 + 2 * HOUR });
      assert.deepEqual(ro.map((x) => [x.hour - t0, x.checks, x.ok, x.latMin, x.latAvg, x.latMax]), [
        [0, 2, 1, 10, 10, 10],
        [HOUR, 2, 2, 12, 12.5, 13],
        [2 * HOUR, 2, 2, 14, 14.5, 15],
      ]);
      assert.deepEqual(await r.rollups("nope", { from: 0, to: t0 }), []);
      const rows = await Array.fromAsync(r.exportChecks({ from: t0, to: t0 + HOUR }));
      assert.deepEqual(rows.map((x) => [x.name, x.ts - t0, x.ok, x.latencyMs, x.message]), [
        ["a", 0, true, 10, "m"],
        ["a", HOUR / 2, false, 11, "m"],
        ["a", HOUR, true, 12, "m"],
        ["b", 0, true, 1, "x"],
      ]);
      assert.equal(
        (await Array.fromAsync(r.exportChecks({ names: ["b"], from: 0, to: t0 * 2 }))).length,
        1,
      );
      assert.deepEqual(await r.streamNames(), ["a", "b", "never"]);
      assert.equal(await r.firstCheckAt("a"), t0);
      assert.equal(await r.firstCheckAt("never"), undefined);
      assert.equal(await r.firstCheckAt("nobody"), undefined);
      assert.equal((await r.lastStates()).get("never")?.kind, "rtsp");
    });
  },
};
