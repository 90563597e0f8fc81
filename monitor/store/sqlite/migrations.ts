/** The store schema: connection pragmas and numbered migrations tracked by PRAGMA user_version. */

import type { DatabaseSync } from "node:sqlite";

/** One schema step. `version` is its number; `user_version` holds the last one applied. */
export interface Migration {
  /** 1, 2, 3 … without gaps; never renumber or edit a released migration, add a new one. */
  readonly version: number;
  /** Short description, quoted in logs and errors. */
  readonly name: string;
  /** SQL run inside the migration's transaction. */
  readonly sql: string;
}

/** Anything with info(); the store passes its logger. */
export interface MigrationLogger {
  /** Receives one line per applied migration. */
  info(msg: string): void;
}

// CHECKs use OR chains: "x IN (list)" builds a temporary index on every evaluation, which
// measured ~2.5 µs per inserted check, more than the insert itself.
const STATE_OK = "state = 'up' OR state = 'down' OR state = 'degraded' OR state = 'unknown'";

/**
 * Every table is prefixed `sp_` so it never clashes with the Python 2.2 tables living in the
 * same file (`streams`, `users`, `log_*`), which stay untouched so a downgrade still works.
 * No URL is stored anywhere: URLs carry camera credentials and live only in config.yaml.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE sp_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      -- One row per stream name ever seen; kept when a stream leaves the config.
      -- state/state_since/fail_streak make "current state + since" a primary-key lookup.
      CREATE TABLE sp_stream (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'unknown' CHECK (${STATE_OK}),
        state_since INTEGER,
        fail_streak INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE sp_check (
        id INTEGER PRIMARY KEY,
        stream_id INTEGER NOT NULL REFERENCES sp_stream (id),
        ts INTEGER NOT NULL,
        ok INTEGER NOT NULL CHECK (ok = 0 OR ok = 1),
        state TEXT NOT NULL CHECK (${STATE_OK}),
        latency_ms REAL,
        message TEXT NOT NULL,
        details TEXT NOT NULL
      );
      -- Serves history, the last check per stream and per-stream batched pruning;
      -- a separate ts index would cost every insert and is not needed.
      CREATE INDEX sp_check_stream_ts ON sp_check (stream_id, ts);

      -- A period in a non-up state (down or degraded); ended_at NULL while it lasts.
      CREATE TABLE sp_incident (
        id INTEGER PRIMARY KEY,
        stream_id INTEGER NOT NULL REFERENCES sp_stream (id),
        state TEXT NOT NULL CHECK (state = 'down' OR state = 'degraded'),
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        cause TEXT NOT NULL,
        end_cause TEXT
      );
      CREATE INDEX sp_incident_stream_start ON sp_incident (stream_id, started_at);
      -- Finds the open incident without scanning a flapping stream's whole incident list.
      CREATE INDEX sp_incident_open ON sp_incident (stream_id) WHERE ended_at IS NULL;

      -- Latency columns aggregate passed checks only: a timeout's latency is the timeout.
      CREATE TABLE sp_rollup_hour (
        stream_id INTEGER NOT NULL,
        hour INTEGER NOT NULL,
        checks INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        lat_min REAL,
        lat_sum REAL NOT NULL,
        lat_max REAL,
        lat_count INTEGER NOT NULL,
        PRIMARY KEY (stream_id, hour)
      ) WITHOUT ROWID;

      -- Same per UTC day, so a 365-day uptime of 1,000 streams reads ~365k rows, not ~9M.
      CREATE TABLE sp_rollup_day (
        stream_id INTEGER NOT NULL,
        day INTEGER NOT NULL,
        checks INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        lat_min REAL,
        lat_sum REAL NOT NULL,
        lat_max REAL,
        lat_count INTEGER NOT NULL,
        PRIMARY KEY (stream_id, day)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: "alert outbox, delivery log, acks and mutes",
    sql: `
      -- An acknowledgement of an incident (NULL while nobody acknowledged it).
      ALTER TABLE sp_incident ADD COLUMN ack_at INTEGER;
      ALTER TABLE sp_incident ADD COLUMN ack_note TEXT;

      -- One row per alert and channel; (key, channel) unique is what makes delivery exactly once.
      -- done_at: when it became sent or failed (retention prunes by it).
      CREATE TABLE sp_outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        channel TEXT NOT NULL,
        alert TEXT NOT NULL,
        event TEXT NOT NULL,
        stream TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status = 'pending' OR status = 'sent' OR status = 'failed'),
        last_answer TEXT,
        done_at INTEGER,
        UNIQUE (key, channel)
      );
      -- Serves dueAlerts per channel and the per-channel counts of pending items.
      CREATE INDEX sp_outbox_pending ON sp_outbox (channel, next_attempt_at)
        WHERE status = 'pending';
      CREATE INDEX sp_outbox_done ON sp_outbox (done_at) WHERE status <> 'pending';

      -- Every attempt (and every give-up without one). No foreign key: log rows outlive items.
      CREATE TABLE sp_delivery (
        id INTEGER PRIMARY KEY,
        outbox_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        channel TEXT NOT NULL,
        ts INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        ok INTEGER NOT NULL CHECK (ok = 0 OR ok = 1),
        status INTEGER,
        answer TEXT NOT NULL,
        event TEXT NOT NULL,
        stream TEXT NOT NULL
      );
      CREATE INDEX sp_delivery_ts ON sp_delivery (ts);
      CREATE INDEX sp_delivery_channel_ts ON sp_delivery (channel, ts);

      -- A channel's last success and last error, so health never scans the log.
      CREATE TABLE sp_channel_state (
        channel TEXT PRIMARY KEY,
        last_ok_at INTEGER,
        last_error TEXT,
        last_error_at INTEGER
      ) WITHOUT ROWID;

      CREATE TABLE sp_mute (
        name TEXT PRIMARY KEY,
        until INTEGER NOT NULL,
        note TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: "stable stream ids",
    sql: `
      -- The stream's \`id:\` from config.yaml (NULL until one is configured): a rename keeps the
      -- row, so checks, incidents and rollups (which reference sp_stream.id) follow it.
      ALTER TABLE sp_stream ADD COLUMN config_id TEXT;
      CREATE UNIQUE INDEX sp_stream_config_id ON sp_stream (config_id) WHERE config_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: "incident log indexes",
    sql: `
      -- The global incident log (allIncidents) reads every stream's incidents by time: incidents
      -- starting in the window come from the start index, those begun earlier and still
      -- overlapping it (ended after its start, or open) from the end index.
      CREATE INDEX sp_incident_start ON sp_incident (started_at);
      CREATE INDEX sp_incident_end ON sp_incident (ended_at);
    `,
  },
];

/** Applies the settings every store connection uses; returns the journal mode in effect. */
export function applyPragmas(db: DatabaseSync, busyTimeoutMs = 1000): string {
  // WAL lets readers (a second process, the sqlite3 CLI) work while the engine writes;
  // synchronous=NORMAL is durable across process crashes in WAL mode and skips an fsync per commit.
  const row = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string };
  db.exec(`PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${Math.floor(busyTimeoutMs)};`);
  return row.journal_mode;
}

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: DatabaseSync): number {
  return (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** user_version before. */
  from: number;
  /** user_version after. */
  to: number;
  /** Versions applied now (empty when the schema was current). */
  applied: number[];
}

/**
 * Applies every migration newer than `user_version`, each in its own transaction that also bumps
 * `user_version`, so a failure rolls back that step only and is thrown naming it. Refuses a
 * database written by a newer StreamPulse rather than guessing at its schema.
 */
export function migrate(
  db: DatabaseSync,
  opts: { migrations?: readonly Migration[]; logger?: MigrationLogger } = {},
): MigrateResult {
  const migrations = opts.migrations ?? MIGRATIONS;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`Migration "${m.name}" has number ${m.version}, expected ${i + 1}`);
    }
  });
  const from = schemaVersion(db);
  const latest = migrations.length;
  if (from > latest) {
    throw new Error(
      `Database schema version ${from} is newer than this StreamPulse knows (${latest}); ` +
        "refusing to open it: upgrade StreamPulse",
    );
  }
  const applied: number[] = [];
  for (const m of migrations.slice(from)) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec("COMMIT");
    } catch (err) {
      if (db.isTransaction) db.exec("ROLLBACK");
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`Migration ${m.version} "${m.name}" failed: ${why}`, { cause: err });
    }
    applied.push(m.version);
    opts.logger?.info(`store: applied migration ${m.version} "${m.name}"`);
  }
  return { from, to: schemaVersion(db), applied };
}
