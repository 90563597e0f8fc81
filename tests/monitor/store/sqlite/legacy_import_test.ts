/** Tests of the Python 2.2 import: the shipped streams.db and a constructed, populated one. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  importLegacy,
  LEGACY_IMPORT_KEY,
  legacyTableName,
  parseLegacyTs,
} from "../../../../monitor/store/sqlite/legacy_import.ts";
import { migrate, MIGRATIONS } from "../../../../monitor/store/sqlite/migrations.ts";
import { openSqliteStore } from "../../../../monitor/store/sqlite/mod.ts";

/** The Python 2.2 release's database (read-only: only ever copied). */
const SHIPPED = new URL("../../../fixtures/compat/v2.2/streams.db", import.meta.url);
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 10, 1, 0, 0, 0);

async function withTempDir(fn: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "sp_legacy_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every row of the given tables, as text, to prove they were left untouched. */
function dump(path: string, tables: string[]): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return tables.map((t) =>
      JSON.stringify(db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all())
    ).join("\n");
  } finally {
    db.close();
  }
}

/** Formats UTC ms the way Python's isoformat() wrote it, in the given offset. */
function iso(ms: number, offset: "+05:30" | "Z" | "" | "+00:00", micros = false): string {
  const shift = offset === "+05:30" ? 330 * 60_000 : 0;
  const text = new Date(ms + shift).toISOString();
  return (micros ? `${text.slice(0, 23)}456` : text.slice(0, 19)) + offset;
}

interface Row {
  ts: number;
  ok: boolean;
  text: string;
  message: string;
}

/** Builds a Python 2.2 style database with two configured streams and one orphan log table. */
function buildPythonDb(path: string): { rows: Map<string, Row[]>; garbage: number } {
  const db = new DatabaseSync(path);
  const rows = new Map<string, Row[]>();
  let garbage = 0;
  try {
    db.exec(`
      CREATE TABLE streams(name TEXT PRIMARY KEY, url TEXT NOT NULL);
      CREATE TABLE users(user TEXT PRIMARY KEY, pass TEXT NOT NULL);
      INSERT INTO users VALUES ('admin', 'admin123');
      INSERT INTO streams VALUES ('Front door', 'rtsp://admin:s3cret@10.0.0.5/live'),
                                 ('2nd cam!', 'http://viewer:hunter22@10.0.0.6/mjpg/video.mjpg'),
                                 ('Never checked', 'rtsp://10.0.0.7/x');
    `);
    const plan: Array<[string, number, (i: number) => "+05:30" | "Z" | "" | "+00:00"]> = [
      ["Front door", 1000, () => "+05:30"],
      ["2nd cam!", 1000, (i) => (i % 3 === 0 ? "" : i % 3 === 1 ? "Z" : "+00:00")],
      ["Old_cam", 20, () => "Z"], // deleted from `streams` in Python, its table remains
    ];
    db.exec("BEGIN"); // one fsync, not one per row
    for (const [name, count, offsetOf] of plan) {
      const table = legacyTableName(name);
      db.exec(`CREATE TABLE "${table}"(
        id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, status TEXT NOT NULL,
        latency_ms INTEGER, message TEXT)`);
      const insert = db.prepare(
        `INSERT INTO "${table}" (ts, status, latency_ms, message) VALUES (?, ?, ?, ?)`,
      );
      const list: Row[] = [];
      for (let i = 0; i < count; i++) {
        const ts = T0 + i * 10_000 + (name === "2nd cam!" ? 3_000 : 0);
        // Outages: rows 50–57 of every 200, and one row in 97.
        const ok = !(i % 200 >= 50 && i % 200 < 58) && i % 97 !== 5;
        const message = ok
          ? (i % 10 === 0 ? "RTSP 401" : "RTSP 200")
          : (i % 2 ? "timeout" : "error: rtsp://admin:s3cret@10.0.0.5/live refused");
        const text = iso(ts, offsetOf(i), i % 7 === 0);
        insert.run(text, ok ? "ok" : "fail", ok ? 40 + (i % 9) : null, message);
        list.push({ ts, ok, text, message }); // .000456 s of micros round down to 0 ms
        if (i % 250 === 249) {
          insert.run(i % 500 === 249 ? "not a time" : "2025-02-30T10:00:00Z", "ok", 1, "RTSP 200");
          garbage++;
        }
      }
      rows.set(name, list);
    }
    db.exec("COMMIT");
  } finally {
    db.close();
  }
  return { rows, garbage };
}

