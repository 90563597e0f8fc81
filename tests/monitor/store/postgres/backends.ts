/** The store scenarios' two backends: SQLite (sync results wrapped) and PostgreSQL (rows by SQL). */

import postgres from "postgres";
import type { Sql } from "postgres";
import type { StateChange } from "../../../../monitor/store/mod.ts";
import {
  type AsyncStoreAlerts,
  type AsyncStoreQueries,
  createPgAlerts,
  createPgReads,
  migratePostgres,
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

/** An opened backend: its async reads and a way to put data in. */
export interface Opened {
  reads: AsyncStoreQueries;
  /** Alerting; on PostgreSQL with claims of 0 ms, so due items stay due as in SQLite. */
  alerts: AsyncStoreAlerts;
  seed(d: SeedData): Promise<void>;
  close(): Promise<void>;
}

/** A backend a scenario runs on. */
export interface Backend {
  name: string;
  open(now: () => number): Promise<Opened>;
}

/** SQLite in memory; its synchronous reads wrapped in Promise.resolve, export as async. */
export const sqliteBackend: Backend = {
  name: "sqlite",
  open(now) {
    const s = openSqliteStore(":memory:", { now, flushIntervalMs: 10_000 });
    const reads: AsyncStoreQueries = {
      history: (n, q) => Promise.resolve(s.history(n, q)),
      lastStates: () => Promise.resolve(s.lastStates()),
      uptime: (q) => Promise.resolve(s.uptime(q)),
      incidents: (n, q) => Promise.resolve(s.incidents(n, q)),
      allIncidents: (q) => Promise.resolve(s.allIncidents(q)),
      streamNames: () => Promise.resolve(s.streamNames()),
      firstCheckAt: (n) => Promise.resolve(s.firstCheckAt(n)),
      rollups: (n, q) => Promise.resolve(s.rollups(n, q)),
      async *exportChecks(q) {
        yield* s.exportChecks(q);
      },
    };
    const alerts: AsyncStoreAlerts = {
      enqueueAlerts: (i, n, o) => Promise.resolve(s.enqueueAlerts(i, n, o)),
      dueAlerts: (n, l, o) => Promise.resolve(s.dueAlerts(n, l, o)),
      recordAttempt: (id, a) => Promise.resolve(s.recordAttempt(id, a)),
      deliveries: (q) => Promise.resolve(s.deliveries(q)),
      outboxStats: (n) => Promise.resolve(s.outboxStats(n)),
      ackIncident: (id, note, ts) => Promise.resolve(s.ackIncident(id, note, ts)),
      incident: (id) => Promise.resolve(s.incident(id)),
      setMute: (n, u, note) => Promise.resolve(s.setMute(n, u, note)),
      mutes: (n) => Promise.resolve(s.mutes(n)),
    };
    return Promise.resolve({
      reads,
      alerts,
      seed(d) {
        for (const x of d.streams ?? []) s.ensureStream(x.name, x.kind);
        for (const c of d.checks ?? []) s.recordCheck(c.name, c.check);
        for (const c of d.changes ?? []) s.recordStateChange(c);
        return Promise.resolve();
      },
      close: () => Promise.resolve(s.close()),
    });
  },
};

/** PostgreSQL: a fresh database per open() on the shared server, rows written with plain SQL. */
export function pgBackend(pg: Postgres, admin: Sql): Backend {
  let dbs = 0;
  return {
    name: "postgres",
    async open(now) {
      const db = `s${++dbs}`;
      await admin.unsafe(`CREATE DATABASE ${db}`);
      const sql = postgres(pg.url.replace(/\/sp$/, `/${db}`), { max: 2, onnotice: () => {} });
      await migratePostgres(sql);
      return {
        reads: createPgReads(sql, { now }),
        alerts: createPgAlerts(sql, { node: "n1", claimMs: 0, now }),
        seed: (d) => seedPg(sql, d, now()),
        close: () => sql.end(),
      };
    },
  };
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
