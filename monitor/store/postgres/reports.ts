/** The PostgreSQL store's reports: hourly series for charts and CSV export rows, paged by key. */

import type { ExportRow, RollupRow } from "../types.ts";
import { num, numOrNull, type PgSql } from "./read_rows.ts";
import type { AsyncStoreQueries } from "./types.ts";

/** Rows read per export page: memory stays at one page whatever the export's length. */
export const EXPORT_PAGE = 1_000;

const whole = (what: string, v: number) => {
  if (!Number.isFinite(v)) {
    throw new RangeError(`Cannot read reports: "${what}" is ${v}, not a time in ms`);
  }
};

/**
 * rollups() and exportChecks() over `sql`. The export walks each stream's checks by keyset
 * pagination on (ts, id) — served by sp_check_stream_ts, no transaction or cursor held open
 * between pages, so a slow consumer pins nothing on the server and memory stays at one page.
 */
export function createPgReports(
  sql: PgSql,
  read: () => Promise<void>,
): Pick<AsyncStoreQueries, "rollups" | "exportChecks"> {
  return {
    async rollups(name, { from, to }) {
      whole("from", from);
      whole("to", to);
      await read();
      const rows = await sql.unsafe(
        `SELECT r.hour, r.checks, r.ok, r.lat_min, r.lat_max, r.lat_sum, r.lat_count
         FROM sp_rollup_hour r JOIN sp_stream s ON s.id = r.stream_id
         WHERE s.name = $1 AND r.hour BETWEEN $2 AND $3 ORDER BY r.hour`,
        [name, Math.ceil(from), Math.floor(to)],
      );
      return rows.map((r): RollupRow => ({
        hour: num(r.hour),
        checks: num(r.checks),
        ok: num(r.ok),
        latMin: numOrNull(r.lat_min),
        latMax: numOrNull(r.lat_max),
        latAvg: num(r.lat_count) > 0 ? num(r.lat_sum) / num(r.lat_count) : null,
      }));
    },
    async *exportChecks({ names, from, to }): AsyncGenerator<ExportRow> {
      whole("from", from);
      whole("to", to);
      await read();
      const lo = Math.ceil(from), hi = Math.floor(to);
      const streams = await sql.unsafe(
        `SELECT id, name FROM sp_stream ORDER BY name COLLATE "C"`,
      );
      for (const s of streams) {
        const name = s.name as string;
        if (names && !names.includes(name)) continue;
        let afterTs = lo - 1, afterId = "-1"; // (ts, id) of the last row yielded
        for (;;) {
          const page = await sql.unsafe(
            `SELECT id, ts, ok, state, latency_ms, message FROM sp_check
             WHERE stream_id = $1 AND ts <= $2 AND (ts, id) > ($3, $4)
             ORDER BY ts, id LIMIT ${EXPORT_PAGE}`,
            [s.id as string, hi, afterTs, afterId],
          );
          for (const r of page) {
            yield {
              name,
              ts: num(r.ts),
              ok: r.ok === true,
              state: r.state as string,
              latencyMs: numOrNull(r.latency_ms),
              message: r.message as string,
            };
          }
          if (page.length < EXPORT_PAGE) break;
          const last = page[page.length - 1];
          afterTs = num(last.ts);
          afterId = last.id as string;
        }
      }
    },
  };
}
