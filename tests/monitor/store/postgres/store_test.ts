/** The whole Store on SQLite and on a real PostgreSQL 15, plus what only PostgreSQL can go through. */

import postgres from "postgres";
import type { Sql } from "postgres";
import assert from "node:assert/strict";
import { startPostgres } from "../../../fixtures/postgres.ts";
import { isPostgresStore, openStoreFor } from "../../../../monitor/store/mod.ts";
import {
  openPostgresStore,
  pgClientOptions,
  pgDisplayUrl,
  pgRedactor,
} from "../../../../monitor/store/postgres/mod.ts";
import { check, T0 } from "../sqlite/helpers.ts";
import { pgBackend, sqliteBackend } from "./backends.ts";
import { startCommitCutProxy } from "./commit_cut_proxy.ts";
import { STORE_SCENARIOS } from "./store_scenarios.ts";

for (const [name, scenario] of Object.entries(STORE_SCENARIOS)) {
  Deno.test(`${name} (sqlite)`, () => scenario(sqliteBackend));
}

Deno.test("pgClientOptions() reconnects within a second however many attempts failed", () => {
  const o = pgClientOptions({ node: "site-a-1" });
  const backoff = o.backoff as (n: number) => number;
  // npm:postgres's own backoff grows to 20 s: a restarted server would sit unused that long.
  for (const n of [0, 1, 5, 10, 50]) assert.ok(backoff(n) <= 1, `attempt ${n}: ${backoff(n)} s`);
  assert.deepEqual([o.max, o.connect_timeout, o.connection?.application_name], [
    10,
    5,
    "streampulse site-a-1",
  ]);
});

Deno.test("pgDisplayUrl() and pgRedactor() keep credentials out", () => {
  assert.equal(
    pgDisplayUrl("postgres://u:p%40ss@db.lan:6543/sp?sslmode=x"),
    "postgres://db.lan:6543/sp",
  );
  assert.equal(pgDisplayUrl("postgresql://u@db/sp"), "postgresql://db:5432/sp");
  assert.equal(pgDisplayUrl("not a url u:pw@"), "postgres://(unparsable URL)");
  const redact = pgRedactor("postgres://u:p%40ss@db/sp?password=qq");
  assert.equal(redact("p%40ss p@ss qq fine"), "*** *** *** fine");
  assert.equal(redact("at postgres://u:p%40ss@db/sp?password=qq"), "at ***");
});

const logs = () => {
  const lines: string[] = [];
  return {
    lines,
    logger: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) },
  };
};

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

const PASSWORD = "Sup3r-secret_pw";

