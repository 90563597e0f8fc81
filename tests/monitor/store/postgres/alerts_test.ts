/** The PostgreSQL alerting state against a real PostgreSQL 15; scenarios also run on SQLite. */

import postgres from "postgres";
import assert from "node:assert/strict";
import { startPostgres } from "../../../fixtures/postgres.ts";
import { createPgAlerts, migratePostgres } from "../../../../monitor/store/postgres/mod.ts";
import { T0 } from "../sqlite/helpers.ts";
import { ALERT_SCENARIOS, item } from "./alert_scenarios.ts";
import { pgBackend, sqliteBackend } from "./backends.ts";

for (const [name, scenario] of Object.entries(ALERT_SCENARIOS)) {
  Deno.test(`${name} (sqlite)`, () => scenario(sqliteBackend));
}

Deno.test("PostgreSQL alerts (one real server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    const backend = pgBackend(pg, admin);
    for (const [name, scenario] of Object.entries(ALERT_SCENARIOS)) {
      await t.step(`${name} (postgres)`, () => scenario(backend));
    }

    await t.step("dueAlerts() on two connections claims disjoint items", async () => {
      await admin.unsafe("CREATE DATABASE claims");
      const url = pg.url.replace(/\/sp$/, "/claims");
      const c1 = postgres(url, { max: 4, onnotice: () => {} });
      const c2 = postgres(url, { max: 4, onnotice: () => {} });
      try {
        await migratePostgres(c1);
        const n1 = createPgAlerts(c1, { node: "n1", claimMs: 60_000 });
        const n2 = createPgAlerts(c2, { node: "n2", claimMs: 60_000 });
        const keys = [...Array(200)].map((_, i) => item(`k${i}`));
        assert.equal((await n1.enqueueAlerts(keys, T0)).added, 200);
        // Both nodes ask many times at once, in small batches, racing on the same rows.
        const asks = await Promise.all(
          [...Array(20)].map((_, i) => (i % 2 ? n1 : n2).dueAlerts(T0, 15)),
        );
        const got = asks.flat().map((x) => x.key);
        assert.equal(new Set(got).size, got.length, "an item went to two callers");
        assert.equal(got.length, 200);
        assert.deepEqual(await n1.dueAlerts(T0 + 59_999, 100), []);
        const owners = await c1`SELECT claimed_by, count(*)::int AS n FROM sp_outbox
          GROUP BY claimed_by ORDER BY claimed_by`;
        assert.deepEqual(owners.map((r) => r.claimed_by), ["n1", "n2"]);
        // An attempt releases its claim; a lapsed claim (its node died) is due again.
        const [first] = asks[1];
        await n1.recordAttempt(first.id, {
          ts: T0 + 1,
          ok: false,
          status: 500,
          answer: "x",
          nextAttemptAt: T0 + 2,
          failed: false,
        });
        assert.deepEqual((await n2.dueAlerts(T0 + 2, 500)).map((x) => x.key), [first.key]);
        // Every claim (the re-claimed one's too) lapses by T0 + 60,002: all 200 are due again.
        assert.equal((await n2.dueAlerts(T0 + 60_002, 500)).length, 200);
        const [log] = await c1`SELECT node FROM sp_delivery`;
        assert.equal(log.node, "n1");
      } finally {
        await c1.end();
        await c2.end();
      }
    });
  } finally {
    await admin.end();
    await pg.stop();
  }
});
