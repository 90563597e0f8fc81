/** The store on node:sqlite: batched check writes, state changes, rollups, queries, retention. */

// Longer than the ~200-line habit on purpose: the write path, the reads and retention share the
// prepared statements and the queue, and splitting them would only pass those around.

import { DatabaseSync } from "node:sqlite";
import type { CheckRecord, StreamState } from "../../types.ts";
import { maskUrl } from "../../redact.ts";
import { applyPragmas, migrate, schemaVersion } from "./migrations.ts";
import { importLegacy } from "./legacy_import.ts";
import { createReports, type StoreReports } from "./reports.ts";
import { checkStoreFiles } from "./files.ts";

/** Where the store reports migrations, the legacy import and write trouble. */
export interface StoreLogger {
  /** Normal events (a migration applied, history imported, writes recovered). */
  info(msg: string): void;
  /** Trouble that does not stop the store (a failed background flush that will be retried). */
  warn(msg: string): void;
}

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Clock in ms since the epoch (open incidents' duration, retention cut-offs, created_at). */
  now?: () => number;
  /** How long a recorded check may wait in memory before the background flush (default 200). */
  flushIntervalMs?: number;
  /** Queue length that triggers an immediate flush (default 500). */
  maxBatch?: number;
  /**
   * How long a write waits for another connection's lock (PRAGMA busy_timeout, default 1000).
   * The wait blocks the event loop, so it is short: a failed background flush keeps its batch.
   */
  busyTimeoutMs?: number;
  /** Defaults to a logger that writes nothing. */
  logger?: StoreLogger;
}

/** A state transition as the engine decided it. */
export interface StateChange {
  /** Stream name. */
  name: string;
  /** The state before (a change with from === to is ignored). */
  from: StreamState;
  /** The new state; down and degraded open an incident. */
  to: StreamState;
  /** When the new state began, ms since the epoch. */
  ts: number;
  /** Why, e.g. the message of the check that confirmed it. */
  cause: string;
}

/** What a stream's in-memory state is restored from after a restart. */
export interface StoredState {
  /** The last recorded state ('unknown' before the first state change). */
  state: StreamState;
  /** When that state began (the stream's creation time before the first change). */
  since: number;
  /** The kind (a ProbeKind name) last given to ensureStream(), if any. */
  kind?: string;
  /** The newest check, if any. A stored NULL latency reads back as NaN. */
  last?: CheckRecord;
  /** Consecutive failed checks at the end of the history. */
  failStreak: number;
}

/** A period a stream spent down or degraded. */
export interface Incident {
  /** Row id, stable. */
  id: number;
  /** Stream name. */
  name: string;
  /** The non-up state of this period. */
  state: "down" | "degraded";
  /** Start, ms since the epoch. */
  start: number;
  /** End, ms since the epoch, or null while it lasts. */
  end: number | null;
  /** Length so far (until now() while open). */
  durationMs: number;
  /** Cause given when the incident began. */
  cause: string;
  /** Cause of the change that ended it. */
  endCause: string | null;
}

/** Uptime of one stream over a period. */
export interface Uptime {
  /** Checks in the period. */
  checks: number;
  /** Passed checks in the period. */
  ok: number;
  /** ok / checks, or null without checks. */
  ratio: number | null;
}

/** A time window and row limit for history() and incidents(). */
export interface RangeQuery {
  /** Inclusive lower bound, ms since the epoch. */
  from?: number;
  /** Inclusive upper bound, ms since the epoch. */
  to?: number;
  /** Rows returned, newest first: default 100, at most 10,000. */
  limit?: number;
}

/** Options of Store.prune(). */
export interface PruneOptions {
  /** Days of raw checks kept (default 30). */
  retentionDays?: number;
  /** Days of rollups and closed incidents kept (default 400, at least 365). */
  rollupDays?: number;
  /** Rows deleted per statement (default 500). */
  batchSize?: number;
  /** Stops between batches; the result then says aborted. */
  signal?: AbortSignal;
}

