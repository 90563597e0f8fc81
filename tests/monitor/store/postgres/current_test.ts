/** Current state and idempotent batches against a real PostgreSQL 15 (migration 6, current.ts). */

import postgres from "postgres";
import type { Sql } from "postgres";
import { assert, assertEquals, assertRejects } from "../../../assert.ts";
import { startPostgres } from "../../../fixtures/postgres.ts";
import {
  createPostgresWriter,
  CURRENT_PAGE,
  listenCurrent,
  migratePostgres,
  type PgBatch,
  readCurrent,
  writePgBatch,
} from "../../../../monitor/store/postgres/mod.ts";
import { toQueuedChange, toQueuedCheck } from "../../../../monitor/store/postgres/rows.ts";
import type { CheckRecord } from "../../../../monitor/types.ts";

const T0 = Date.UTC(2025, 0, 1, 10);
const SILENT = { info: () => {}, warn: () => {} };

const connect = (url: string): Sql =>
  postgres(url, { max: 3, onnotice: () => {}, connect_timeout: 3 });

const check = (ts: number, ok: boolean, message = ok ? "ok" : "timeout"): CheckRecord => ({
  ts,
  ok,
  state: ok ? "up" : "down",
  latencyMs: ok ? 10 : NaN,
  message,
  details: { ts },
});

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Row counts and sums that a batch written twice would double. */
async function footprint(sql: Sql) {
  const [r] = await sql`SELECT
    (SELECT count(*)::int FROM sp_check) AS checks,
    (SELECT coalesce(sum(checks), 0)::int FROM sp_rollup_hour) AS hour,
    (SELECT coalesce(sum(checks), 0)::int FROM sp_rollup_day) AS day,
    (SELECT count(*)::int FROM sp_incident) AS incidents,
    (SELECT count(*)::int FROM sp_incident WHERE ended_at IS NULL) AS open,
    (SELECT string_agg(name || ':' || fail_streak || ':' || state, ',' ORDER BY name)
       FROM sp_stream) AS streams`;
  return { ...r };
}

