/** The store scenarios' two backends: SQLite and PostgreSQL, each through its full Store. */

import postgres from "postgres";
import type { Sql } from "postgres";
import type { StateChange, Store } from "../../../../monitor/store/mod.ts";
import {
  type AsyncStoreAlerts,
  type AsyncStoreQueries,
  openPostgresStore,
} from "../../../../monitor/store/postgres/mod.ts";
import { openSqliteStore } from "../../../../monitor/store/sqlite/mod.ts";
import type { CheckRecord } from "../../../../monitor/types.ts";
import type { Postgres } from "../../../fixtures/postgres.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** What a scenario writes: streams (with an optional kind), checks and state changes, in order. */
export interface SeedData {
  streams?: Array<{ name: string; kind?: string }>;
  checks?: Array<{ name: string; check: CheckRecord }>;
  changes?: StateChange[];
}

/** An opened backend: its async reads, the Store itself, and a way to put data in. */
export interface Opened {
  reads: AsyncStoreQueries;
  /** Alerting; on PostgreSQL with claims of 0 ms, so due items stay due as in SQLite. */
  alerts: AsyncStoreAlerts;
  /** The full Store the program uses (writes, meta, prune, health, close). */
  store: Store;
  /** Writes what is queued now (rejects when the backend refuses it). */
  flush(): Promise<void>;
  /** Writes `d` through the Store (ensureStream, recordCheck, recordStateChange), then flushes. */
  seed(d: SeedData): Promise<void>;
  /** Closes the store (idempotent) and opens the same data again with the same clock. */
  reopen(): Promise<Opened>;
  /** What health().path and journalMode say for this backend. */
  expect: { path: string; journalMode: string };
  close(): Promise<void>;
}

/** A backend a scenario runs on. */
export interface Backend {
  name: string;
  open(now: () => number): Promise<Opened>;
}

/** Every read of a Store as a Promise (SQLite answers at once, PostgreSQL later). */
export function asyncReads(s: Store): AsyncStoreQueries & AsyncStoreAlerts {
  return {
    history: async (n, q) => await s.history(n, q),
    lastStates: async () => await s.lastStates(),
    uptime: async (q) => await s.uptime(q),
    incidents: async (n, q) => await s.incidents(n, q),
    allIncidents: async (q) => await s.allIncidents(q),
    streamNames: async () => await s.streamNames(),
    firstCheckAt: async (n) => await s.firstCheckAt(n),
    rollups: async (n, q) => await s.rollups(n, q),
    async *exportChecks(q) {
      yield* s.exportChecks(q);
    },
    enqueueAlerts: async (i, n, o) => await s.enqueueAlerts(i, n, o),
    dueAlerts: async (n, l, o) => await s.dueAlerts(n, l, o),
    recordAttempt: async (id, a) => await s.recordAttempt(id, a),
    deliveries: async (q) => await s.deliveries(q),
    outboxStats: async (n) => await s.outboxStats(n),
    ackIncident: async (id, note, ts) => await s.ackIncident(id, note, ts),
    incident: async (id) => await s.incident(id),
    setMute: async (n, u, note) => await s.setMute(n, u, note),
    mutes: async (n) => await s.mutes(n),
  };
}

/** Writes `d` through the Store's own writes, in order. */
function seedStore(s: Store, d: SeedData): void {
  for (const x of d.streams ?? []) s.ensureStream(x.name, x.kind);
  for (const c of d.checks ?? []) s.recordCheck(c.name, c.check);
  for (const c of d.changes ?? []) s.recordStateChange(c);
}

/** The parts of {@link Opened} every backend shares, over an opened store. */
function opened(
  store: Store,
  flush: () => Promise<unknown>,
  reopen: () => Promise<Opened>,
  expect: Opened["expect"],
): Opened {
  const r = asyncReads(store);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await store.close();
  };
  return {
    reads: r,
    alerts: r,
    store,
    flush: async () => void await flush(),
    async seed(d) {
      seedStore(store, d);
      await flush();
    },
    async reopen() {
      await close();
      return await reopen();
    },
    expect,
    close,
  };
}

/** SQLite in a temporary file (removed once the last store on it closes). */
export const sqliteBackend: Backend = {
  name: "sqlite",
  async open(now) {
    const dir = await Deno.makeTempDir({ prefix: "sp_backend_" });
    const path = `${dir}/streams.db`;
    const openAt = (): Opened => {
      const s = openSqliteStore(path, { now, flushIntervalMs: 10_000 });
      const o = opened(s, () => Promise.resolve(s.flush()), () => Promise.resolve(openAt()), {
        path,
        journalMode: "wal",
      });
      const close = o.close;
      return {
        ...o,
        close: async () => {
          await close();
          await Deno.remove(dir, { recursive: true }).catch(() => {});
        },
        reopen: async () => {
          await close();
          return openAt();
        },
      };
    };
    return openAt();
  },
};

