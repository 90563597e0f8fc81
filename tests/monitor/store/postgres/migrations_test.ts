/** The PostgreSQL schema against a real PostgreSQL 15: migrations, outbox key, NOTIFY, SKIP LOCKED. */

import postgres from "postgres";
import type { Sql } from "postgres";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../../assert.ts";
import { startPostgres } from "../../../fixtures/postgres.ts";
import type { PgMigration } from "../../../../monitor/store/postgres/mod.ts";
import { migratePostgres, POSTGRES_MIGRATIONS } from "../../../../monitor/store/postgres/mod.ts";

const ALL = POSTGRES_MIGRATIONS.map((m) => m.version);

/** Every index SQLite's migrations 1–4 create, by the same name. */
const SQLITE_INDEXES = [
  "sp_check_stream_ts",
  "sp_incident_stream_start",
  "sp_incident_open",
  "sp_outbox_pending",
  "sp_outbox_done",
  "sp_delivery_ts",
  "sp_delivery_channel_ts",
  "sp_stream_config_id",
  "sp_incident_start",
  "sp_incident_end",
];

const connect = (url: string): Sql => postgres(url, { max: 1, onnotice: () => {} });

/** Resolves with `p`, or rejects naming `what` after `ms` (generous: the machine is shared). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function tables(sql: Sql): Promise<string[]> {
  const rows = await sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`;
  return rows.map((r) => r.tablename as string).sort();
}

const insertOutbox = (sql: Sql, key: string, channel: string) =>
  sql`INSERT INTO sp_outbox (key, channel, alert, event, stream, created_at, next_attempt_at)
      VALUES (${key}, ${channel}, ${sql.json({ key })}, 'down', 'cam', 1000, 1000)`;

Deno.test("PostgreSQL schema (one real server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = connect(pg.url);
  let dbs = 0;
  /** A new empty database on the shared server, so every step starts from nothing. */
  const freshDb = async (): Promise<string> => {
    const name = `t${++dbs}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    return pg.url.replace(/\/sp$/, `/${name}`);
  };
  try {
    await t.step("migratePostgres() applies every step to an empty database", async () => {
      const sql = connect(await freshDb());
      try {
        const lines: string[] = [];
        const r = await migratePostgres(sql, { info: (m) => lines.push(m) }, { now: () => 42 });
        assertEquals(r, { from: 0, to: ALL.length, applied: ALL });
        assertEquals(lines.length, ALL.length);
        assert(lines[0].includes('1 "initial schema"'), lines[0]);
        assertEquals(await tables(sql), [
          "sp_channel_state",
          "sp_check",
          "sp_config",
          "sp_delivery",
          "sp_incident",
          "sp_meta",
          "sp_mute",
          "sp_node",
          "sp_outbox",
          "sp_rollup_day",
          "sp_rollup_hour",
          "sp_schema",
          "sp_stream",
        ]);
        const rows = await sql`SELECT version, name, applied_at FROM sp_schema ORDER BY version`;
        assertEquals(rows.map((x) => [x.version, x.name, Number(x.applied_at)]), [
          ...POSTGRES_MIGRATIONS.map((m) => [m.version, m.name, 42]),
        ]);
        const idx = (await sql`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)
          .map((x) => x.indexname as string);
        assertEquals(SQLITE_INDEXES.filter((i) => !idx.includes(i)), []);
        const types = await sql`SELECT table_name, column_name, data_type FROM
          information_schema.columns WHERE column_name IN ('details', 'alert', 'ts', 'node')`;
        const of = (tbl: string, col: string) =>
          types.find((x) => x.table_name === tbl && x.column_name === col)?.data_type;
        assertEquals(
          [of("sp_check", "details"), of("sp_outbox", "alert"), of("sp_check", "ts")],
          ["jsonb", "jsonb", "bigint"],
        );
        assertEquals(of("sp_check", "node"), "text");
      } finally {
        await sql.end();
      }
    });

    await t.step("migratePostgres() run again on a current schema is a no-op", async () => {
      const sql = connect(await freshDb());
      try {
        await migratePostgres(sql);
        const lines: string[] = [];
        const r = await migratePostgres(sql, { info: (m) => lines.push(m) });
        assertEquals(r, { from: ALL.length, to: ALL.length, applied: [] });
        assertEquals(lines, []);
        assertEquals((await sql`SELECT count(*)::int AS n FROM sp_schema`)[0].n, ALL.length);
      } finally {
        await sql.end();
      }
    });

    await t.step(
      "migratePostgres() on three connections at once ends with one schema",
      async () => {
        const url = await freshDb();
        const conns = [connect(url), connect(url), connect(url)];
        try {
          const results = await within(
            Promise.all(conns.map((c) => migratePostgres(c))),
            60_000,
            "three concurrent migrations",
          );
          const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
          assertEquals(applied, ALL, "every step applied exactly once across the nodes");
          assertEquals(results.map((r) => r.to), [ALL.length, ALL.length, ALL.length]);
          const rows = await conns[0]`SELECT version FROM sp_schema ORDER BY version`;
          assertEquals(rows.map((x) => x.version), ALL);
        } finally {
          await Promise.all(conns.map((c) => c.end()));
        }
      },
    );

    await t.step("migratePostgres() refuses a newer schema and names a failing step", async () => {
      const sql = connect(await freshDb());
      try {
        const bad: PgMigration[] = [
          { version: 1, name: "fine", sql: "CREATE TABLE sp_a (x INT)" },
          { version: 2, name: "broken", sql: "CREATE TABLE sp_b (x INT); SELECT nope FROM sp_a" },
        ];
        const failed = await assertRejects(
          () => migratePostgres(sql, undefined, { migrations: bad }),
          Error,
        );
        assertStringIncludes(failed.message, 'Migration 2 "broken" failed');
        assertEquals(await tables(sql), ["sp_a", "sp_schema"], "step 2 rolled back alone");
        await migratePostgres(sql, undefined, { migrations: [bad[0]] });
        await sql`INSERT INTO sp_schema VALUES (2, 'from the future', 0)`;
        const newer = await assertRejects(
          () => migratePostgres(sql, undefined, { migrations: [bad[0]] }),
          Error,
        );
        assertStringIncludes(newer.message, "version 2 is newer than this StreamPulse knows (1)");
      } finally {
        await sql.end();
      }
    });

    await t.step(
      "migration 6 drops duplicate checks and incidents and fills the current columns",
      async () => {
        const sql = connect(await freshDb());
        try {
          await migratePostgres(sql, undefined, { migrations: POSTGRES_MIGRATIONS.slice(0, 5) });
          await sql`INSERT INTO sp_stream (id, name, created_at) VALUES (1, 'cam', 0), (2, 'idle', 0)`;
          await sql`INSERT INTO sp_check (stream_id, ts, ok, state, latency_ms, message, details)
            VALUES (1, 10, true, 'up', 5, 'first', '{}'), (1, 10, false, 'down', 1, 'dup', '{}'),
                   (1, 20, false, 'degraded', 7, 'newest', '{"a":1}')`;
          await sql`INSERT INTO sp_incident (stream_id, state, started_at, cause)
            VALUES (1, 'down', 20, 'kept'), (1, 'down', 20, 'dup')`;
          const r = await migratePostgres(sql);
          assertEquals(r.applied, ALL.slice(5));
          const checks = await sql`SELECT message FROM sp_check ORDER BY id`;
          assertEquals(checks.map((x) => x.message), ["first", "newest"]);
          const inc = await sql`SELECT cause FROM sp_incident`;
          assertEquals(inc.map((x) => x.cause), ["kept"]);
          const cur = await sql`SELECT name, last_ts::int AS ts, last_ok, last_state,
            last_latency, last_message, last_details, cur_seq::int AS seq
            FROM sp_stream ORDER BY name`;
          assertEquals(cur.map((x): Record<string, unknown> => ({ ...x, seq: x.seq > 0 })), [
            {
              name: "cam",
              ts: 20,
              last_ok: false,
              last_state: "degraded",
              last_latency: 7,
              last_message: "newest",
              last_details: '{"a": 1}',
              seq: true,
            },
            {
              name: "idle",
              ts: null,
              last_ok: null,
              last_state: null,
              last_latency: null,
              last_message: null,
              last_details: null,
              seq: true,
            },
          ]);
          const dup = await assertRejects(
            () =>
              sql`INSERT INTO sp_check (stream_id, ts, ok, state, message, details)
              VALUES (1, 20, true, 'up', 'again', '{}')`,
            Error,
          );
          assertEquals((dup as Error & { code?: string }).code, "23505");
        } finally {
          await sql.end();
        }
      },
    );

    const url = await freshDb();
    await migrateOnce(url);

    await t.step("sp_outbox's (key, channel) key refuses a duplicate", async () => {
      const sql = connect(url);
      try {
        await insertOutbox(sql, "cam:down:1", "ops");
        await insertOutbox(sql, "cam:down:1", "pager"); // another channel is another item
        const err = await assertRejects(() => insertOutbox(sql, "cam:down:1", "ops"), Error);
        const pgErr = err as Error & { code?: string; constraint_name?: string };
        assertEquals([pgErr.code, pgErr.constraint_name], ["23505", "sp_outbox_key_channel"]);
        const again = await sql`INSERT INTO sp_outbox
            (key, channel, alert, event, stream, created_at, next_attempt_at)
          VALUES ('cam:down:1', 'ops', '{}', 'down', 'cam', 1, 1) ON CONFLICT DO NOTHING`;
        assertEquals(again.count, 0);
      } finally {
        await sql`DELETE FROM sp_outbox`;
        await sql.end();
      }
    });

    await t.step("sql.listen() receives a NOTIFY sent from another connection", async () => {
      const a = connect(url);
      const b = connect(url);
      try {
        let got!: (payload: string) => void;
        const received = new Promise<string>((resolve) => got = resolve);
        await a.listen("sp_changes", (payload) => got(payload));
        await b`SELECT pg_notify('sp_changes', ${JSON.stringify({ stream: "cam", to: "down" })})`;
        const payload = await within(received, 10_000, "the notification");
        assertEquals(JSON.parse(payload), { stream: "cam", to: "down" });
      } finally {
        await Promise.all([a.end(), b.end()]);
      }
    });

    await t.step(
      "FOR UPDATE SKIP LOCKED lets two connections claim disjoint outbox rows",
      async () => {
        const a = connect(url);
        const b = connect(url);
        try {
          for (let i = 0; i < 10; i++) await insertOutbox(a, `cam:down:${i}`, "ops");
          const claim = (tx: Sql, node: string) =>
            tx`UPDATE sp_outbox SET claimed_by = ${node}, claimed_until = 99000
            WHERE id IN (SELECT id FROM sp_outbox WHERE status = 'pending' AND channel = 'ops'
              ORDER BY next_attempt_at, id LIMIT 6 FOR UPDATE SKIP LOCKED)
            RETURNING id`.then((rows) => rows.map((r) => Number(r.id)));
          let release!: () => void;
          const hold = new Promise<void>((resolve) => release = resolve);
          let claimedA!: (ids: number[]) => void;
          const gotA = new Promise<number[]>((resolve) => claimedA = resolve);
          const txA = a.begin(async (tx) => {
            claimedA(await claim(tx as unknown as Sql, "node-a"));
            await hold; // A's row locks stay held while B claims
          });
          const idsA = await within(gotA, 10_000, "node A's claim");
          const idsB = await within(
            b.begin((tx) => claim(tx as unknown as Sql, "node-b")),
            10_000,
            "node B's claim beside A's open transaction (it must skip, not wait)",
          );
          release();
          await txA;
          assertEquals(idsA.length, 6);
          assertEquals(idsB.length, 4, "B gets the rows A did not lock");
          assertEquals(idsA.filter((id) => idsB.includes(id)), []);
          const owners = await a`SELECT claimed_by, count(*)::int AS n FROM sp_outbox
          GROUP BY claimed_by ORDER BY claimed_by`;
          assertEquals(owners.map((r) => [r.claimed_by, r.n]), [["node-a", 6], ["node-b", 4]]);
        } finally {
          await Promise.all([a.end(), b.end()]);
        }
      },
    );
  } finally {
    await admin.end();
    await pg.stop();
  }
});

async function migrateOnce(url: string): Promise<void> {
  const sql = connect(url);
  try {
    await migratePostgres(sql);
  } finally {
    await sql.end();
  }
}
