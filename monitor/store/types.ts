/** The Store interface the program uses and the records it reads and writes, backend-neutral. */

import type { CheckRecord, StreamState } from "../types.ts";

/** A value now (SQLite) or later (PostgreSQL): callers always `await` it. */
export type Awaitable<T> = T | Promise<T>;

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
  /** Who acknowledged it and when (ackIncident), or null while nobody did. */
  ack: { ts: number; note: string } | null;
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
  /** Days of rollups, closed incidents and the delivery log kept (default 400, at least 365). */
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
   *
   * `id` is the stream's stable `id:` from the config (1–64 of `A-Za-z0-9_-`; RangeError else),
   * and it wins over the name: the stream already holding `id` under another name is renamed to
   * `name`, and its checks, incidents, rollups and mute follow it; without such a stream, the
   * stream `name` takes the id (so existing history is adopted the first time ids are used). When
   * `name` is held by another stream (one without this id), that stream's history is never
   * merged or dropped: it moves aside to `<name> (old)` (`(old 2)`, … when taken) and a warning
   * is logged. Written at once, not queued: reads right after see the new name.
   */
  ensureStream(name: string, kind?: string, id?: string): void;
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
  history(name: string, query?: RangeQuery): Awaitable<CheckRecord[]>;
  /** State, since, last check and fail streak of every stream ever seen, by name. */
  lastStates(): Awaitable<Map<string, StoredState>>;
  /**
   * Uptime of every stream from the rollups since `since`: the hour holding `since` counts whole,
   * and the current hour counts as far as it goes.
   */
  uptime(query: { since: number }): Awaitable<Map<string, Uptime>>;
  /** Incidents overlapping the window, newest first; [] for an unknown name. */
  incidents(name: string, query?: RangeQuery): Awaitable<Incident[]>;
  /** Every stream name ever seen (config removals keep theirs), sorted. */
  streamNames(): Awaitable<string[]>;
  /**
   * When the stream's history begins: its first check, to the hour once raw checks are pruned
   * (hour rollups outlive them); undefined for an unknown or never-checked stream.
   */
  firstCheckAt(name: string): Awaitable<number | undefined>;
}

