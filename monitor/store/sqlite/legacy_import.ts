/** One-time import of the Python 2.2 history (`streams` + `log_*` tables) into sp_* tables. */

import type { DatabaseSync, SQLInputValue, SQLOutputValue } from "node:sqlite";
import { maskUrl } from "../../redact.ts";

/** The sp_meta key that records a finished import (its value is the JSON summary). */
export const LEGACY_IMPORT_KEY = "legacy_import";

/** What {@link importLegacy} did; all zero when the import had already run. */
export interface LegacyImportResult {
  /** Streams carried over: every `streams` row plus every orphan `log_*` table. */
  streams: number;
  /** Check rows imported. */
  rows: number;
  /** Rows left out because their `ts` could not be read (counted, never guessed). */
  skipped: number;
}

/** Options of {@link importLegacy}. */
export interface LegacyImportOptions {
  /** Clock for `created_at` and the sp_meta record. */
  now?: () => number;
  /** Receives a summary line and warnings about odd tables. */
  logger?: { info(msg: string): void; warn(msg: string): void };
}

/**
 * The Python project's table name for a stream: every code point outside [A-Za-z0-9_] becomes
 * `_`, `t_` is prefixed when the result does not start with a letter or underscore, then `log_`.
 */
export function legacyTableName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/gu, "_");
  if (!/^[A-Za-z_]/.test(s)) s = `t_${s}`;
  return `log_${s}`;
}

const ISO_TS =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses a Python `isoformat()` timestamp to UTC ms: "2025-11-01T12:00:20+05:30", "…Z", with
 * optional fractions; no offset means UTC. Returns null for anything else (including 2025-02-30).
 */