/** Rows removed by Store.prune(). */
export interface PruneResult {
  /** Raw checks deleted. */
  checks: number;
  /** Hour and day rollup rows deleted. */
  rollups: number;
  /** Closed incidents deleted. */
  incidents: number;
  /** True when the signal or close() stopped it early. */
  aborted: boolean;
}

/** Facts for the health endpoint. */
export interface StoreHealth {
  /** The path given to openStore(). */
  path: string;
  /** "wal" for files ("memory" for :memory:). */
  journalMode: string;
  /** Schema version (PRAGMA user_version). */
  userVersion: number;
  /** page_count × page_size (the WAL file not included). */
  sizeBytes: number;
  /** Checks, state changes and settings (setMeta) waiting for the next flush. */
  queued: number;
  /** Why the last write failed ("database is locked", "database or disk is full"); null once a write succeeds. */
  writeError: string | null;
  /** How long the oldest queued write has waited, ms; null when nothing is queued. */
  oldestQueuedAgeMs: number | null;
}

/**
 * The store. Writes are queued and flushed in one transaction; every read flushes first (while
 * the database is locked by another writer, reads serve what is on disk and flushes retry).
 * setMeta() writes at once, but a write that fails (locked past busy_timeout, disk full) stays
 * queued and is retried like the checks, so callers (sign-in sessions) never see the error;
 * getMeta() returns the queued value meanwhile and health() reports the failure.
 */
