/** The SQLite store's reports: hourly series for charts and CSV export rows. */

import type { StoreReports, SyncStore } from "../types.ts";
import type { Row, SqliteContext } from "./context.ts";

/**
 * Prepares the report statements and returns the reports. `beforeRead` writes queued checks
 * first, so reports see every recorded check.
 */
export function createReports(
  ctx: SqliteContext,
  beforeRead: () => void,
): Pick<SyncStore, keyof StoreReports> {
  const q = (sql: string) => ctx.db.prepare(sql);
  const rollups = q(
    `SELECT hour, checks, ok, lat_min, lat_max, lat_sum, lat_count FROM sp_rollup_hour
     WHERE stream_id = ? AND hour BETWEEN ? AND ? ORDER BY hour`,
  );
  const exportOne = q(
    `SELECT ts, ok, state, latency_ms, message FROM sp_check
     WHERE stream_id = ? AND ts BETWEEN ? AND ? ORDER BY ts`,
  );
  const allIds = q("SELECT id, name FROM sp_stream ORDER BY name");
  const read = () => {
    ctx.assertOpen("read reports");
    beforeRead();
  };
  return {
    rollups(name, { from, to }) {
      read();
      const id = ctx.streams.id(name);
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
    // A lazy iterator over a prepared statement: an export runs in constant memory.
    *exportChecks({ names, from, to }) {
      read();
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
  };
}