Deno.test("legacyTableName() maps names like the Python project", () => {
  assert.equal(legacyTableName("Testing streams"), "log_Testing_streams");
  assert.equal(legacyTableName("Front door"), "log_Front_door");
  assert.equal(legacyTableName("2nd cam!"), "log_t_2nd_cam_");
  assert.equal(legacyTableName("_x"), "log__x");
  assert.equal(legacyTableName("café 😀"), "log_caf___");
});

Deno.test("parseLegacyTs() converts offsets to UTC and rejects garbage", () => {
  const utc = Date.UTC(2025, 10, 1, 6, 30, 20);
  assert.equal(parseLegacyTs("2025-11-01T12:00:20+05:30"), utc);
  assert.equal(parseLegacyTs("2025-11-01T06:30:20Z"), utc);
  assert.equal(parseLegacyTs("2025-11-01T06:30:20"), utc);
  assert.equal(parseLegacyTs("2025-11-01 06:30:20+00:00"), utc);
  assert.equal(parseLegacyTs("2025-11-01T01:30:20-0500"), utc);
  assert.equal(parseLegacyTs("2025-11-01T12:00:20.123456+05:30"), utc + 123);
  for (
    const bad of [
      "",
      "garbage",
      "2025-02-30T10:00:00Z",
      "2025-11-01T25:00:00Z",
      "1730440000",
      42,
      null,
    ]
  ) {
    assert.equal(parseLegacyTs(bad), null, String(bad));
  }
});

Deno.test("openSqliteStore() migrates and imports the shipped v2.2 streams.db", () =>
  withTempDir(async (dir) => {
    const path = `${dir}/streams.db`;
    await Deno.copyFile(SHIPPED, path);
    await Deno.chmod(path, 0o644);
    const legacy = ["streams", "users", "log_Testing_streams"];
    const before = dump(path, legacy);
    const lines: string[] = [];
    const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    const store = openSqliteStore(path, { logger });
    try {
      assert.deepEqual(store.streamNames(), ["Testing streams"]);
      assert.deepEqual(store.history("Testing streams"), []);
      assert.equal(store.health().userVersion, MIGRATIONS.length);
      assert.equal(store.health().journalMode, "wal");
      assert.ok(lines.some((l) => l.includes("imported Python 2.2 history: 1 streams, 0 rows")));
    } finally {
      store.close();
    }
    openSqliteStore(path, { logger }).close();
    assert.equal(lines.filter((l) => l.includes("imported")).length, 1);
    assert.equal(dump(path, legacy), before);
  }));

