/** Tests of the node:sqlite store, each scenario on `:memory:` and on a temporary file. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import process from "node:process";
import { openStore, type Store, type StoreOptions } from "../../../monitor/store/sqlite/store.ts";
import { applyPragmas, migrate, MIGRATIONS } from "../../../monitor/store/sqlite/migrations.ts";
import type { CheckRecord } from "../../../monitor/types.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 10, 1, 0, 0, 0);
const BACKENDS = ["memory", "file"] as const;
type Backend = typeof BACKENDS[number];

/** Runs `fn` with an opener for the backend's path; the temporary folder is removed after. */
async function withPath(backend: Backend, fn: (path: string) => Promise<void> | void) {
  if (backend === "memory") return await fn(":memory:");
  const dir = await Deno.makeTempDir({ prefix: "sp_store_" });
  try {
    await fn(`${dir}/streams.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function logs() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (m: string) => lines.push(`I ${m}`),
      warn: (m: string) => lines.push(`W ${m}`),
    },
  };
}

function check(ts: number, ok: boolean, extra: Partial<CheckRecord> = {}): CheckRecord {
  return {
    ts,
    ok,
    state: ok ? "up" : "down",
    latencyMs: ok ? 40 + (ts % 7) : 3000,
    message: ok ? "RTSP 200" : "timeout",
    details: {},
    ...extra,
  };
}

function open(path: string, opts: StoreOptions = {}): Store {
  return openStore(path, { flushIntervalMs: 10_000, ...opts });
}

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
      const store = openStore(path, { flushIntervalMs: 20, maxBatch: 10 });
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

  Deno.test(`prune() deletes old raw checks in batches and keeps rollups (${backend})`, () =>
    withPath(backend, async (path) => {
      const now = T0 + 600 * DAY;
      const store = open(path, { now: () => now });
      try {
        const days = [500, 100, 40, 31, 29, 1]; // days ago
        for (const d of days) {
          for (let i = 0; i < 24; i++) {
            store.recordCheck("cam", check(now - d * DAY + i * 1000, true));
          }
        }
        store.recordStateChange({
          name: "cam",
          from: "up",
          to: "down",
          ts: now - 501 * DAY,
          cause: "x",
        });
        store.recordStateChange({
          name: "cam",
          from: "down",
          to: "up",
          ts: now - 500 * DAY,
          cause: "y",
        });
        store.recordStateChange({
          name: "cam",
          from: "up",
          to: "down",
          ts: now - 2 * DAY,
          cause: "z",
        });
        store.flush();
        assert.equal((await store.prune({ signal: AbortSignal.abort() })).aborted, true);
        await assert.rejects(() => store.prune({ rollupDays: 30 }), /"rollupDays" is 30/);

        let yielded = false;
        setTimeout(() => yielded = true, 0);
        const res = await store.prune({ retentionDays: 30, batchSize: 10 });
        assert.ok(yielded, "prune() yields to the event loop between batches");
        // 500, 100, 40 and 31 days old: 4 × 24 raw checks; the 500-day rollups and the
        // incident that ended 500 days ago fall out of the default 400 days.
        assert.deepEqual(res, { checks: 96, rollups: 2, incidents: 1, aborted: false });
        assert.deepEqual(
          store.history("cam", { limit: 10_000 }).map((c) => Math.round((now - c.ts) / DAY)),
          [...Array(24).fill(1), ...Array(24).fill(29)],
        );
        assert.equal(store.uptime({ since: now - 450 * DAY }).get("cam")?.checks, 5 * 24);
        assert.deepEqual(store.incidents("cam").map((i) => i.cause), ["z"]);
        assert.deepEqual(await store.prune(), {
          checks: 0,
          rollups: 0,
          incidents: 0,
          aborted: false,
        });
      } finally {
        store.close();
      }
    }));
}

Deno.test("openStore() migrates once and sets user_version and WAL", () =>
  withPath("file", (path) => {
    const first = logs();
    const store = openStore(path, { logger: first.logger });
    const health = store.health();
    store.close();
    assert.equal(health.userVersion, MIGRATIONS.length);
    assert.equal(health.journalMode, "wal");
    assert.ok(health.sizeBytes > 0);
    assert.ok(first.lines.some((l) => l.includes('applied migration 1 "initial schema"')));
    const again = logs();
    openStore(path, { logger: again.logger }).close();
    assert.deepEqual(again.lines.filter((l) => l.includes("migration")), []);
  }));

Deno.test("applyPragmas() sets WAL, synchronous=NORMAL and busy_timeout", () =>
  withPath("file", (path) => {
    const db = new DatabaseSync(path);
    try {
      assert.equal(applyPragmas(db, 2500), "wal");
      assert.equal(db.prepare("PRAGMA synchronous").get()?.synchronous, 1); // NORMAL
      assert.equal(db.prepare("PRAGMA busy_timeout").get()?.timeout, 2500);
    } finally {
      db.close();
    }
  }));

Deno.test("migrate() throws naming the failed migration and rolls it back", () => {
  const db = new DatabaseSync(":memory:");
  try {
    const steps = [
      { version: 1, name: "good", sql: "CREATE TABLE sp_a (x)" },
      { version: 2, name: "broken", sql: "CREATE TABLE sp_b (x); SELEC nonsense" },
    ];
    assert.throws(() => migrate(db, { migrations: steps }), /Migration 2 "broken" failed: /);
    assert.equal(db.prepare("PRAGMA user_version").get()?.user_version, 1);
    assert.equal(
      db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sp_b'").get()?.n,
      0,
    );
    assert.deepEqual(migrate(db, { migrations: steps.slice(0, 1) }).applied, []);
    db.exec("PRAGMA user_version = 99");
    assert.throws(() => migrate(db), /schema version 99 is newer/);
  } finally {
    db.close();
  }
});

Deno.test("flush() keeps the batch while the database is locked and the timer retries", () =>
  withPath("file", async (path) => {
    const { lines, logger } = logs();
    const store = openStore(path, { flushIntervalMs: 20, busyTimeoutMs: 100, logger });
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

Deno.test("openStore() reports hourly rollups, exports checks lazily, and keeps settings", () => {
  const HOUR = 3_600_000;
  const t0 = Date.UTC(2026, 0, 1);
  const store = openStore(":memory:", { now: () => t0 + 3 * HOUR });
  for (let i = 0; i < 6; i++) {
    store.recordCheck("a", {
      ts: t0 + i * HOUR / 2,
      ok: i !== 1,
      state: "up",
      latencyMs: 10 + i,
      message: "m",
      details: {},
    });
  }
  store.recordCheck("b", {
    ts: t0,
    ok: true,
    state: "up",
    latencyMs: 1,
    message: "x",
    details: {},
  });
  const r = store.rollups("a", { from: t0, to: t0 + 2 * HOUR });
  assert.deepStrictEqual(r.map((x) => [x.hour - t0, x.checks, x.ok, x.latMin, x.latMax]), [
    [0, 2, 1, 10, 10],
    [HOUR, 2, 2, 12, 13],
    [2 * HOUR, 2, 2, 14, 15],
  ]);
  assert.deepStrictEqual(store.rollups("nope", { from: 0, to: t0 }), []);
  const rows = [...store.exportChecks({ from: t0, to: t0 + HOUR })];
  assert.deepStrictEqual(rows.map((x) => [x.name, x.ts - t0, x.ok]), [
    ["a", 0, true],
    ["a", HOUR / 2, false],
    ["a", HOUR, true],
    ["b", 0, true],
  ]);
  assert.deepStrictEqual([...store.exportChecks({ names: ["b"], from: 0, to: t0 * 2 })].length, 1);
  assert.deepStrictEqual(store.getMeta("k"), undefined);
  store.setMeta("k", "v1");
  store.setMeta("k", "v2");
  assert.deepStrictEqual(store.getMeta("k"), "v2");
  store.close();
});
