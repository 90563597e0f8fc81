/** Read-side reports of the store: hourly series for charts, CSV export rows, small settings. */

import type { DatabaseSync, StatementSync } from "node:sqlite";

/** One hour of one stream, from the rollups. */
export interface RollupRow {
  /** Start of the hour, ms since the epoch (UTC). */
  hour: number;
  checks: number;
  ok: number;
  /** Latency over the passed checks of the hour, ms; null when none passed. */
  latMin: number | null;
  latAvg: number | null;
  latMax: number | null;
}

/** One exported check. */
export interface ExportRow {
  name: string;
  ts: number;
  ok: boolean;
  state: string;
  latencyMs: number | null;
  message: string;
}

/** The report methods the Store also offers. */
export interface StoreReports {
  /** Hourly rollups of a stream whose hour starts in [from, to], oldest first. */
  rollups(name: string, q: { from: number; to: number }): RollupRow[];
  /**
   * Checks in [from, to] of the named streams (all when omitted), per stream then by time: a
   * lazy iterator over a prepared statement, so an export runs in constant memory.
   */
  exportChecks(q: { names?: string[]; from: number; to: number }): Iterable<ExportRow>;
  /** A small setting kept in streams.db (e.g. the admin password hash). */
  getMeta(key: string): string | undefined;
  /** Stores a small setting; a write the database refuses is kept and retried, never thrown. */
  setMeta(key: string, value: string): void;
}

type Row = Record<string, unknown>;

/**
 * Creates the reports over an open database. `idOf` maps names to stream ids; `beforeRead`
 * flushes queued writes so reports see every recorded check. setMeta is the store's own: it
 * queues and retries the write with the checks (monitor/store.ts).
 */
export function createReports(
  db: DatabaseSync,
  idOf: (name: string) => number | undefined,
  beforeRead: () => void,
): Omit<StoreReports, "setMeta"> {
  const q = (sql: string): StatementSync => db.prepare(sql);
  const rollups = q(
    `SELECT hour, checks, ok, lat_min, lat_max, lat_sum, lat_count FROM sp_rollup_hour
     WHERE stream_id = ? AND hour BETWEEN ? AND ? ORDER BY hour`,
  );
  const exportOne = q(
    `SELECT ts, ok, state, latency_ms, message FROM sp_check
     WHERE stream_id = ? AND ts BETWEEN ? AND ? ORDER BY ts`,
  );
  const allIds = q("SELECT id, name FROM sp_stream ORDER BY name");
  const getMeta = q("SELECT value FROM sp_meta WHERE key = ?");
  return {
    rollups(name, { from, to }) {
      beforeRead();
      const id = idOf(name);
      if (id === undefined) return [];
      return (rollups.all(id, from, to) as Row[]).map((r) => ({
        hour: r.hour as number,
        checks: r.checks as number,
        ok: r.ok as number,
        latMin: r.lat_min as number | null,
        latMax: r.lat_max as number | null,
        latAvg: (r.lat_count as number) > 0
          ? (r.lat_sum as number) / (r.lat_count as number)
          : null,
      }));
    },
    *exportChecks({ names, from, to }) {
      beforeRead();
      const streams = (allIds.all() as Row[])
        .filter((r) => !names || names.includes(r.name as string))
        .map((r) => ({ id: r.id as number, name: r.name as string }));
      for (const s of streams) {
        for (const r of exportOne.iterate(s.id, from, to) as Iterable<Row>) {
          yield {
            name: s.name,
            ts: r.ts as number,
            ok: r.ok === 1,
            state: r.state as string,
            latencyMs: r.latency_ms as number | null,
            message: r.message as string,
          };
        }
      }
    },
    getMeta(key) {
      return (getMeta.get(key) as Row | undefined)?.value as string | undefined;
    },
  };
}