Deno.test("PostgreSQL current state (one real server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = connect(pg.url);
  let dbs = 0;
  const freshDb = async (): Promise<Sql> => {
    const name = `c${++dbs}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const sql = connect(pg.url.replace(/\/sp$/, `/${name}`));
    await migratePostgres(sql);
    return sql;
  };
  try {
    await t.step("writePgBatch() given the same batch twice stores it once", async () => {
      const sql = await freshDb();
      try {
        const ids: Record<string, number> = {};
        for (const name of ["cam", "other"]) {
          const [r] = await sql`INSERT INTO sp_stream (name, created_at) VALUES (${name}, ${T0})
            RETURNING id::float8 AS id`;
          ids[name] = r.id;
        }
        const q = (name: string, c: CheckRecord) => ({ ...toQueuedCheck(name, c), id: ids[name] });
        const ch = (to: "up" | "down", ts: number) => ({
          ...toQueuedChange({ name: "cam", from: to === "up" ? "down" : "up", to, ts, cause: to })!,
          id: ids.cam,
        });
        const first: PgBatch = {
          checks: [
            q("cam", check(T0, true)),
            q("cam", check(T0 + 1, false)),
            q("other", check(T0, false)),
          ],
          changes: [ch("down", T0 + 1)],
          meta: new Map([["k", "v"]]),
        };
        assertEquals(await writePgBatch(sql, first, "n1"), { checks: 3, current: 2 });
        const once = await footprint(sql);
        assertEquals(once, {
          checks: 3,
          hour: 3,
          day: 3,
          incidents: 1,
          open: 1,
          streams: "cam:1:down,other:1:unknown",
        });
        // The COMMIT's answer was lost: the writer sends the batch again, nothing doubles and
        // the incident it opened stays open.
        assertEquals(await writePgBatch(sql, first, "n1"), { checks: 0, current: 2 });
        assertEquals(await footprint(sql), once);
        // A retried batch that grew meanwhile (new checks behind the lost one) adds only those.
        const grown: PgBatch = {
          checks: [...first.checks, q("cam", check(T0 + 2, false)), q("cam", check(T0 + 2, true))],
          changes: [...first.changes, ch("up", T0 + 3)],
          meta: new Map(),
        };
        assertEquals(await writePgBatch(sql, grown, "n1"), { checks: 1, current: 2 });
        assertEquals(await footprint(sql), {
          checks: 4,
          hour: 4,
          day: 4,
          incidents: 1,
          open: 0,
          streams: "cam:2:up,other:1:unknown",
        });
        const [inc] = await sql`SELECT ended_at::float8 AS e, end_cause FROM sp_incident`;
        assertEquals({ ...inc }, { e: T0 + 3, end_cause: "up" });
      } finally {
        await sql.end();
      }
    });

    await t.step("writer.flush() sets the current columns readCurrent() returns", async () => {
      const sql = await freshDb();
      const w = createPostgresWriter(sql, { now: () => T0, logger: SILENT, node: "site-a-1" });
      try {
        await w.ensureStream("cam", "rtsp");
        await w.ensureStream("idle");
        const all0 = await readCurrent(sql, 0);
        assertEquals(all0.rows.map((r) => [r.name, r.state, r.last, r.node]), [
          ["cam", "unknown", undefined, null],
          ["idle", "unknown", undefined, null],
        ]);
        w.recordCheck("cam", check(T0 + 1000, false));
        w.recordStateChange({ name: "cam", from: "up", to: "down", ts: T0 + 1000, cause: "x" });
        await w.flush();
        const next = await readCurrent(sql, all0.seq);
        assertEquals(next.rows.length, 1);
        const [cam] = next.rows;
        assertEquals(cam.seq, next.seq);
        assert(cam.seq > all0.seq);
        assert(cam.updatedAt !== undefined && Math.abs(cam.updatedAt - Date.now()) < 60_000);
        assertEquals({ ...cam, seq: 0, updatedAt: 0 }, {
          name: "cam",
          kind: "rtsp",
          state: "down",
          since: T0 + 1000,
          failStreak: 1,
          last: {
            ts: T0 + 1000,
            ok: false,
            state: "down",
            latencyMs: NaN,
            message: "timeout",
            details: { ts: T0 + 1000 },
          },
          node: "site-a-1",
          seq: 0,
          updatedAt: 0,
        });
        assertEquals(await readCurrent(sql, next.seq), { seq: next.seq, rows: [] });
        // An older check arriving late does not replace the newer last check.
        w.recordCheck("cam", check(T0 + 500, true));
        await w.flush();
        const late = await readCurrent(sql, next.seq);
        assertEquals([late.rows[0].last?.ts, late.rows[0].failStreak], [T0 + 1000, 0]);
        await assertRejects(() => readCurrent(sql, -1), RangeError);
      } finally {
        await w.close();
        await sql.end();
      }
    });

    await t.step("readCurrent() pages 10,000 rows at a time in seq order", async () => {
      const sql = await freshDb();
      try {
        await sql`INSERT INTO sp_stream (name, created_at)
          SELECT 'cam-' || g, ${T0} FROM generate_series(1, ${CURRENT_PAGE + 5}) g`;
        const a = await readCurrent(sql, 0);
        assertEquals(a.rows.length, CURRENT_PAGE);
        const b = await readCurrent(sql, a.seq);
        assertEquals(b.rows.length, 5);
        const seqs = [...a.rows, ...b.rows].map((r) => r.seq);
        assertEquals(seqs, [...seqs].sort((x, y) => x - y));
        assertEquals(new Set(seqs).size, CURRENT_PAGE + 5);
      } finally {
        await sql.end();
      }
    });

    await t.step("listenCurrent() hears each batch that changed rows, with the node", async () => {
      const sql = await freshDb();
      const listener = connect(urlOf(sql));
      const w = createPostgresWriter(sql, { now: () => T0, logger: SILENT, node: "site-a-1" });
      try {
        const heard: string[] = [];
        let listens = 0;
        let wake!: () => void;
        let woke = new Promise<void>((r) => wake = r);
        const stop = await listenCurrent(listener, (node) => {
          heard.push(node);
          wake();
        }, () => listens++);
        assertEquals(listens, 1);
        w.setMeta("only", "a setting"); // no current row changes: no notification
        await w.flush();
        w.recordCheck("cam", check(T0, true));
        await w.flush();
        await within(woke, 10_000, "the notification");
        assertEquals(heard, ["site-a-1"]);
        await stop();
        woke = new Promise<void>((r) => wake = r);
        w.recordCheck("cam", check(T0 + 1, true));
        await w.flush();
        await new Promise((r) => setTimeout(r, 200));
        assertEquals(heard, ["site-a-1"], "nothing after unlisten");
      } finally {
        await w.close();
        await listener.end();
        await sql.end();
      }
    });
  } finally {
    await admin.end();
    await pg.stop();
  }
});

/** The URL of a connection opened by freshDb (same server, its own database). */
function urlOf(sql: Sql): string {
  const o = sql.options;
  return `postgres://${o.user}@${o.host[0]}:${o.port[0]}/${o.database}`;
}