export function parseLegacyTs(text: unknown): number | null {
  if (typeof text !== "string") return null;
  const m = ISO_TS.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const ms = Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000);
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(local);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  let offsetMin = 0;
  const off = m[8];
  if (off && off.toUpperCase() !== "Z") {
    const digits = off.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || "0");
    if (oh > 23 || om > 59) return null;
    offsetMin = (off[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  return local - offsetMin * 60_000;
}

const DETAILS = JSON.stringify({ imported: "python" });
const DETAILS_NOTE = JSON.stringify({
  imported: "python",
  legacyNote: "Python 2.2 counted 401/403/404/454 as healthy",
});

/**
 * Yields the rows of a keyset-paged query, CHUNK at a time: node:sqlite's iterate() costs ~3 µs
 * a row against ~1 µs for all(), and chunks keep memory flat on big tables. `sql` takes the
 * `fixed` parameters, then `key(last row)` (start: `start`), then the LIMIT.
 */
function* chunked(
  db: DatabaseSync,
  sql: string,
  fixed: SQLInputValue[],
  key: (row: Row) => SQLInputValue[],
  start: SQLInputValue[],
): Generator<Row> {
  const stmt = db.prepare(sql);
  let after = start;
  while (true) {
    const rows = stmt.all(...fixed, ...after, CHUNK) as Row[];
    yield* rows;
    if (rows.length < CHUNK) return;
    after = key(rows[rows.length - 1]);
  }
}
type Row = Record<string, SQLOutputValue>;
const MIN = Number.MIN_SAFE_INTEGER;
const CHUNK = 5000;

const quoteId = (name: string) => `"${name.replaceAll('"', '""')}"`;
// Python 2.2 counted these as healthy; the recorded status stays, the row's details say so.
const LEGACY_HEALTHY = /\b(401|403|404|454)\b/;

function columnsOf(db: DatabaseSync, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA table_info(${quoteId(table)})`).all() as { name: string }[];
  return new Set(rows.map((r) => r.name.toLowerCase()));
}

/** Pairs each legacy stream name with its log tables (case-insensitive, as SQLite names are). */
function findSources(db: DatabaseSync, warn: (m: string) => void): Map<string, string[]> {
  const tables = new Map<string, string>(); // lower-case name → name, log tables only
  const all = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  let hasStreams = false;
  for (const { name } of all as { name: string }[]) {
    const key = name.toLowerCase();
    if (key === "streams") hasStreams = columnsOf(db, name).has("name");
    if (!key.startsWith("log_")) continue;
    const cols = columnsOf(db, name);
    if (cols.has("ts") && cols.has("status")) tables.set(key, name);
    else warn(`legacy import: table "${name}" has no ts/status columns; left alone`);
  }
  const sources = new Map<string, string[]>(); // stream name → its log tables
  const claimed = new Set<string>();
  const add = (name: string, table?: string) => {
    const list = sources.get(name) ?? [];
    if (table) list.push(table);
    sources.set(name, list);
  };
  if (hasStreams) {
    for (const r of db.prepare("SELECT name FROM streams ORDER BY rowid").all()) {
      const name = (r as { name: unknown }).name;
      if (typeof name !== "string") continue;
      const key = legacyTableName(name).toLowerCase();
      const table = tables.get(key);
      if (table && claimed.has(key)) {
        warn(`legacy import: stream "${name}" shares table "${table}"; its rows go to the first`);
        add(name);
        continue;
      }
      if (table) claimed.add(key);
      add(name, table);
    }
  }
  // A log table without a streams row (stream deleted in Python) still holds history.
  for (const [key, table] of tables) {
    if (!claimed.has(key)) add(table.slice(4), table);
  }
  return sources;
}

/**
 * Imports the Python history once, in one transaction, and records it in sp_meta so later opens
 * import nothing. Needs the migrated sp_* schema. The legacy tables are only read: nothing is
 * lost and a downgrade to Python 2.2 keeps working. `users` (plain-text passwords) and stream
 * URLs (credentials) are never read. States come from the status as Python recorded it
 * ('ok' → up, anything else → down), and incidents are derived from that sequence.
 */
export function importLegacy(db: DatabaseSync, opts: LegacyImportOptions = {}): LegacyImportResult {
  const now = opts.now ?? Date.now;
  const done = db.prepare("SELECT value FROM sp_meta WHERE key = ?").get(LEGACY_IMPORT_KEY);
  const result: LegacyImportResult = { streams: 0, rows: 0, skipped: 0 };
  if (done) return result;
  const warn = (m: string) => opts.logger?.warn(m);
  db.exec("BEGIN IMMEDIATE");
  try {
    const firstNewId = (db.prepare("SELECT coalesce(max(id), 0) AS m FROM sp_check").get() as {
      m: number;
    }).m;
    const ensure = db.prepare(
      "INSERT INTO sp_stream (name, created_at) VALUES (?, ?) " +
        "ON CONFLICT (name) DO UPDATE SET name = name RETURNING id",
    );
    const insert = db.prepare(
      "INSERT INTO sp_check (stream_id, ts, ok, state, latency_ms, message, details) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const streamIds = new Set<number>();
    for (const [name, tables] of findSources(db, warn)) {
      const id = (ensure.get(name, now()) as { id: number }).id;
      streamIds.add(id);
      for (const table of tables) {
        const cols = columnsOf(db, table);
        const pick = (c: string) => (cols.has(c) ? c : "NULL");
        const sql = `SELECT rowid AS k, ts, status, ${pick("latency_ms")} AS lat, ${
          pick("message")
        } AS msg FROM ${quoteId(table)} WHERE rowid > ? ORDER BY rowid LIMIT ?`;
        for (const { ts: rawTs, status, lat, msg } of chunked(db, sql, [], (r) => [r.k], [MIN])) {
          const ts = parseLegacyTs(rawTs);
          if (ts === null) {
            result.skipped++;
            continue;
          }
          const ok = typeof status === "string" && status.trim().toLowerCase() === "ok";
          const text = msg == null ? "" : String(msg);
          const message = text.includes("@") ? maskUrl(text) : text;
          const latency = typeof lat === "number" && Number.isFinite(lat) ? lat : null;
          const details = !ok ? DETAILS : LEGACY_HEALTHY.test(message) ? DETAILS_NOTE : DETAILS;
          insert.run(id, ts, ok ? 1 : 0, ok ? "up" : "down", latency, message, details);
          result.rows++;
        }
      }
    }
    result.streams = streamIds.size;
    buildRollups(db, firstNewId);
    for (const id of streamIds) deriveStates(db, id, firstNewId);
    db.prepare("INSERT INTO sp_meta (key, value) VALUES (?, ?)").run(
      LEGACY_IMPORT_KEY,
      JSON.stringify({ at: now(), ...result }),
    );
    db.exec("COMMIT");
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`Legacy import of the Python 2.2 tables failed: ${why}`, { cause: err });
  }
  opts.logger?.info(
    `store: imported Python 2.2 history: ${result.streams} streams, ${result.rows} rows, ` +
      `${result.skipped} unreadable rows skipped`,
  );
  return result;
}

/** Hour and day rollups of the imported rows, by the same rules as the live write path. */
function buildRollups(db: DatabaseSync, firstNewId: number): void {
  const kinds = [["sp_rollup_hour", "hour", 3_600_000], [
    "sp_rollup_day",
    "day",
    86_400_000,
  ]] as const;
  for (const [table, col, size] of kinds) {
    // "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    db.prepare(
      `INSERT INTO ${table} (stream_id, ${col}, checks, ok, lat_min, lat_sum, lat_max, lat_count)
       SELECT stream_id, (ts / ${size}) * ${size} AS b, count(*), sum(ok),
         min(CASE WHEN ok THEN latency_ms END), coalesce(sum(CASE WHEN ok THEN latency_ms END), 0),
         max(CASE WHEN ok THEN latency_ms END), count(CASE WHEN ok THEN latency_ms END)
       FROM sp_check WHERE id > ? AND true GROUP BY stream_id, b
       ON CONFLICT (stream_id, ${col}) DO UPDATE SET
         checks = checks + excluded.checks, ok = ok + excluded.ok,
         lat_min = min(coalesce(lat_min, excluded.lat_min), coalesce(excluded.lat_min, lat_min)),
         lat_sum = lat_sum + excluded.lat_sum,
         lat_max = max(coalesce(lat_max, excluded.lat_max), coalesce(excluded.lat_max, lat_max)),
         lat_count = lat_count + excluded.lat_count`,
    ).run(firstNewId);
  }
}

/** Walks one stream's imported checks in time order: state changes → incidents, final state. */
function deriveStates(db: DatabaseSync, streamId: number, firstNewId: number): void {
  const open = db.prepare(
    "INSERT INTO sp_incident (stream_id, state, started_at, cause) VALUES (?, 'down', ?, ?)",
  );
  const close = db.prepare(
    "UPDATE sp_incident SET ended_at = ?, end_cause = ? WHERE stream_id = ? AND ended_at IS NULL",
  );
  const sql = "SELECT ts, id, ok, message FROM sp_check " +
    "WHERE stream_id = ? AND id > ? AND (ts, id) > (?, ?) ORDER BY ts, id LIMIT ?";
  let state = "unknown";
  let since = 0;
  let streak = 0;
  const rows = chunked(db, sql, [streamId, firstNewId], (r) => [r.ts, r.id], [MIN, MIN]);
  for (const { ts, ok, message } of rows) {
    const next = ok ? "up" : "down";
    streak = ok ? 0 : streak + 1;
    if (next === state) continue;
    if (state === "down") close.run(ts as number, message as string, streamId);
    if (next === "down") open.run(streamId, ts as number, message as string);
    state = next;
    since = ts as number;
  }
  if (state === "unknown") return;
  db.prepare("UPDATE sp_stream SET state = ?, state_since = ?, fail_streak = ? WHERE id = ?")
    .run(state, since, streak, streamId);
}