/** PostgreSQL: a fresh database per open() on the shared server, through openPostgresStore. */
export function pgBackend(pg: Postgres, admin: Sql): Backend {
  let dbs = 0;
  return {
    name: "postgres",
    async open(now) {
      const db = `s${++dbs}`;
      await admin.unsafe(`CREATE DATABASE ${db}`);
      const url = pg.url.replace(/\/sp$/, `/${db}`);
      const openAt = async (): Promise<Opened> => {
        const s = await openPostgresStore(url, {
          now,
          node: "n1",
          claimMs: 0,
          flushIntervalMs: 10_000,
          maxConnections: 3,
        });
        return opened(s, () => s.flush(), openAt, {
          path: `postgres://127.0.0.1:${pg.port}/${db}`,
          journalMode: "postgresql",
        });
      };
      return await openAt();
    },
  };
}

/** A connection to a new empty database on `pg` (migrated when asked), for rows by plain SQL. */
export async function freshSql(
  pg: Postgres,
  admin: Sql,
  name: string,
): Promise<{ sql: Sql; url: string }> {
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = pg.url.replace(/\/sp$/, `/${name}`);
  return { sql: postgres(url, { max: 2, onnotice: () => {} }), url };
}

/** Writes `d` as the writer would: streams, checks, hour and day rollups, incidents, states. */
export async function seedPg(sql: Sql, d: SeedData, created: number): Promise<void> {
  const ids = new Map<string, number>();
  const stream = async (name: string, kind?: string) => {
    if (ids.has(name)) return ids.get(name)!;
    const [r] = await sql`INSERT INTO sp_stream (name, kind, created_at)
      VALUES (${name}, ${kind ?? null}, ${created}) RETURNING id`;
    ids.set(name, Number(r.id));
    return Number(r.id);
  };
  for (const x of d.streams ?? []) await stream(x.name, x.kind);
  const rollups = new Map<string, Record<string, number | null>>();
  const streak = new Map<number, number>();
  const rows = [];
  for (const { name, check: c } of d.checks ?? []) {
    const id = await stream(name);
    const lat = Number.isNaN(c.latencyMs) ? null : c.latencyMs;
    rows.push({
      stream_id: id,
      ts: c.ts,
      ok: c.ok,
      state: c.state,
      latency_ms: lat,
      message: c.message,
      details: JSON.stringify(c.details),
    });
    streak.set(id, c.ok ? 0 : (streak.get(id) ?? 0) + 1);
    for (const [table, size] of [["hour", HOUR], ["day", DAY]] as const) {
      const at = Math.floor(c.ts / size) * size;
      const k = `${table}|${id}|${at}`;
      const r = rollups.get(k) ??
        { checks: 0, ok: 0, lat_min: null, lat_sum: 0, lat_max: null, lat_count: 0 };
      r.checks! += 1;
      if (c.ok) {
        r.ok! += 1;
        if (lat !== null) {
          r.lat_min = Math.min(r.lat_min ?? Infinity, lat);
          r.lat_max = Math.max(r.lat_max ?? -Infinity, lat);
          r.lat_sum! += lat;
          r.lat_count! += 1;
        }
      }
      rollups.set(k, r);
    }
  }
  for (let i = 0; i < rows.length; i += 2000) {
    await sql.unsafe(
      `INSERT INTO sp_check (stream_id, ts, ok, state, latency_ms, message, details)
       SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS x(stream_id bigint, ts bigint, ok boolean,
         state text, latency_ms double precision, message text, details jsonb)`,
      [JSON.stringify(
        rows.slice(i, i + 2000).map((r) => ({ ...r, details: JSON.parse(r.details) })),
      )],
    );
  }
  for (const [k, r] of rollups) {
    const [table, id, at] = k.split("|");
    await sql.unsafe(
      `INSERT INTO sp_rollup_${table} (stream_id, ${table}, checks, ok, lat_min, lat_sum, lat_max,
         lat_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, at, r.checks, r.ok, r.lat_min, r.lat_sum, r.lat_max, r.lat_count],
    );
  }
  for (const [id, n] of streak) await sql`UPDATE sp_stream SET fail_streak = ${n} WHERE id = ${id}`;
  for (const c of d.changes ?? []) {
    if (c.from === c.to) continue;
    const id = await stream(c.name);
    await sql`UPDATE sp_incident SET ended_at = ${c.ts}, end_cause = ${c.cause}
      WHERE stream_id = ${id} AND ended_at IS NULL`;
    if (c.to === "down" || c.to === "degraded") {
      await sql`INSERT INTO sp_incident (stream_id, state, started_at, cause)
        VALUES (${id}, ${c.to}, ${c.ts}, ${c.cause})`;
    }
    await sql`UPDATE sp_stream SET state = ${c.to}, state_since = ${c.ts} WHERE id = ${id}`;
  }
}