Deno.test("PostgreSQL store (one real server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  let dbs = 0;
  /** A new empty database's URL, with a password (the fixture trusts loopback: any works). */
  const freshUrl = async (port = pg.port) => {
    const db = `p${++dbs}`;
    await admin.unsafe(`CREATE DATABASE ${db}`);
    return { db, url: `postgres://sp:${PASSWORD}@127.0.0.1:${port}/${db}` };
  };
  const direct = (db: string): Sql =>
    postgres(pg.url.replace(/\/sp$/, `/${db}`), { max: 1, onnotice: () => {} });
  try {
    const backend = pgBackend(pg, admin);
    for (const [name, scenario] of Object.entries(STORE_SCENARIOS)) {
      await t.step(`${name} (postgres)`, () => scenario(backend));
    }

    await t.step(
      "openPostgresStore() keeps checks queued while the server is down and loses none",
      async () => {
        const { db, url } = await freshUrl();
        const { lines, logger } = logs();
        const s = await openPostgresStore(url, {
          logger,
          node: "n1",
          flushIntervalMs: 50,
          connectTimeoutSeconds: 2,
          maxConnections: 2, // every connection of the pool goes through the failed reconnects
        });
        try {
          s.ensureStream("cam", "rtsp");
          for (let i = 0; i < 20; i++) s.recordCheck("cam", check(T0 + i * 1000, true));
          await s.flush();
          let drainMs = 0;
          await pg.restart({
            whileDown: async () => {
              const downAt = Date.now();
              for (let i = 20; i < 50; i++) s.recordCheck("cam", check(T0 + i * 1000, i > 40));
              s.recordStateChange({
                name: "cam",
                from: "up",
                to: "down",
                ts: T0 + 21_000,
                cause: "x",
              });
              s.setMeta("during", "outage");
              assert.equal(s.getMeta("during"), "outage", "settings answer from memory");
              await until("a failed background flush", () => s.health().writeError !== null);
              const h = s.health();
              assert.equal(h.queued, 32);
              assert.ok(h.oldestQueuedAgeMs !== null && h.oldestQueuedAgeMs >= 0);
              assert.ok(h.oldestQueuedAgeMs! <= Date.now() - downAt + 50);
              assert.equal(h.path, `postgres://127.0.0.1:${pg.port}/${db}`);
              assert.ok(!JSON.stringify(h).includes(PASSWORD), JSON.stringify(h));
              await assert.rejects(() => s.flush());
              await new Promise((r) => setTimeout(r, 3000)); // ~7 failed reconnects: a default pool waits 10–20 s
            },
          });
          drainMs = await until(
            "the queue to drain after the restart",
            () => s.health().queued === 0,
          );
          // npm:postgres would wait up to 20 s between reconnects; the store's pool backoff and
          // the writer's retry cap make a restarted server usable within a second or two.
          assert.ok(drainMs < 5000, `drained ${drainMs} ms after the restart`);
          const h = s.health();
          assert.deepEqual([h.writeError, h.oldestQueuedAgeMs], [null, null]);
          assert.equal((await s.history("cam", { limit: 1000 })).length, 50);
          assert.equal((await s.incidents("cam")).length, 1);
          const sql = direct(db);
          try {
            const [r] = await sql`SELECT (SELECT count(*)::int FROM sp_check) AS checks,
              (SELECT sum(checks)::int FROM sp_rollup_hour) AS hour,
              (SELECT value FROM sp_meta WHERE key = 'during') AS during`;
            assert.deepEqual({ ...r }, { checks: 50, hour: 50, during: "outage" });
          } finally {
            await sql.end();
          }
          assert.ok(lines.some((l) => l.includes("flush failed")), lines.join("\n"));
          assert.ok(lines.some((l) => l.includes("writes recovered")), lines.join("\n"));
          assert.ok(!lines.join("\n").includes(PASSWORD));
          console.log(`  queue drained ${drainMs} ms after the server came back`);
        } finally {
          await s.close();
        }
      },
    );

    await t.step("a batch whose COMMIT answer was lost is written once when retried", async () => {
      const proxy = startCommitCutProxy(pg.port);
      const { db, url } = await freshUrl(proxy.port);
      const s = await openPostgresStore(url, { node: "n1", flushIntervalMs: 10_000 });
      const sql = direct(db);
      try {
        s.ensureStream("cam");
        s.recordCheck("cam", check(T0, true));
        await s.flush();
        const cut = proxy.cutNextCommit();
        for (let i = 1; i <= 3; i++) s.recordCheck("cam", check(T0 + i * 1000, false));
        s.recordStateChange({ name: "cam", from: "up", to: "down", ts: T0 + 1000, cause: "x" });
        await assert.rejects(() => s.flush(), "the client never hears the COMMIT");
        await cut;
        assert.equal(s.health().queued, 4, "the batch stays queued");
        const [before] = await sql`SELECT count(*)::int AS n FROM sp_check`;
        assert.equal(before.n, 4, "yet the server committed it");
        assert.equal(await s.flush(), 4); // the retry: the same batch again
        const [r] = await sql`SELECT (SELECT count(*)::int FROM sp_check) AS checks,
          (SELECT sum(checks)::int FROM sp_rollup_hour) AS hour,
          (SELECT sum(checks)::int FROM sp_rollup_day) AS day,
          (SELECT count(*)::int FROM sp_incident) AS incidents,
          (SELECT count(*)::int FROM sp_incident WHERE ended_at IS NULL) AS open,
          (SELECT fail_streak FROM sp_stream WHERE name = 'cam') AS streak`;
        assert.deepEqual({ ...r }, {
          checks: 4,
          hour: 4,
          day: 4,
          incidents: 1,
          open: 1,
          streak: 3,
        });
        assert.equal(s.health().writeError, null);
      } finally {
        await s.close();
        await sql.end();
        await proxy.close();
      }
    });

    await t.step("two stores on one database see each other's current rows", async () => {
      const { url } = await freshUrl();
      const a = await openPostgresStore(url, { node: "a", flushIntervalMs: 10_000 });
      const b = await openPostgresStore(url, { node: "b", flushIntervalMs: 10_000 });
      try {
        a.ensureStream("cam-a", "rtsp");
        b.ensureStream("cam-b", "http");
        a.recordCheck("cam-a", check(T0, false));
        a.recordStateChange({ name: "cam-a", from: "up", to: "down", ts: T0, cause: "x" });
        b.recordCheck("cam-b", check(T0, true));
        await Promise.all([a.flush(), b.flush()]);
        const all = await b.current(0);
        const by = new Map(all.rows.map((r) => [r.name, r]));
        assert.deepEqual(
          [by.get("cam-a")?.node, by.get("cam-a")?.state, by.get("cam-a")?.kind],
          ["a", "down", "rtsp"],
        );
        assert.deepEqual([by.get("cam-b")?.node, by.get("cam-b")?.last?.ok], ["b", true]);
        a.recordCheck("cam-a", check(T0 + 1000, true));
        await a.flush();
        const next = await b.current(all.seq);
        assert.deepEqual(next.rows.map((r) => [r.name, r.failStreak, r.node]), [["cam-a", 0, "a"]]);
        assert.equal(b.sql, b.sql, "the pool is shared, not re-created");
      } finally {
        await a.close();
        await b.close();
      }
    });

    await t.step("openStoreFor() opens PostgreSQL for a database URL, else SQLite", async () => {
      const { url } = await freshUrl();
      const pgStore = await openStoreFor({ db: "/nonexistent/streams.db", database: url }, {
        node: "n1",
      });
      const lite = await openStoreFor({ db: ":memory:" }, { node: "n1", connectTimeoutSeconds: 1 });
      try {
        assert.equal(isPostgresStore(pgStore), true);
        assert.equal(isPostgresStore(lite), false);
        assert.equal(pgStore.health().journalMode, "postgresql");
        assert.equal(lite.health().path, ":memory:");
      } finally {
        await pgStore.close();
        await lite.close();
      }
    });

    await t.step(
      "openPostgresStore() names the server without its password when it fails",
      async () => {
        const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (l.addr as Deno.NetAddr).port;
        l.close(); // nobody listens there now
        await assert.rejects(
          () =>
            openPostgresStore(`postgres://sp:${PASSWORD}@127.0.0.1:${port}/nowhere`, {
              connectTimeoutSeconds: 1,
            }),
          (e: Error) => {
            assert.ok(
              e.message.startsWith(
                `Cannot open the store "postgres://127.0.0.1:${port}/nowhere": `,
              ),
              e.message,
            );
            assert.ok(!e.message.includes(PASSWORD), e.message);
            return true;
          },
        );
      },
    );
  } finally {
    await admin.end();
    await pg.stop();
  }
});
