/** The Store interface the program uses and the records it reads and writes, backend-neutral. */

import type { CheckRecord, StreamState } from "../types.ts";

/** Where a store reports migrations, imports and write trouble. */
export interface StoreLogger {
  /** Normal events (a migration applied, history imported, writes recovered). */
  info(msg: string): void;
  /** Trouble that does not stop the store (a failed background flush that will be retried). */
  warn(msg: string): void;
}

/** Options every backend's opener takes (a backend adds its own, e.g. SQLite's busy timeout). */
export interface StoreDeps {
  /** Clock in ms since the epoch (open incidents' duration, retention cut-offs, created_at). */
  now?: () => number;
  /** How long a recorded check may wait in memory before the background flush (default 200). */
  flushIntervalMs?: number;
  /** Queue length that triggers an immediate flush (default 500). */
  maxBatch?: number;
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
  /** Length so far (until the store's now() while open). */
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

/** A time window and row limit for history() and incidents(), the one shape every caller uses. */
export interface RangeQuery {
  /** Inclusive lower bound, ms since the epoch. */
  from?: number;
  /** Inclusive upper bound, ms since the epoch. */
  to?: number;
  /** Rows returned, newest first: default 100, at most 10,000. */
  limit?: number;
}

/** One hour of one stream, from the rollups. */
export interface RollupRow {
  /** Start of the hour, ms since the epoch (UTC). */
  hour: number;
  /** Checks in the hour. */
  checks: number;
  /** Passed checks in the hour. */
  ok: number;
  /** Latency over the passed checks of the hour, ms; null when none passed. */
  latMin: number | null;
  /** Mean latency over the passed checks, ms; null when none passed. */
  latAvg: number | null;
  /** Highest latency over the passed checks, ms; null when none passed. */
  latMax: number | null;
}

/** One exported check. */
export interface ExportRow {
  /** Stream name. */
  name: string;
  /** When the check ran, ms since the epoch. */
  ts: number;
  /** Whether it passed. */
  ok: boolean;
  /** The state the check reported. */
  state: string;
  /** Latency in ms; null when none was measured. */
  latencyMs: number | null;
  /** The check's message (credentials masked when it was recorded). */
  message: string;
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

/** Facts for the health endpoint (its `db` object); the field names are part of /api/health. */
export interface StoreHealth {
  /** Where the data lives, as given to the opener (a file path for SQLite). */
  path: string;
  /** How the backend journals writes ("wal" for SQLite files, "memory" for :memory:). */
  journalMode: string;
  /** Schema version: the number of the last migration applied. */
  userVersion: number;
  /** Size of the stored data in bytes (for SQLite page_count × page_size, the WAL not included). */
  sizeBytes: number;
  /** Checks, state changes and settings (setMeta) waiting for the next flush. */
  queued: number;
  /** Why the last write failed ("database is locked", "database or disk is full"); null once a write succeeds. */
  writeError: string | null;
  /** How long the oldest queued write has waited, ms; null when nothing is queued. */
  oldestQueuedAgeMs: number | null;
}

/**
 * Writes: queued in memory and flushed in one transaction per batch, so they never wait for the
 * database and never throw for a database that refuses them (the batch stays queued, is retried
 * with backoff and health() reports the failure). They throw only for a bad argument.
 */
export interface StoreWrites {
  /**
   * Registers a stream (a kind, a ProbeKind name kept as text so a kind dropped from the code still
   * reads back, is remembered). No URL is stored. Backend ids stay inside the backend.
   */
  ensureStream(name: string, kind?: string): void;
  /**
   * Queues one check (cheap: no I/O). Credentials in URLs inside message and details are masked.
   * Throws RangeError for an invalid ts or state, TypeError for details JSON cannot hold.
   */
  recordCheck(name: string, check: CheckRecord): void;
  /** Queues a state change: closes the open incident, opens one for down/degraded. */
  recordStateChange(change: StateChange): void;
}

/** Reads. Every read first writes what is queued, so it sees every recorded check. */
export interface StoreReads {
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
}

/** Reports for charts and the CSV export. */
export interface StoreReports {
  /** Hourly rollups of a stream whose hour starts in [from, to], oldest first. */
  rollups(name: string, q: { from: number; to: number }): RollupRow[];
  /**
   * Checks in [from, to] of the named streams (all when omitted), per stream then by time: a lazy
   * iterator, so an export runs in constant memory.
   */
  exportChecks(q: { names?: string[]; from: number; to: number }): Iterable<ExportRow>;
}

/** Small settings (the admin password hash, sign-in sessions). */
export interface StoreMeta {
  /** A setting's value; a value still queued for writing is returned too. */
  getMeta(key: string): string | undefined;
  /**
   * Stores a setting, written at once while writes work; a write the database refuses is kept and
   * retried with the checks, never thrown (sign-in must not fail because another writer holds
   * the lock).
   */
  setMeta(key: string, value: string): void;
}

/**
 * The store the program uses: main.ts opens one, the engine, the dashboard, the API, MQTT, SLA
 * and the retention task each take the slice they need. Nothing here names a backend.
 *
 * Sync or async: the interface is synchronous, as today's only backend (node:sqlite) is, and
 * every caller (page renders, the uptime caches, the SLA report, sessions) calls it in line.
 * What a PostgreSQL backend can keep synchronous, and why:
 * - writes (StoreWrites, setMeta) are already fire-and-forget into a queue;
 * - getMeta, streamNames, lastStates (read once at start) and health are served from memory,
 *   loaded by an async open and kept current by the backend's own writes;
 * - prune() is async already.
 * What it cannot: StoreReads' history/incidents/uptime/firstCheckAt and StoreReports need a round
 * trip, and close() must wait for the last flush. The fleet issue turns those into
 * `Promise<…>` (and exportChecks into an AsyncIterable); their callers are route handlers (async
 * already) and the uptime/SLA caches (which then refresh in the background). Until then the
 * interface stays synchronous rather than pretending: a `T | Promise<T>` return would make every
 * caller await anyway.
 */
export interface Store extends StoreWrites, StoreReads, StoreReports, StoreMeta {
  /** Path, journal mode, schema version, size, queue length and the last write error. */
  health(): StoreHealth;
  /** Deletes old raw checks, then old rollups and incidents, in small batches between yields. */
  prune(opts?: PruneOptions): Promise<PruneResult>;
  /**
   * Writes what is queued, stops the timers and closes the database. Later calls do nothing.
   * Throws, after closing, when the queued writes could not be written.
   */
  close(): void;
}
