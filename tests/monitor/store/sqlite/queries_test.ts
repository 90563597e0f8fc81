/** Tests of the SQLite store's reads: history, incidents, restored states, uptime. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { BACKENDS, check, DAY, HOUR, open, T0, withPath } from "./helpers.ts";

for (const backend of BACKENDS) {
  Deno.test(`history() flushes first and returns newest first within limits (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        for (let i = 0; i < 20; i++) store.recordCheck("cam", check(T0 + i * 1000, i % 3 !== 0));
        assert.equal(store.health().queued, 20);
        const all = store.history("cam");
        assert.equal(store.health().queued, 0);
        assert.equal(all.length, 20);
        assert.deepEqual(all.map((c) => c.ts), [...Array(20)].map((_, i) => T0 + (19 - i) * 1000));
        assert.deepEqual(all[0], check(T0 + 19_000, true));
        const win = store.history("cam", { from: T0 + 5000, to: T0 + 9000, limit: 3 });
        assert.deepEqual(win.map((c) => c.ts), [T0 + 9000, T0 + 8000, T0 + 7000]);
        assert.equal(store.history("cam", { limit: 0 }).length, 1);
        assert.equal(store.history("cam", { limit: 50_000 }).length, 20);
        assert.deepEqual(store.history("nobody"), []);
        assert.throws(() => store.history("cam", { from: NaN }), /"from" is NaN/);
        assert.throws(() => store.uptime({ since: NaN }), /"since" is NaN/);
      } finally {
        store.close();
      }
    }));

  Deno.test(`recordStateChange() keeps incidents; lastStates() restores state (${backend})`, () =>
    withPath(backend, (path) => {
      let now = T0 + 10 * HOUR;
      const store = open(path, { now: () => now });
      try {
        const change = (from: string, to: string, ts: number, cause: string) =>
          store.recordStateChange({ name: "cam", from, to, ts, cause } as never);
        change("unknown", "up", T0, "RTSP 200");
        change("up", "down", T0 + HOUR, "timeout");
        change("down", "degraded", T0 + 2 * HOUR, "frozen picture");
        change("degraded", "up", T0 + 3 * HOUR, "RTSP 200");
        change("up", "up", T0 + 3.5 * HOUR, "ignored");
        change("up", "down", T0 + 4 * HOUR, "connection refused");
        store.recordCheck("cam", check(T0 + 4 * HOUR - 1, true));
        store.flush();
        for (let i = 0; i < 3; i++) {
          store.recordCheck("cam", check(T0 + 4 * HOUR + i, false));
          store.flush(); // the streak must add up across batches
        }
        const inc = store.incidents("cam");
        assert.deepEqual(inc.map((i) => [i.state, i.start, i.end, i.cause, i.endCause]), [
          ["down", T0 + 4 * HOUR, null, "connection refused", null],
          ["degraded", T0 + 2 * HOUR, T0 + 3 * HOUR, "frozen picture", "RTSP 200"],
          ["down", T0 + HOUR, T0 + 2 * HOUR, "timeout", "frozen picture"],
        ]);
        assert.equal(inc[0].durationMs, 6 * HOUR);
        assert.equal(inc[1].durationMs, HOUR);
        now += HOUR;
        assert.equal(store.incidents("cam", { limit: 1 })[0].durationMs, 7 * HOUR);
        const mid = store.incidents("cam", { from: T0 + 2.5 * HOUR, to: T0 + 3.5 * HOUR });
        assert.deepEqual(mid.map((i) => i.state), ["degraded"]);
        const s = store.lastStates().get("cam");
        assert.equal(s?.state, "down");
        assert.equal(s?.since, T0 + 4 * HOUR);
        assert.equal(s?.failStreak, 3);
        assert.deepEqual(s?.last, check(T0 + 4 * HOUR + 2, false));
        store.recordCheck("cam", check(T0 + 5 * HOUR, true));
        assert.equal(store.lastStates().get("cam")?.failStreak, 0);
      } finally {
        store.close();
      }
    }));

  Deno.test(`uptime() matches the checks, summed from hour and day rollups (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path, { maxBatch: 37 }); // many batches hit the same hour
      const written: Array<{ name: string; ts: number; ok: boolean; lat: number }> = [];
      try {
        store.ensureStream("idle");
        // 4 days, a check every 5 min, with one long outage and a sprinkling of failures.
        for (let ts = T0 + 7 * 60_000; ts < T0 + 4 * DAY; ts += 5 * 60_000) {
          for (const name of ["a", "b"]) {
            const i = (ts - T0) / 60_000;
            const ok = name === "a" ? i % 11 !== 0 : !(ts > T0 + 30 * HOUR && ts < T0 + 41 * HOUR);
            const c = check(ts, ok);
            store.recordCheck(name, c);
            written.push({ name, ts, ok, lat: c.latencyMs });
          }
        }
        const sinces = [
          0,
          T0 + 1,
          T0 + 5 * HOUR + 59 * 60_000,
          T0 + 23 * HOUR,
          T0 + DAY + 30 * 60_000,
        ];
        for (const since of [...sinces, T0 + 3 * DAY + 13 * HOUR, T0 + 5 * DAY]) {
          const up = store.uptime({ since });
          const from = Math.floor(since / HOUR) * HOUR; // the hour holding `since` counts whole
          for (const name of ["a", "b"]) {
            const rows = written.filter((w) => w.name === name && w.ts >= from);
            const ok = rows.filter((w) => w.ok).length;
            assert.deepEqual(up.get(name), {
              checks: rows.length,
              ok,
              ratio: rows.length ? ok / rows.length : null,
            }, `${name} since ${new Date(since).toISOString()}`);
          }
          assert.deepEqual(up.get("idle"), { checks: 0, ok: 0, ratio: null });
        }
      } finally {
        store.close();
      }
      if (backend === "file") {
        // The latency columns cover passed checks only.
        const db = new DatabaseSync(path, { readOnly: true });
        try {
          const rows = db.prepare(
            "SELECT s.name, r.hour, r.checks, r.ok, r.lat_min, r.lat_sum, r.lat_max, r.lat_count " +
              "FROM sp_rollup_hour r JOIN sp_stream s ON s.id = r.stream_id ORDER BY 1, 2",
          ).all().map((r) => ({ ...r }));
          const expected = new Map<string, Record<string, unknown>>();
          for (const w of written) {
            const hour = Math.floor(w.ts / HOUR) * HOUR;
            const key = `${w.name}@${hour}`;
            const e = expected.get(key) ??
              {
                name: w.name,
                hour,
                checks: 0,
                ok: 0,
                lat_min: null,
                lat_sum: 0,
                lat_max: null,
                lat_count: 0,
              };
            e.checks = (e.checks as number) + 1;
            if (w.ok) {
              e.ok = (e.ok as number) + 1;
              e.lat_min = Math.min((e.lat_min ?? Infinity) as number, w.lat);
              e.lat_max = Math.max((e.lat_max ?? -Infinity) as number, w.lat);
              e.lat_sum = (e.lat_sum as number) + w.lat;
              e.lat_count = (e.lat_count as number) + 1;
            }
            expected.set(key, e);
          }
          const sorted = [...expected.values()].sort((x, y) =>
            String(x.name).localeCompare(String(y.name)) || (x.hour as number) - (y.hour as number)
          );
          assert.deepEqual(rows, sorted);
        } finally {
          db.close();
        }
      }
    }));
}