export interface Store extends StoreReports {
  /**
   * Returns the stream's stable id, creating its row; a given kind (a ProbeKind name, kept as
   * text so a kind dropped from the code still reads back) is remembered. No URL is stored.
   */
  ensureStream(name: string, kind?: string): number;
  /**
   * Queues one check (cheap: no SQL). Credentials in URLs inside message and details are masked.
   * Throws RangeError for an invalid ts or state, TypeError for details JSON cannot hold.
   */
  recordCheck(name: string, check: CheckRecord): void;
  /** Queues a state change: closes the open incident, opens one for down/degraded. */
  recordStateChange(change: StateChange): void;
  /**
   * Writes everything queued in one transaction; returns how many items were written. Throws
   * when the write fails (e.g. locked past busy_timeout); the batch stays queued for a retry.
   */
  flush(): number;
  /** Checks of a stream, newest first; [] for an unknown name. */
  history(name: string, query?: RangeQuery): CheckRecord[];
  /** State, since, last check and fail streak of every stream ever seen, by name. */
  lastStates(): Map<string, StoredState>;
  /**
   * Uptime of every stream from the rollups since `since`: the hour holding `since` counts whole,
   * and the current hour counts as far as it goes.
   */
  uptime(query: { since: number }): Map<string, Uptime>;
  /** Incidents overlapping the window, newest first; [] for an unknown name. */
  incidents(name: string, query?: RangeQuery): Incident[];
  /** Every stream name ever seen (config removals keep theirs), sorted. */
  streamNames(): string[];
  /**
   * When the stream's history begins: its first check, to the hour once raw checks are pruned
   * (hour rollups outlive them); undefined for an unknown or never-checked stream.
   */
  firstCheckAt(name: string): number | undefined;
  /** Path, journal mode, schema version, size, queue length and the last write error. */
  health(): StoreHealth;
  /** Deletes old raw checks, then old rollups and incidents, in small batches between yields. */
  prune(opts?: PruneOptions): Promise<PruneResult>;
  /** Flushes, stops the timer and closes the database. Later calls do nothing. */
  close(): void;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MAX_QUEUE = 100_000;
const STATES = new Set<string>(["up", "degraded", "down", "unknown"]);
const noop = () => {};
const SILENT: StoreLogger = { info: noop, warn: noop };

interface QueuedCheck {
  id: number;
  ts: number;
  ok: 0 | 1;
  state: StreamState;
  lat: number | null;
  msg: string;
  det: string;
}
interface QueuedChange {
  id: number;
  to: StreamState;
  ts: number;
  cause: string;
}
interface Agg {
  id: number;
  bucket: number;
  checks: number;
  ok: number;
  min: number | null;
  sum: number;
  max: number | null;
  count: number;
}

/** Masks only when a URL with user-info could be present, keeping the common path regex-free. */
const mask = (s: string) => (s.includes("@") ? maskUrl(s) : s);
const maskValue = (_k: string, v: unknown) => (typeof v === "string" ? mask(v) : v);

function addTo(aggs: Map<string, Agg>, c: QueuedCheck, size: number): void {
  const bucket = Math.floor(c.ts / size) * size;
  const key = `${c.id}:${bucket}`;
  let a = aggs.get(key);
  if (!a) {
    a = { id: c.id, bucket, checks: 0, ok: 0, min: null, sum: 0, max: null, count: 0 };
    aggs.set(key, a);
  }
  a.checks++;
  a.ok += c.ok;
  // Latency statistics cover passed checks only (a failed check's latency is often the timeout).
  if (c.ok && c.lat !== null) {
    a.min = a.min === null ? c.lat : Math.min(a.min, c.lat);
    a.max = a.max === null ? c.lat : Math.max(a.max, c.lat);
    a.sum += c.lat;
    a.count++;
  }
}

const upsertSql = (table: string, col: string) =>
  `INSERT INTO ${table} (stream_id, ${col}, checks, ok, lat_min, lat_sum, lat_max, lat_count)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (stream_id, ${col}) DO UPDATE SET
     checks = checks + excluded.checks, ok = ok + excluded.ok,
     lat_min = min(coalesce(lat_min, excluded.lat_min), coalesce(excluded.lat_min, lat_min)),
     lat_sum = lat_sum + excluded.lat_sum,
     lat_max = max(coalesce(lat_max, excluded.lat_max), coalesce(excluded.lat_max, lat_max)),
     lat_count = lat_count + excluded.lat_count`;

function prepareAll(db: DatabaseSync) {
  const p = (sql: string) => db.prepare(sql);
  return {
    findStream: p("SELECT id, kind FROM sp_stream WHERE name = ?"),
    addStream: p("INSERT INTO sp_stream (name, kind, created_at) VALUES (?, ?, ?) RETURNING id"),
    setKind: p("UPDATE sp_stream SET kind = ? WHERE id = ?"),
    insertCheck: p(
      "INSERT INTO sp_check (stream_id, ts, ok, state, latency_ms, message, details) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    upsertHour: p(upsertSql("sp_rollup_hour", "hour")),
    upsertDay: p(upsertSql("sp_rollup_day", "day")),
    setStreak: p("UPDATE sp_stream SET fail_streak = ? WHERE id = ?"),
    addStreak: p("UPDATE sp_stream SET fail_streak = fail_streak + ? WHERE id = ?"),
    setState: p("UPDATE sp_stream SET state = ?, state_since = ? WHERE id = ?"),
    closeIncident: p(
      "UPDATE sp_incident SET ended_at = ?, end_cause = ? WHERE stream_id = ? AND ended_at IS NULL",
    ),
    openIncident: p(
      "INSERT INTO sp_incident (stream_id, state, started_at, cause) VALUES (?, ?, ?, ?)",
    ),
    history: p(
      "SELECT ts, ok, state, latency_ms, message, details FROM sp_check " +
        "WHERE stream_id = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?",
    ),
    lastCheck: p(
      "SELECT ts, ok, state, latency_ms, message, details FROM sp_check " +
        "WHERE stream_id = ? ORDER BY ts DESC, id DESC LIMIT 1",
    ),
    streams: p(
      "SELECT id, name, kind, state, state_since, fail_streak, created_at FROM sp_stream",
    ),
    // Whole hours before the first day boundary from the hour table, whole days after it.
    uptime: p(
      `SELECT s.name,
         coalesce((SELECT sum(checks) FROM sp_rollup_hour
                   WHERE stream_id = s.id AND hour >= ?1 AND hour < ?2), 0)
         + coalesce((SELECT sum(checks) FROM sp_rollup_day WHERE stream_id = s.id AND day >= ?2), 0)
           AS checks,
         coalesce((SELECT sum(ok) FROM sp_rollup_hour
                   WHERE stream_id = s.id AND hour >= ?1 AND hour < ?2), 0)
         + coalesce((SELECT sum(ok) FROM sp_rollup_day WHERE stream_id = s.id AND day >= ?2), 0)
           AS ok
       FROM sp_stream s`,
    ),
    incidents: p(
      "SELECT id, state, started_at, ended_at, cause, end_cause FROM sp_incident " +
        "WHERE stream_id = ? AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?) " +
        "ORDER BY started_at DESC, id DESC LIMIT ?",
    ),
    // The first raw check when it lies in the first rollup hour (not pruned), else that hour.
    firstCheck: p(
      "SELECT coalesce((SELECT min(ts) FROM sp_check WHERE stream_id = ?1 AND ts < h + 3600000), h) " +
        "AS t FROM (SELECT min(hour) AS h FROM sp_rollup_hour WHERE stream_id = ?1)",
    ),
    setMeta: p(
      "INSERT INTO sp_meta (key, value) VALUES (?, ?) " +
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
    pruneChecks: p(
      "DELETE FROM sp_check WHERE rowid IN " +
        "(SELECT rowid FROM sp_check WHERE stream_id = ? AND ts < ? LIMIT ?)",
    ),
    pruneHours: p(
      "DELETE FROM sp_rollup_hour WHERE (stream_id, hour) IN " +
        "(SELECT stream_id, hour FROM sp_rollup_hour WHERE stream_id = ? AND hour < ? LIMIT ?)",
    ),
    pruneDays: p(
      "DELETE FROM sp_rollup_day WHERE (stream_id, day) IN " +
        "(SELECT stream_id, day FROM sp_rollup_day WHERE stream_id = ? AND day < ? LIMIT ?)",
    ),
    pruneIncidents: p(
      "DELETE FROM sp_incident WHERE rowid IN (SELECT rowid FROM sp_incident " +
        "WHERE stream_id = ? AND ended_at IS NOT NULL AND ended_at < ? LIMIT ?)",
    ),
  };
}

type Row = Record<string, unknown>;

function toCheck(r: Row): CheckRecord {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details as string);
  } catch {
    details = { unreadable: String(r.details) };
  }
  return {
    ts: r.ts as number,
    ok: r.ok === 1,
    state: r.state as StreamState,
    latencyMs: r.latency_ms === null ? NaN : (r.latency_ms as number),
    message: r.message as string,
    details,
  };
}

function range(q: RangeQuery): [number, number, number] {
  for (const key of ["from", "to"] as const) {
    const v = q[key];
    if (v !== undefined && !Number.isFinite(v)) {
      throw new RangeError(`Cannot query: "${key}" is ${v}, not a time in ms`);
    }
  }
  const limit = q.limit === undefined || !Number.isFinite(q.limit) ? 100 : Math.floor(q.limit);
  return [
    q.from ?? Number.MIN_SAFE_INTEGER,
    q.to ?? Number.MAX_SAFE_INTEGER,
    Math.min(10_000, Math.max(1, limit)),
  ];
}

function positive(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`Cannot prune: "${name}" is ${value}, it must be at least ${min}`);
  }
  return value;
}

