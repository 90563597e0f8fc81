/** Tests of stable stream ids in the SQLite store: renames, adoption, collisions, migration 3. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { importLegacy, legacyTableName } from "../../../../monitor/store/sqlite/legacy_import.ts";
import { applyPragmas, migrate, MIGRATIONS } from "../../../../monitor/store/sqlite/migrations.ts";
import { asideName, planIdentity } from "../../../../monitor/store/identity.ts";
import { BACKENDS, check, HOUR, logs, open, T0, withPath } from "./helpers.ts";

const SHIPPED = new URL("../../../fixtures/compat/v2.2/streams.db", import.meta.url);

Deno.test("planIdentity() lets the id win over the name", () => {
  const rows = [
    { row: 1, name: "a", configId: "x" },
    { row: 2, name: "b" },
    { row: 3, name: "c", configId: "z" },
  ];
  const known = {
    byName: (n: string) => rows.find((r) => r.name === n),
    byConfigId: (c: string) => rows.find((r) => r.configId === c),
  };
  assert.deepEqual(planIdentity("a", "x", known), { act: "use", row: 1 });
  assert.deepEqual(planIdentity("new", "x", known), {
    act: "rename",
    row: 1,
    from: "a",
    aside: undefined,
  });
  assert.deepEqual(planIdentity("b", "x", known), { act: "rename", row: 1, from: "a", aside: 2 });
  assert.deepEqual(planIdentity("b", "y", known), { act: "adopt", row: 2 });
  assert.deepEqual(planIdentity("c", "y", known), { act: "create", aside: 3 });
  assert.deepEqual(planIdentity("d", "y", known), { act: "create", aside: undefined });
});

Deno.test("asideName() finds the first free suffix", () => {
  const taken = new Set(["cam (old)", "cam (old 2)"]);
  assert.equal(asideName("cam", (n) => taken.has(n)), "cam (old 3)");
  assert.equal(asideName("x", () => false), "x (old)");
});

for (const backend of BACKENDS) {
  Deno.test(`ensureStream() with an id renames its stream: history, incidents and rollups follow (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        const row = store.ensureStream("Front", "rtsp");
        store.recordCheck("Front", check(T0, true));
        store.recordStateChange({
          name: "Front",
          from: "up",
          to: "down",
          ts: T0 + 1000,
          cause: "x",
        });
        store.recordCheck("Front", check(T0 + 1000, false));
        // First use of an id: the existing row adopts it.
        assert.equal(store.ensureStream("Front", "rtsp", "cam-1"), row);
        store.recordCheck("Front", check(T0 + 2000, false)); // still queued at the rename
        assert.equal(store.ensureStream("Porch", "rtsp", "cam-1"), row);
        assert.deepEqual(store.history("Porch").map((c) => c.ts), [T0 + 2000, T0 + 1000, T0]);
        assert.deepEqual(store.history("Front"), []);
        const [inc] = store.incidents("Porch");
        assert.deepEqual([inc.name, inc.start, inc.end], ["Porch", T0 + 1000, null]);
        assert.equal(store.incident(inc.id)?.name, "Porch");
        assert.deepEqual(store.rollups("Porch", { from: T0, to: T0 + HOUR }).map((r) => r.checks), [
          3,
        ]);
        assert.deepEqual(store.streamNames(), ["Porch"]);
        assert.equal(store.lastStates().get("Porch")?.state, "down");
        assert.equal(store.lastStates().get("Porch")?.failStreak, 2);
        assert.equal(store.firstCheckAt("Porch"), T0);
        // The next check goes to the same row, the kind stays.
        store.recordCheck("Porch", check(T0 + 3000, true));
        assert.equal(store.history("Porch").length, 4);
        assert.equal(store.lastStates().get("Porch")?.kind, "rtsp");
      } finally {
        store.close();
      }
    }));

  Deno.test(`ensureStream() moves a stream holding the new name aside instead of merging (${backend})`, () =>
    withPath(backend, (path) => {
      const log = logs();
      const store = open(path, { logger: log.logger });
      try {
        store.ensureStream("Old", undefined, "a");
        store.recordCheck("Old", check(T0, true));
        store.ensureStream("Gone"); // removed from the config long ago, its history remains
        store.recordCheck("Gone", check(T0 + 5, false));
        store.setMute("Gone", T0 + HOUR, "its mute");
        store.setMute("Old", T0 + 2 * HOUR, "mine");
        store.ensureStream("Gone", undefined, "a");
        assert.deepEqual(store.history("Gone").map((c) => c.ts), [T0]);
        assert.deepEqual(store.history("Gone (old)").map((c) => c.ts), [T0 + 5]);
        assert.deepEqual(store.streamNames(), ["Gone", "Gone (old)"]);
        assert.deepEqual(store.mutes(T0).map((m) => [m.name, m.note]), [
          ["Gone", "mine"],
          ["Gone (old)", "its mute"],
        ]);
        assert.ok(log.lines.some((l) => l.startsWith("W ") && l.includes('"Gone (old)"')));
        // A row of the name holding another id moves aside too; the new id gets a new row.
        store.ensureStream("Gone", undefined, "b");
        assert.deepEqual(store.history("Gone"), []);
        assert.deepEqual(store.history("Gone (old 2)").map((c) => c.ts), [T0]);
        assert.deepEqual(store.streamNames(), ["Gone", "Gone (old 2)", "Gone (old)"]);
      } finally {
        store.close();
      }
    }));

  Deno.test(`ensureStream() swaps two names by id without losing either history (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path);
      try {
        store.ensureStream("one", undefined, "x");
        store.ensureStream("two", undefined, "y");
        store.recordCheck("one", check(T0, true));
        store.recordCheck("two", check(T0 + 1, false));
        store.ensureStream("one", undefined, "y");
        store.ensureStream("two", undefined, "x");
        assert.deepEqual(store.history("one").map((c) => c.ts), [T0 + 1]);
        assert.deepEqual(store.history("two").map((c) => c.ts), [T0]);
        assert.deepEqual(store.streamNames(), ["one", "two"]);
      } finally {
        store.close();
      }
    }));
}

Deno.test("ensureStream() throws RangeError for an id the config would refuse", () =>
  withPath("memory", (path) => {
    const store = open(path);
    try {
      for (const bad of ["", "has space", "x".repeat(65), "ü"]) {
        assert.throws(() => store.ensureStream("cam", undefined, bad), RangeError, bad);
      }
      assert.deepEqual(store.streamNames(), []);
    } finally {
      store.close();
    }
  }));

Deno.test("openSqliteStore() keeps a rename by id across a reopen (startup ensureStream by id)", () =>
  withPath("file", (path) => {
    let store = open(path);
    store.ensureStream("Front", "rtsp", "cam-1");
    store.recordCheck("Front", check(T0, true));
    store.close();
    // StreamPulse stopped; config.yaml renamed the stream; the next start ensures it by id.
    store = open(path);
    try {
      assert.deepEqual(store.streamNames(), ["Front"]);
      store.ensureStream("Porch", "rtsp", "cam-1");
      assert.deepEqual(store.history("Porch").map((c) => c.ts), [T0]);
    } finally {
      store.close();
    }
    store = open(path);
    try {
      assert.deepEqual(store.streamNames(), ["Porch"]);
      assert.equal(store.ensureStream("Porch", "rtsp", "cam-1"), store.ensureStream("Porch"));
    } finally {
      store.close();
    }
  }));

Deno.test("openSqliteStore() applies migration 3 to a schema-2 database and keeps everything", () =>
  withPath("file", async (path) => {
    await Deno.copyFile(SHIPPED, path);
    await Deno.chmod(path, 0o644);
    // The previous release: schema 2 on the Python file, its history imported, data added.
    const db = new DatabaseSync(path);
    applyPragmas(db);
    db.exec(`CREATE TABLE "${legacyTableName("Old_cam")}"(
      id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, status TEXT NOT NULL,
      latency_ms INTEGER, message TEXT)`);
    db.exec(`INSERT INTO "${legacyTableName("Old_cam")}" (ts, status, latency_ms, message) VALUES
      ('2025-11-01T05:30:00+05:30', 'ok', 40, 'RTSP 200'),
      ('2025-11-01T05:30:10+05:30', 'fail', NULL, 'timeout')`);
    migrate(db, { migrations: MIGRATIONS.slice(0, 2) });
    importLegacy(db, { now: () => T0 });
    db.exec(`INSERT INTO sp_mute VALUES ('Old_cam', ${T0 + HOUR}, 'works')`);
    const before = JSON.stringify(db.prepare("SELECT * FROM sp_check ORDER BY id").all());
    const incidents = JSON.stringify(db.prepare("SELECT * FROM sp_incident ORDER BY id").all());
    const legacy = JSON.stringify(db.prepare("SELECT * FROM streams ORDER BY name").all());
    assert.equal(db.prepare("PRAGMA user_version").get()?.user_version, 2);
    db.close();

    const log = logs();
    const store = open(path, { logger: log.logger });
    try {
      assert.equal(store.health().userVersion, MIGRATIONS.length);
      assert.ok(log.lines.some((l) => l.includes('applied migration 3 "stable stream ids"')));
      assert.deepEqual(store.streamNames(), ["Old_cam", "Testing streams"]);
      assert.deepEqual(store.history("Old_cam").map((c) => [c.ts, c.ok]), [
        [T0 + 10_000, false],
        [T0, true],
      ]);
      // The first id adopts the imported history; a rename carries it and the mute.
      store.ensureStream("Old_cam", undefined, "oc");
      store.ensureStream("Garden", undefined, "oc");
      assert.deepEqual(store.history("Garden").map((c) => c.ts), [T0 + 10_000, T0]);
      assert.equal(store.incidents("Garden").length, 1);
      assert.deepEqual(store.mutes(T0).map((m) => m.name), ["Garden"]);
    } finally {
      store.close();
    }
    const after = new DatabaseSync(path, { readOnly: true });
    try {
      assert.equal(
        JSON.stringify(after.prepare("SELECT * FROM sp_check ORDER BY id").all()),
        before,
      );
      const inc = after.prepare("SELECT * FROM sp_incident ORDER BY id").all();
      assert.equal(JSON.stringify(inc), incidents);
      assert.equal(
        JSON.stringify(after.prepare("SELECT * FROM streams ORDER BY name").all()),
        legacy,
      );
      assert.deepEqual(
        after.prepare("SELECT name, config_id FROM sp_stream ORDER BY name").all().map((r) => ({
          ...r,
        })),
        [{ name: "Garden", config_id: "oc" }, { name: "Testing streams", config_id: null }],
      );
    } finally {
      after.close();
    }
  }));