/** Reports for charts and the CSV export. */
export interface StoreReports {
  /** Hourly rollups of a stream whose hour starts in [from, to], oldest first. */
  rollups(name: string, q: { from: number; to: number }): Awaitable<RollupRow[]>;
  /**
   * Checks in [from, to] of the named streams (all when omitted), per stream then by time: a lazy
   * iterator, so an export runs in constant memory.
   */
  exportChecks(
    q: { names?: string[]; from: number; to: number },
  ): Iterable<ExportRow> | AsyncIterable<ExportRow>;
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

/** Where an alert waits for one channel, in the outbox (one row per alert key and channel). */
export interface OutboxItem {
  /** Row id, stable. */
  id: number;
  /** The alert's dedupe key (Alert.key). */
  key: string;
  /** The channel's configured name. */
  channel: string;
  /** The Alert, as JSON. */
  alert: string;
  /** When it was queued, ms since the epoch. */
  createdAt: number;
  /** Delivery attempts made so far. */
  attempts: number;
  /** When it is due next, ms since the epoch (meaningful while pending). */
  nextAttemptAt: number;
  /** Pending until the provider accepted it (sent) or the outbox gave up (failed). */
  status: "pending" | "sent" | "failed";
  /** The provider's last answer (credentials masked), null before the first attempt. */
  lastAnswer: string | null;
}

/** What enqueueAlerts() takes per alert and channel. */
export interface NewOutboxItem {
  /** The alert's dedupe key; (key, channel) is unique. */
  key: string;
  /** The channel's configured name. */
  channel: string;
  /** The Alert, as JSON. */
  alert: string;
  /** The alert's event (down, degraded, resolved, reminder), copied into the delivery log. */
  event: string;
  /** The stream (or group title) the alert is about, copied into the delivery log. */
  stream: string;
}

/** One row of the delivery log: an attempt, or a give-up without one (channel removed, dropped). */
export interface DeliveryLogRow {
  /** Row id. */
  id: number;
  /** The outbox item (the item may be pruned before its log rows). */
  outboxId: number;
  /** The alert's key. */
  key: string;
  /** The channel's name. */
  channel: string;
  /** When the attempt began, ms since the epoch. */
  ts: number;
  /** Which attempt (1 for the first); a give-up without sending repeats the count so far. */
  attempt: number;
  /** Whether the provider accepted it. */
  ok: boolean;
  /** The HTTP or SMTP status, when one came. */
  status: number | null;
  /** The provider's answer or the error (credentials masked, at most ~300 characters). */
  answer: string;
  /** The alert's event. */
  event: string;
  /** The alert's stream (or group title). */
  stream: string;
}

/** What recordAttempt() writes. */
export interface AttemptRecord {
  /** When the attempt began, ms since the epoch. */
  ts: number;
  /** The provider accepted it: the item becomes sent. */
  ok: boolean;
  /** The HTTP or SMTP status, when one came. */
  status: number | null;
  /** The provider's answer or the error (credentials are masked again here). */
  answer: string;
  /** When to try again; null once sent or given up. */
  nextAttemptAt: number | null;
  /** Given up: the item becomes failed. */
  failed: boolean;
  /** False for a give-up without sending (the attempt count stays); default true. */
  attempted?: boolean;
}

/** Outbox figures for the health endpoint and the dispatcher's loop. */
export interface OutboxStats {
  /** Items waiting to be sent. */
  pending: number;
  /** Items given up on in the 24 hours before `now`. */
  failed: number;
  /** When the oldest pending item was queued, or null when none waits. */
  oldestPendingAt: number | null;
  /** Per channel that has pending items, recent failures or any recorded attempt. */
  byChannel: Record<string, OutboxChannelStats>;
}

/** One channel's part of {@link OutboxStats}. */
export interface OutboxChannelStats {
  /** Items waiting to be sent. */
  pending: number;
  /** Items given up on in the 24 hours before `now`. */
  failed: number;
  /** The answer of the newest failed attempt, while no attempt succeeded after it; else null. */
  lastError: string | null;
  /** When the provider last accepted an alert, or null. */
  lastOkAt: number | null;
  /** The earliest nextAttemptAt of the pending items, or null when none waits. */
  nextAttemptAt: number | null;
}

/** A stream whose alerts are muted until a time. */
export interface Mute {
  /** Stream name. */
  name: string;
  /** Muted until, ms since the epoch. */
  until: number;
  /** Why (at most 1,000 characters). */
  note: string;
}

/**
 * Alerting's durable state: the outbox (one item per alert and channel), the delivery log,
 * incident acknowledgements and mutes. Unlike StoreWrites, every write here goes to the database
 * before returning, in its own transaction, and throws when the database refuses it: an alert
 * must survive a kill -9 right after it was queued, and the caller must know when it did not.
 */
export interface StoreAlerts {
  /**
   * Queues items at once. A (key, channel) already queued (in any status) is ignored. Beyond
   * `maxPending` pending items (default 50,000) the oldest pending ones become failed with a
   * "dropped: outbox full" row in the delivery log. Returns how many were new and how many dropped.
   * Queued state changes are written first, so an alert is never durable before the state
   * change it reports (a restart then resumes the same outage and its keys).
   */
  enqueueAlerts(
    items: NewOutboxItem[],
    now: number,
    opts?: { maxPending?: number },
  ): Awaitable<{ added: number; dropped: number }>;
  /**
   * Pending items whose nextAttemptAt ≤ now, oldest (first queued) first, at most `limit`
   * (1…10,000); only those of `channel` when given.
   */
  dueAlerts(now: number, limit: number, opts?: { channel?: string }): Awaitable<OutboxItem[]>;
  /**
   * Records one attempt as a row of the delivery log and sets the item's new status, attempt
   * count, next attempt and last answer, in one transaction. Throws for an unknown id.
   */
  recordAttempt(id: number, a: AttemptRecord): Awaitable<void>;
  /** The delivery log, newest first, in the window (default limit 100); one channel's when given. */
  deliveries(q?: RangeQuery & { channel?: string }): Awaitable<DeliveryLogRow[]>;
  /** Pending and recently failed counts, the oldest pending item, and the same per channel. */
  outboxStats(now: number): Awaitable<OutboxStats>;
  /**
   * Acknowledges an incident by id (again: the newer note wins). Writes queued state changes
   * first, so an incident just recorded exists. Throws RangeError for a note over 1,000
   * characters; false for an unknown id.
   */
  ackIncident(id: number, note: string, ts: number): Awaitable<boolean>;
  /** The incident with this id, or undefined. */
  incident(id: number): Awaitable<Incident | undefined>;
  /** Mutes a stream's alerts until `until` (ms), or removes its mute (null). Note ≤ 1,000 chars. */
  setMute(name: string, until: number | null, note: string): Awaitable<void>;
  /** Mutes still in force at `now`, by name. */
  mutes(now: number): Awaitable<Mute[]>;
}

/**
 * The store the program uses: main.ts opens one, the engine, the dashboard, the API, MQTT, SLA
 * and the retention task each take the slice they need. Nothing here names a backend.
 *
 * Sync or async: reads, reports and alerting return {@link Awaitable} values, so one interface
 * fits node:sqlite (answers at once) and PostgreSQL (a round trip); every caller awaits them.
 * Writes (StoreWrites, setMeta) stay synchronous in both: they go into a queue. getMeta and
 * health() are served from memory in both (PostgreSQL loads settings at open and keeps them
 * current with its own writes).
 */
export interface Store extends StoreWrites, StoreReads, StoreReports, StoreMeta, StoreAlerts {
  /**
   * Incidents of every stream overlapping [from, to] (default: all time), newest start first, at
   * most `limit` (default 100, 1…10,000) after skipping `offset` (default 0, at most 100,000):
   * only those in `state`, of the named streams (`names: []` finds none; unknown names none) and,
   * with `open`, still lasting. Served from the start and end indexes, not a scan of every stream.
   * Throws RangeError for a bound that is not a time.
   */
  allIncidents(
    q?: RangeQuery & {
      state?: "down" | "degraded";
      names?: string[];
      open?: boolean;
      offset?: number;
    },
  ): Awaitable<Incident[]>;
  /** Path, journal mode, schema version, size, queue length and the last write error. */
  health(): StoreHealth;
  /**
   * Deletes old raw checks, then old rollups, incidents, sent and failed outbox items and
   * delivery log rows (the rollup horizon) and expired mutes, in small batches between yields.
   */
  prune(opts?: PruneOptions): Promise<PruneResult>;
  /**
   * Writes what is queued, stops the timers and closes the database. Later calls do nothing.
   * Throws (rejects), after closing, when the queued writes could not be written. SQLite closes
   * synchronously; PostgreSQL resolves once its last flush is answered.
   */
  close(): void | Promise<void>;
}

/** A method of the Store with its answer now: `Awaitable<T>` becomes `T` (the async forms go). */
type AnswerNow<F> = F extends (...args: infer A) => infer R
  ? (...args: A) => [R] extends [Promise<unknown>] ? R // always async (prune): stays a Promise
    : Exclude<R, Promise<unknown> | AsyncIterable<unknown>>
  : F;

/**
 * The Store as a backend that answers at once (SQLite) offers it: every read a plain value, so
 * its own tests and tools need no `await`. Assignable to {@link Store}.
 */
export type SyncStore = { [K in keyof Store]: AnswerNow<Store[K]> };
