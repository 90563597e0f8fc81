/** The PostgreSQL reads against a real PostgreSQL 15, each scenario also run on SQLite. */

import postgres from "postgres";
import assert from "node:assert/strict";
import { startPostgres } from "../../../fixtures/postgres.ts";
import { pgBackend, seedPg, sqliteBackend } from "./backends.ts";
import { READ_SCENARIOS } from "./read_scenarios.ts";
import {
  createPgReads,
  EXPORT_PAGE,
  migratePostgres,
} from "../../../../monitor/store/postgres/mod.ts";

for (const [name, scenario] of Object.entries(READ_SCENARIOS)) {
  Deno.test(`${name} (sqlite)`, () => scenario(sqliteBackend));
}

Deno.test("PostgreSQL reads (one real server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    const backend = pgBackend(pg, admin);
    for (const [name, scenario] of Object.entries(READ_SCENARIOS)) {
      await t.step(`${name} (postgres)`, () => scenario(backend));
    }

    await t.step("exportChecks() streams 20,000 rows a page at a time", async () => {
      await admin.unsafe("CREATE DATABASE big");
      const url = pg.url.replace(/\/sp$/, "/big");
      const queries: string[] = [];
      const sql = postgres(url, {
        max: 1,
        onnotice: () => {},
        debug: (_c, q) => void queries.push(q),
      });
      try {
        await migratePostgres(sql);
        await seedPg(sql, { streams: [{ name: "cam" }, { name: "empty" }] }, 0);
        await sql.unsafe(
          `INSERT INTO sp_check (stream_id, ts, ok, state, latency_ms, message, details)
           SELECT 1, g, g % 5 <> 0, 'up', g % 97, repeat('x', 500) || g, '{}'::jsonb
           FROM generate_series(1, 20000) g`,
        );
        const reads = createPgReads(sql);
        const pages = () => queries.filter((q) => q.includes("FROM sp_check")).length;
        queries.length = 0;
        let n = 0, lastTs = 0, pagesAtFirst = 0;
        for await (const row of reads.exportChecks({ from: 0, to: 1e12 })) {
          if (n === 0) pagesAtFirst = pages();
          assert.ok(row.ts > lastTs, `ordered at ${row.ts}`);
          lastTs = row.ts;
          n++;
        }
        assert.equal(n, 20_000);
        assert.equal(lastTs, 20_000);
        // Lazy: one page read before the first row; then one query per page of EXPORT_PAGE rows
        // (plus the empty page closing each stream), so memory holds one page, never the export.
        assert.equal(pagesAtFirst, 1);
        assert.equal(pages(), 20_000 / EXPORT_PAGE + 2);
        // Stopping early reads no further page.
        queries.length = 0;
        for await (const _ of reads.exportChecks({ from: 0, to: 1e12 })) break;
        assert.equal(pages(), 1);
      } finally {
        await sql.end();
      }
    });
  } finally {
    await admin.end();
    await pg.stop();
  }
});
