/** Tests of the SQLite store's reports (rollups, export) and settings. */

import assert from "node:assert/strict";
import { openSqliteStore } from "../../../../monitor/store/sqlite/mod.ts";

Deno.test("openSqliteStore() reports hourly rollups, exports checks lazily, and keeps settings", () => {
  const HOUR = 3_600_000;
  const t0 = Date.UTC(2026, 0, 1);
  const store = openSqliteStore(":memory:", { now: () => t0 + 3 * HOUR });
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
