/** The async read side every backend can serve: StoreReads, StoreReports and StoreAlerts in Promises. */

import type { CheckRecord } from "../../types.ts";
import type {
  AttemptRecord,
  DeliveryLogRow,
  ExportRow,
  Incident,
  Mute,
  NewOutboxItem,
  OutboxItem,
  OutboxStats,
  RangeQuery,
  RollupRow,
  StoredState,
  Uptime,
} from "../types.ts";

/** Options of allIncidents(), as Store declares them. */
export type IncidentLogQuery = RangeQuery & {
  state?: "down" | "degraded";
  names?: string[];
  open?: boolean;
  offset?: number;
};

/**
 * StoreReads and StoreReports (plus Store.allIncidents) with Promise returns and exportChecks as
 * an AsyncIterable: same arguments, same semantics, same result shapes — what the PostgreSQL
 * parts implement; Store's Awaitable returns (../types.ts) accept them.
 */
export interface AsyncStoreQueries {
  /** Checks of a stream, newest first; [] for an unknown name. */
  history(name: string, query?: RangeQuery): Promise<CheckRecord[]>;
  /** State, since, last check and fail streak of every stream ever seen, by name. */
  lastStates(): Promise<Map<string, StoredState>>;
  /** Uptime from the rollups since `since` (its hour whole, the current hour as far as it goes). */
  uptime(query: { since: number }): Promise<Map<string, Uptime>>;
  /** Incidents overlapping the window, newest first; [] for an unknown name. */
  incidents(name: string, query?: RangeQuery): Promise<Incident[]>;
  /** Incidents of every stream overlapping the window, newest start first, filtered and paged. */
  allIncidents(q?: IncidentLogQuery): Promise<Incident[]>;
  /** Every stream name ever seen, sorted. */
  streamNames(): Promise<string[]>;
  /** The stream's first check (to the hour once pruned); undefined when unknown or never checked. */
  firstCheckAt(name: string): Promise<number | undefined>;
  /** Hourly rollups whose hour starts in [from, to], oldest first. */
  rollups(name: string, q: { from: number; to: number }): Promise<RollupRow[]>;
  /** Checks in [from, to] of the named streams (all when omitted), per stream then by time. */
  exportChecks(q: { names?: string[]; from: number; to: number }): AsyncIterable<ExportRow>;
}

/** StoreAlerts with Promise returns: each write committed before its Promise resolves. */
export interface AsyncStoreAlerts {
  /** Queues items; a (key, channel) already queued is ignored; beyond maxPending the oldest fail. */
  enqueueAlerts(
    items: NewOutboxItem[],
    now: number,
    opts?: { maxPending?: number },
  ): Promise<{ added: number; dropped: number }>;
  /**
   * Due pending items, oldest first, at most `limit` (1…10,000); a backend shared by several
   * nodes claims them, so two callers never get the same item while the claim lasts.
   */
  dueAlerts(now: number, limit: number, opts?: { channel?: string }): Promise<OutboxItem[]>;
  /** Logs one attempt and moves the item; rejects for an unknown id. */
  recordAttempt(id: number, a: AttemptRecord): Promise<void>;
  /** The delivery log, newest first, in the window (default limit 100); one channel's when given. */
  deliveries(q?: RangeQuery & { channel?: string }): Promise<DeliveryLogRow[]>;
  /** Pending and recently failed counts, the oldest pending item, and the same per channel. */
  outboxStats(now: number): Promise<OutboxStats>;
  /** Acknowledges an incident (the newer note wins); false for an unknown id. */
  ackIncident(id: number, note: string, ts: number): Promise<boolean>;
  /** The incident with this id, or undefined. */
  incident(id: number): Promise<Incident | undefined>;
  /** Mutes a stream's alerts until `until`, or removes its mute (null). */
  setMute(name: string, until: number | null, note: string): Promise<void>;
  /** Mutes still in force at `now`, by name. */
  mutes(now: number): Promise<Mute[]>;
}

/** Every read of the Store (reads, reports, alerting) as Promises: what the Store moves to. */
export type AsyncStoreReads = AsyncStoreQueries & AsyncStoreAlerts;