Deno.test("openSqliteStore() imports a populated Python DB exactly once, legacy tables intact", () =>
  withTempDir((dir) => {
    const path = `${dir}/streams.db`;
    const { rows, garbage } = buildPythonDb(path);
    const legacy = ["streams", "users", "log_Front_door", "log_t_2nd_cam_", "log_Old_cam"];
    const before = dump(path, legacy);
    const store = openSqliteStore(path, { now: () => T0 + 30 * HOUR });
    try {
      assert.deepEqual(store.streamNames(), ["2nd cam!", "Front door", "Never checked", "Old_cam"]);
      const states = store.lastStates();
      for (const [name, list] of rows) {
        const got = store.history(name, { limit: 10_000 });
        assert.equal(got.length, list.length, name);
        const want = [...list].reverse();
        assert.deepEqual(got.map((c) => c.ts), want.map((r) => r.ts), `${name} UTC timestamps`);
        assert.deepEqual(
          got.map((c) => [c.ok, c.state]),
          want.map((r) => [r.ok, r.ok ? "up" : "down"]),
        );
        assert.ok(got.every((c) => c.details.imported === "python"));
        assert.equal(
          got.filter((c) => c.details.legacyNote).length,
          list.filter((r) => r.ok && r.message === "RTSP 401").length,
        );

        // Incidents: every run of failures, from its first failure to the next ok row.
        const runs: Array<[number, number | null]> = [];
        list.forEach((r, i) => {
          if (!r.ok && (i === 0 || list[i - 1].ok)) runs.push([r.ts, null]);
          if (r.ok && i > 0 && !list[i - 1].ok) runs[runs.length - 1][1] = r.ts;
        });
        const inc = store.incidents(name, { limit: 10_000 });
        assert.deepEqual(inc.map((i) => [i.start, i.end]).reverse(), runs, `${name} incidents`);
        assert.ok(inc.every((i) => !i.cause.includes("s3cret")));

        const ok = list.filter((r) => r.ok).length;
        assert.deepEqual(store.uptime({ since: 0 }).get(name), {
          checks: list.length,
          ok,
          ratio: ok / list.length,
        });
        const lastHour = Math.floor(list[list.length - 1].ts / HOUR) * HOUR;
        const inLast = list.filter((r) => r.ts >= lastHour);
        assert.equal(store.uptime({ since: lastHour + 1 }).get(name)?.checks, inLast.length);

        const last = list[list.length - 1];
        let streak = 0;
        for (let i = list.length - 1; i >= 0 && !list[i].ok; i--) streak++;
        const firstOfState = [...list].reverse().findIndex((r) => r.ok !== last.ok);
        const since = list[list.length - firstOfState].ts;
        assert.deepEqual(
          {
            state: states.get(name)?.state,
            since: states.get(name)?.since,
            failStreak: states.get(name)?.failStreak,
          },
          { state: last.ok ? "up" : "down", since, failStreak: streak },
        );
      }
      assert.equal(states.get("Never checked")?.state, "unknown");
    } finally {
      store.close();
    }

    const db = new DatabaseSync(path);
    try {
      const meta = db.prepare("SELECT value FROM sp_meta WHERE key = ?").get(LEGACY_IMPORT_KEY);
      const total = [...rows.values()].reduce((n, l) => n + l.length, 0);
      assert.deepEqual(
        JSON.parse(String(meta?.value)),
        { at: T0 + 30 * HOUR, streams: 4, rows: total, skipped: garbage },
      );
      assert.deepEqual(importLegacy(db), { streams: 0, rows: 0, skipped: 0 });
      // Hourly rollups of the imported rows, bucket by bucket (latency over passed checks only).
      const got = db.prepare(
        "SELECT s.name, r.hour, r.checks, r.ok, r.lat_count FROM sp_rollup_hour r " +
          "JOIN sp_stream s ON s.id = r.stream_id ORDER BY s.name, r.hour",
      ).all().map((r) => ({ ...r }));
      const want = new Map<string, Record<string, string | number>>();
      for (const [name, list] of [...rows].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (const r of list) {
          const hour = Math.floor(r.ts / HOUR) * HOUR;
          const e = want.get(`${name}@${hour}`) ?? { name, hour, checks: 0, ok: 0, lat_count: 0 };
          e.checks = Number(e.checks) + 1;
          e.ok = Number(e.ok) + (r.ok ? 1 : 0);
          e.lat_count = Number(e.lat_count) + (r.ok ? 1 : 0);
          want.set(`${name}@${hour}`, e);
        }
      }
      assert.deepEqual(got, [...want.values()]);
      // No URL, no credential and nothing of `users` reached the sp_* tables.
      const sp = db.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sp\\_%' ESCAPE '\\'",
      )
        .all().map((r) => String(r.name));
      const text = sp.map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all())).join("");
      for (const secret of ["s3cret", "hunter22", "admin123", "10.0.0.6", "mjpg"]) {
        assert.ok(!text.includes(secret), `${secret} must not be stored`);
      }
    } finally {
      db.close();
    }
    const again = openSqliteStore(path);
    try {
      assert.equal(
        again.history("Front door", { limit: 10_000 }).length,
        rows.get("Front door")?.length,
      );
    } finally {
      again.close();
    }
    assert.equal(dump(path, legacy), before);
  }));

Deno.test("importLegacy() rolls back and throws loudly when a write fails", () => {
  const db = new DatabaseSync(":memory:");
  try {
    db.exec(`CREATE TABLE streams(name TEXT PRIMARY KEY, url TEXT NOT NULL);
      INSERT INTO streams VALUES ('cam', 'rtsp://x');
      CREATE TABLE log_cam(id INTEGER PRIMARY KEY, ts TEXT, status TEXT, latency_ms INTEGER, message TEXT);
      INSERT INTO log_cam (ts, status, latency_ms, message) VALUES ('2025-11-01T00:00:00Z', 'ok', 5, 'RTSP 200');`);
    migrate(db);
    db.exec(
      "CREATE TEMP TRIGGER boom BEFORE INSERT ON sp_check BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    assert.throws(
      () => importLegacy(db),
      /Legacy import of the Python 2\.2 tables failed: .*disk on fire/,
    );
    assert.equal(db.prepare("SELECT count(*) AS n FROM sp_stream").get()?.n, 0);
    assert.equal(db.prepare("SELECT count(*) AS n FROM sp_meta").get()?.n, 0);
    db.exec("DROP TRIGGER boom");
    assert.deepEqual(importLegacy(db), { streams: 1, rows: 1, skipped: 0 });
  } finally {
    db.close();
  }
});
