/** Tests of the SQLite store's pragmas and numbered migrations. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openSqliteStore } from "../../../../monitor/store/sqlite/mod.ts";
import { applyPragmas, migrate, MIGRATIONS } from "../../../../monitor/store/sqlite/migrations.ts";
import { logs, withPath } from "./helpers.ts";

Deno.test("openSqliteStore() migrates once and sets user_version and WAL", () =>
  withPath("file", (path) => {
    const first = logs();
    const store = openSqliteStore(path, { logger: first.logger });
    const health = store.health();
    store.close();
    assert.equal(health.userVersion, MIGRATIONS.length);
    assert.equal(health.journalMode, "wal");
    assert.ok(health.sizeBytes > 0);
    assert.ok(first.lines.some((l) => l.includes('applied migration 1 "initial schema"')));
    const again = logs();
    openSqliteStore(path, { logger: again.logger }).close();
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
