/** The PostgreSQL writer against a real PostgreSQL 15: rows, rollups, incidents, NUL, outages. */

import postgres from "postgres";
import type { Sql } from "postgres";
import { assert, assertEquals, assertRejects, assertThrows } from "../../../assert.ts";
import { startPostgres } from "../../../fixtures/postgres.ts";
import { createPostgresWriter, migratePostgres } from "../../../../monitor/store/postgres/mod.ts";
import type { CheckRecord } from "../../../../monitor/types.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1, 10); // on the hour

const connect = (url: string): Sql =>
  postgres(url, { max: 2, onnotice: () => {}, connect_timeout: 3 });

const check = (ts: number, ok: boolean, latencyMs: number, message = "ok"): CheckRecord => ({
  ts,
  ok,
  state: ok ? "up" : "down",
  latencyMs,
  message,
  details: {},
});

const logs = () => {
  const lines: string[] = [];
  return {
    lines,
    logger: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) },
  };
};

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("PostgreSQL writer (one real server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = connect(pg.url);
  let dbs = 0;
  const freshDb = async (): Promise<Sql> => {
    const name = `w${++dbs}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const sql = connect(pg.url.replace(/\/sp$/, `/${name}`));
    await migratePostgres(sql);
    return sql;
  };
  try {
    await t.step("writer.flush() writes checks, rollups, incidents and stream state", async () => {
      const sql = await freshDb();
      const w = createPostgresWriter(sql, { now: () => T0, logger: logs().logger, node: "n1" });
      try {
        const id = await w.ensureStream("cam", "rtsp");
        assertEquals(await w.ensureStream("cam"), id);
        w.recordCheck("cam", check(T0 + 1000, true, 10));
        w.recordCheck("cam", check(T0 + 2000, false, 5000, "timeout"));
        w.recordStateChange({
          name: "cam",
          from: "up",
          to: "down",
          ts: T0 + 2000,
          cause: "timeout",
        });
        w.recordCheck("cam", check(T0 + 3000, true, 30));
        w.recordStateChange({ name: "cam", from: "down", to: "up", ts: T0 + 3000, cause: "back" });
        w.recordStateChange({ name: "cam", from: "up", to: "up", ts: T0 + 3000, cause: "same" });
        w.recordCheck("other", check(T0 + HOUR + 1, false, NaN, "refused"));
        assertEquals(w.stats().queued, 6);
        assertEquals(await w.flush(), 6);
        assertEquals(w.stats(), { queued: 0, writeError: null, oldestQueuedAgeMs: null });

        const rows = await sql`SELECT s.name, c.ok, c.latency_ms, c.node FROM sp_check c
          JOIN sp_stream s ON s.id = c.stream_id ORDER BY c.ts`;
        assertEquals(rows.map((r) => [r.name, r.ok, r.latency_ms, r.node]), [
          ["cam", true, 10, "n1"],
          ["cam", false, 5000, "n1"],
          ["cam", true, 30, "n1"],
          ["other", false, null, "n1"],
        ]);
        const hour = await sql`SELECT checks, ok, lat_min, lat_sum, lat_max, lat_count
          FROM sp_rollup_hour WHERE stream_id = ${id} AND hour = ${T0}`;
        assertEquals({ ...hour[0] }, {
          checks: 3,
          ok: 2,
          lat_min: 10,
          lat_sum: 40,
          lat_max: 30,
          lat_count: 2,
        });
        const inc = await sql`SELECT state, started_at::float8 AS s, ended_at::float8 AS e,
          cause, end_cause, node, end_node FROM sp_incident WHERE stream_id = ${id}`;
        assertEquals(inc.map((r) => ({ ...r })), [{
          state: "down",
          s: T0 + 2000,
          e: T0 + 3000,
          cause: "timeout",
          end_cause: "back",
          node: "n1",
          end_node: "n1",
        }]);
        const st = await sql`SELECT name, kind, state, state_since::float8 AS since, fail_streak,
          state_node FROM sp_stream ORDER BY name`;
        assertEquals(st.map((r) => ({ ...r })), [
          {
            name: "cam",
            kind: "rtsp",
            state: "up",
            since: T0 + 3000,
            fail_streak: 0,
            state_node: "n1",
          },
          {
            name: "other",
            kind: null,
            state: "unknown",
            since: null,
            fail_streak: 1,
            state_node: "n1",
          },
        ]);

        // A second batch in the same hour adds to the rollup and the streak.
        w.recordCheck("cam", check(T0 + 4000, true, 5));
        w.recordCheck("other", check(T0 + HOUR + 2, false, 1));
        w.recordStateChange({
          name: "cam",
          from: "up",
          to: "degraded",
          ts: T0 + 4000,
          cause: "slow",
        });
        await w.flush();
        const h2 = await sql`SELECT checks, ok, lat_min, lat_max FROM sp_rollup_hour
          WHERE stream_id = ${id} AND hour = ${T0}`;
        assertEquals({ ...h2[0] }, { checks: 4, ok: 3, lat_min: 5, lat_max: 30 });
        const day = await sql`SELECT sum(checks)::int AS n FROM sp_rollup_day`;
        assertEquals(day[0].n, 6);
        const open = await sql`SELECT state FROM sp_incident WHERE ended_at IS NULL`;
        assertEquals(open.map((r) => r.state), ["degraded"]);
        const streak = await sql`SELECT fail_streak FROM sp_stream WHERE name = 'other'`;
        assertEquals(streak[0].fail_streak, 2);
        w.setMeta("k", "v1");
        w.setMeta("k", "v2");
        assertEquals(w.queuedMeta("k"), { value: "v2" });
        await w.flush();
        assertEquals((await sql`SELECT value FROM sp_meta WHERE key = 'k'`)[0].value, "v2");
      } finally {
        await w.close();
        await sql.end();
      }
    });

    await t.step("writer.recordCheck() masks credentials and strips NUL characters", async () => {
      const sql = await freshDb();
      const w = createPostgresWriter(sql, { now: () => T0, logger: logs().logger });
      try {
        w.recordCheck("cam", {
          ...check(T0, false, 1, "refused by rtsp://admin:hunter2@10.0.0.1/live\0tail"),
          details: { url: "rtsp://admin:hunter2@cam/x", "k\0ey": "a\0b", n: [1, "c\0"] },
        });
        w.recordStateChange({
          name: "cam",
          from: "up",
          to: "down",
          ts: T0,
          cause: "rtsp://admin:hunter2@cam/\0",
        });
        await w.flush();
        const [c] = await sql`SELECT message, details::text AS d FROM sp_check`;
        const [i] = await sql`SELECT cause FROM sp_incident`;
        for (const text of [c.message, c.d, i.cause] as string[]) {
          assert(!text.includes("hunter2"), text);
          assert(!text.includes("\0") && !text.includes("\\u0000"), text);
        }
        assertEquals(c.message, "refused by rtsp://***@10.0.0.1/livetail");
        assertEquals(JSON.parse(c.d), { url: "rtsp://***@cam/x", key: "ab", n: [1, "c"] });
        assertThrows(() => w.recordCheck("cam", check(NaN, true, 1)), RangeError);
      } finally {
        await w.close();
        await sql.end();
      }
    });

    await t.step("writer writes 10,000 checks in batches", async () => {
      const sql = await freshDb();
      const w = createPostgresWriter(sql, { now: Date.now, logger: logs().logger, maxBatch: 1000 });
      try {
        const names = Array.from({ length: 50 }, (_, i) => `cam-${i}`);
        for (const n of names) await w.ensureStream(n, "rtsp");
        const started = performance.now();
        for (let i = 0; i < 10_000; i++) {
          w.recordCheck(names[i % 50], check(T0 + i * 1000, i % 7 !== 0, 20 + (i % 13)));
        }
        await w.flush();
        await until("the background flushes", () => w.stats().queued === 0);
        await w.flush();
        const ms = performance.now() - started;
        const [n] = await sql`SELECT count(*)::int AS n FROM sp_check`;
        assertEquals(n.n, 10_000);
        const [r] = await sql`SELECT sum(checks)::int AS n FROM sp_rollup_hour`;
        assertEquals(r.n, 10_000);
        console.log(
          `  10,000 checks written in ${ms.toFixed(0)} ms (${
            (10_000 / ms * 1000).toFixed(0)
          } checks/s)`,
        );
      } finally {
        await w.close();
        await sql.end();
      }
    });

    await t.step(
      "writer keeps writes while the server is stopped and writes them once after",
      async () => {
        const sql = await freshDb();
        const { lines, logger } = logs();
        const w = createPostgresWriter(sql, { now: Date.now, logger, flushIntervalMs: 50 });
        try {
          await w.ensureStream("cam");
          for (let i = 0; i < 50; i++) w.recordCheck("cam", check(T0 + i, true, 1));
          await w.flush();
          await pg.restart({
            whileDown: async () => {
              for (let i = 50; i < 150; i++) w.recordCheck("cam", check(T0 + i, i % 2 === 0, 1));
              w.recordCheck("new-cam", check(T0, false, 1)); // a stream first seen while down
              w.recordStateChange({
                name: "cam",
                from: "up",
                to: "down",
                ts: T0 + 100,
                cause: "x",
              });
              w.setMeta("during", "outage");
              await assertRejects(() => w.flush(), Error);
              const s = w.stats();
              assertEquals(s.queued, 103);
              assert(s.writeError, "writeError says why");
              assert(s.oldestQueuedAgeMs !== null);
              await until(
                "a background retry to fail",
                () => lines.some((l) => l.includes("flush failed")),
              );
            },
          });
          await until("the queue to drain after the restart", () => w.stats().queued === 0).catch(
            (err) => {
              throw new Error(`${err.message}: ${JSON.stringify(w.stats())}\n${lines.join("\n")}`);
            },
          );
          assertEquals(w.stats().writeError, null);
          const rows = await sql`SELECT s.name, count(*)::int AS n, count(DISTINCT c.ts)::int AS d
          FROM sp_check c JOIN sp_stream s ON s.id = c.stream_id GROUP BY s.name ORDER BY s.name`;
          assertEquals(rows.map((r) => [r.name, r.n, r.d]), [["cam", 150, 150], ["new-cam", 1, 1]]);
          assertEquals((await sql`SELECT count(*)::int AS n FROM sp_incident`)[0].n, 1);
          assertEquals(
            (await sql`SELECT value FROM sp_meta WHERE key = 'during'`)[0].value,
            "outage",
          );
          assert(lines.some((l) => l.includes("writes recovered")), lines.join("\n"));
        } finally {
          await w.close();
          await sql.end();
        }
      },
    );
  } finally {
    await admin.end();
    await pg.stop();
  }
});