/**
 * Opens (creating if needed) the store at `path` or in memory, applies the pragmas and the
 * migrations, imports the Python 2.2 history once, and starts nothing until a write is queued.
 */
export function openStore(path: string, opts: StoreOptions = {}): Store {
  const now = opts.now ?? Date.now;
  const log = opts.logger ?? SILENT;
  const flushIntervalMs = opts.flushIntervalMs ?? 200;
  const maxBatch = opts.maxBatch ?? 500;
  checkStoreFiles(path);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (err) {
    throw new Error(`Cannot open the store "${path}": ${(err as Error).message}`, { cause: err });
  }
  let journalMode: string;
  try {
    journalMode = applyPragmas(db, opts.busyTimeoutMs ?? 1000);
    // Migrations first, then the import: the importer is written against the current schema
    // (it fills sp_* tables and records itself in sp_meta), so every migration must exist
    // before it runs. Migrations only create and change sp_* objects, so running them first
    // cannot touch the legacy tables the import reads.
    migrate(db, { logger: log });
    importLegacy(db, { now, logger: log });
  } catch (err) {
    db.close();
    throw new Error(`Cannot open the store "${path}": ${(err as Error).message}`, { cause: err });
  }
  const st = prepareAll(db);
  const ids = new Map<string, number>();
  const kinds = new Map<number, string | null>();
  for (const r of db.prepare("SELECT id, name, kind FROM sp_stream").all() as Row[]) {
    ids.set(r.name as string, r.id as number);
    kinds.set(r.id as number, r.kind as string | null);
  }
  let checks: QueuedCheck[] = [];
  let changes: QueuedChange[] = [];
  let meta = new Map<string, string>(); // settings not yet written, the newest value per key
  let queuedSince: number | undefined; // when the queue last went from empty to non-empty
  let writeError: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let failures = 0;

  const ensureStream = (name: string, kind?: string): number => {
    let id = ids.get(name);
    if (id === undefined) {
      const found = st.findStream.get(name) as Row | undefined;
      id = found
        ? found.id as number
        : (st.addStream.get(name, kind ?? null, now()) as Row).id as number;
      ids.set(name, id);
      kinds.set(id, found ? found.kind as string | null : kind ?? null);
    }
    if (kind !== undefined && kinds.get(id) !== kind) {
      st.setKind.run(kind, id);
      kinds.set(id, kind);
    }
    return id;
  };

  const flush = (): number => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (checks.length === 0 && changes.length === 0 && meta.size === 0) return 0;
    const cs = checks;
    const ch = changes;
    const mt = meta;
    checks = [];
    changes = [];
    meta = new Map();
    try {
      db.exec("BEGIN IMMEDIATE"); // inside the try: a busy database must not lose the batch
      const hours = new Map<string, Agg>();
      const days = new Map<string, Agg>();
      const streaks = new Map<number, { reset: boolean; n: number }>();
      for (const c of cs) {
        st.insertCheck.run(c.id, c.ts, c.ok, c.state, c.lat, c.msg, c.det);
        addTo(hours, c, HOUR);
        addTo(days, c, DAY);
        let s = streaks.get(c.id);
        if (!s) streaks.set(c.id, s = { reset: false, n: 0 });
        if (c.ok) {
          s.reset = true;
          s.n = 0;
        } else s.n++;
      }
      for (const a of hours.values()) {
        st.upsertHour.run(a.id, a.bucket, a.checks, a.ok, a.min, a.sum, a.max, a.count);
      }
      for (const a of days.values()) {
        st.upsertDay.run(a.id, a.bucket, a.checks, a.ok, a.min, a.sum, a.max, a.count);
      }
      for (const [id, s] of streaks) (s.reset ? st.setStreak : st.addStreak).run(s.n, id);
      for (const c of ch) {
        st.setState.run(c.to, c.ts, c.id);
        st.closeIncident.run(c.ts, c.cause, c.id);
        if (c.to === "down" || c.to === "degraded") st.openIncident.run(c.id, c.to, c.ts, c.cause);
      }
      for (const [key, value] of mt) st.setMeta.run(key, value);
      db.exec("COMMIT");
    } catch (err) {
      if (db.isTransaction) db.exec("ROLLBACK");
      checks = cs.concat(checks);
      changes = ch.concat(changes);
      for (const [key, value] of meta) mt.set(key, value); // a newer value queued meanwhile wins
      meta = mt;
      writeError = err instanceof Error ? err.message : String(err);
      throw err;
    }
    writeError = null;
    queuedSince = undefined;
    return cs.length + ch.length + mt.size;
  };

  // Background flushes must not throw into a timer: keep the batch, warn, retry later. Waiting
  // for a lock blocks the event loop (DatabaseSync is synchronous), so retries back off to 5 s.
  const autoFlush = () => {
    try {
      flush();
      if (failures > 0) log.info(`store: writes recovered after ${failures} failed flushes`);
      failures = 0;
    } catch (err) {
      failures++;
      if (failures === 1 || failures % 50 === 0) {
        log.warn(
          `store: flush failed (${failures}x, ${checks.length} checks and ${meta.size} ` +
            `settings queued for "${path}"): ${err}`,
        );
      }
      if (checks.length > MAX_QUEUE) {
        const dropped = checks.splice(0, checks.length - MAX_QUEUE).length;
        log.warn(
          `store: dropped the ${dropped} oldest queued checks; the database is not writable`,
        );
      }
      schedule();
    }
  };
  const schedule = () => {
    if (timer === undefined && !closed) {
      const delay = Math.min(flushIntervalMs * 2 ** Math.min(failures, 10), 5000);
      timer = setTimeout(() => {
        timer = undefined;
        autoFlush();
      }, Math.max(delay, flushIntervalMs));
    }
  };
  const enqueued = () => {
    queuedSince ??= now();
    if (checks.length + changes.length >= maxBatch && failures === 0) autoFlush();
    else schedule();
  };
  // Reads flush first so they see every recorded check, but while writes are failing they
  // serve what is on disk instead of blocking on the lock again (WAL readers are not blocked).
  const flushForRead = () => {
    if (failures === 0) autoFlush();
  };
  const open = (what: string) => {
    if (closed) throw new Error(`Cannot ${what}: the store "${path}" is closed`);
  };
  const validTs = (what: string, ts: number) => {
    if (!Number.isFinite(ts)) throw new RangeError(`Cannot ${what}: ts ${ts} is not a number`);
  };
  const validState = (what: string, state: string) => {
    if (!STATES.has(state)) throw new RangeError(`Cannot ${what}: state "${state}" is unknown`);
  };

  const reports = createReports(db, (name) => ids.get(name), () => {
    open("read reports");
    flushForRead();
  });

  return {
    ...reports,
    getMeta(key) {
      open(`read setting "${key}"`);
      return meta.has(key) ? meta.get(key) : reports.getMeta(key);
    },
    setMeta(key, value) {
      open(`write setting "${key}"`);
      meta.set(key, value);
      queuedSince ??= now();
      // Written before returning unless writes are already failing (then the timer retries,
      // and a second wait on the lock here would only block the event loop again).
      if (failures === 0) autoFlush();
      else schedule();
    },
    ensureStream(name, kind) {
      open(`add stream "${name}"`);
      return ensureStream(name, kind);
    },
    recordCheck(name, check) {
      const what = `record a check of "${name}"`;
      open(what);
      validTs(what, check.ts);
      validState(what, check.state);
      let det = JSON.stringify(check.details ?? {});
      if (det.includes("@")) det = JSON.stringify(check.details, maskValue);
      checks.push({
        id: ensureStream(name),
        ts: Math.round(check.ts),
        ok: check.ok ? 1 : 0,
        state: check.state,
        lat: Number.isFinite(check.latencyMs) ? check.latencyMs : null,
        msg: mask(String(check.message ?? "")),
        det,
      });
      enqueued();
    },
    recordStateChange({ name, from, to, ts, cause }) {
      const what = `record the state change of "${name}"`;
      open(what);
      validTs(what, ts);
      validState(what, from);
      validState(what, to);
      if (from === to) return;
      changes.push({ id: ensureStream(name), to, ts: Math.round(ts), cause: mask(String(cause)) });
      enqueued();
    },
    flush() {
      open("flush");
      return flush();
    },
    history(name, query = {}) {
      open("read history");
      flushForRead();
      const id = ids.get(name);
      if (id === undefined) return [];
      return (st.history.all(id, ...range(query)) as Row[]).map(toCheck);
    },
    lastStates() {
      open("read states");
      flushForRead();
      const out = new Map<string, StoredState>();
      for (const r of st.streams.all() as Row[]) {
        const last = st.lastCheck.get(r.id as number) as Row | undefined;
        out.set(r.name as string, {
          state: r.state as StreamState,
          since: (r.state_since ?? r.created_at) as number,
          ...(r.kind ? { kind: r.kind as string } : {}),
          ...(last ? { last: toCheck(last) } : {}),
          failStreak: r.fail_streak as number,
        });
      }
      return out;
    },
    uptime({ since }) {
      open("read uptime");
      if (!Number.isFinite(since)) {
        throw new RangeError(`Cannot compute uptime: "since" is ${since}, not a time in ms`);
      }
      flushForRead();
      const firstHour = Math.floor(since / HOUR) * HOUR;
      const firstDay = Math.ceil(firstHour / DAY) * DAY;
      const out = new Map<string, Uptime>();
      for (const r of st.uptime.all(firstHour, firstDay) as Row[]) {
        const checks = r.checks as number;
        const ok = r.ok as number;
        out.set(r.name as string, { checks, ok, ratio: checks > 0 ? ok / checks : null });
      }
      return out;
    },
    incidents(name, query = {}) {
      open("read incidents");
      flushForRead();
      const id = ids.get(name);
      if (id === undefined) return [];
      const [from, to, limit] = range(query);
      const t = now();
      return (st.incidents.all(id, to, from, limit) as Row[]).map((r) => ({
        id: r.id as number,
        name,
        state: r.state as "down" | "degraded",
        start: r.started_at as number,
        end: r.ended_at as number | null,
        durationMs: ((r.ended_at ?? t) as number) - (r.started_at as number),
        cause: r.cause as string,
        endCause: r.end_cause as string | null,
      }));
    },
    firstCheckAt(name) {
      open("read the first check");
      flushForRead();
      const id = ids.get(name);
      if (id === undefined) return undefined;
      return ((st.firstCheck.get(id) as Row).t as number | null) ?? undefined;
    },
    streamNames() {
      open("list streams");
      return [...ids.keys()].sort();
    },
    health() {
      open("read health");
      const size = db.prepare(
        "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()",
      )
        .get() as Row;
      return {
        path,
        journalMode,
        userVersion: schemaVersion(db),
        sizeBytes: size.n as number,
        queued: checks.length + changes.length + meta.size,
        writeError,
        oldestQueuedAgeMs: queuedSince === undefined ? null : Math.max(0, now() - queuedSince),
      };
    },
    async prune(opts = {}) {
      open("prune");
      const retention = positive("retentionDays", opts.retentionDays ?? 30, 1 / 24);
      const rollupDays = positive("rollupDays", opts.rollupDays ?? 400, 365);
      const batch = Math.floor(positive("batchSize", opts.batchSize ?? 500, 1));
      const t = now();
      const result: PruneResult = { checks: 0, rollups: 0, incidents: 0, aborted: false };
      const streamIds = [...ids.values()];
      const steps = [
        ["checks", st.pruneChecks, t - retention * DAY],
        ["rollups", st.pruneHours, t - rollupDays * DAY],
        ["rollups", st.pruneDays, t - rollupDays * DAY],
        ["incidents", st.pruneIncidents, t - rollupDays * DAY],
      ] as const;
      for (const [key, stmt, cutoff] of steps) {
        for (const id of streamIds) {
          while (true) {
            if (closed || opts.signal?.aborted) return { ...result, aborted: true };
            const n = Number(stmt.run(id, cutoff, batch).changes);
            result[key] += n;
            if (n === 0) break;
            // Yield after every real batch so queued checks flush and requests are served.
            await new Promise((r) => setTimeout(r, 0));
            if (n < batch) break;
          }
        }
      }
      return result;
    },
    close() {
      if (closed) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      let error: unknown;
      try {
        flush();
      } catch (err) {
        error = err;
      }
      closed = true;
      db.close();
      if (error) {
        throw new Error(`Closing the store "${path}" lost queued writes: ${error}`, {
          cause: error,
        });
      }
    },
  };
}
