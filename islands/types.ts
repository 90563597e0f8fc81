/** Serializable shapes shared by the server pages, the event stream and the islands. */

// Type-only on purpose: the bundler erases it, so no server code reaches the browser, while the
// compiler holds every `Record<State, …>` here to the server's one list (tests/islands/ checks
// that islands import nothing else from outside).
import type { StreamState } from "../monitor/mod.ts";

/** A stream's state as the dashboard shows it: the server's {@link StreamState}. */
export type State = StreamState;

/** One dashboard row: everything a table line, badge and sparkline need. */
export interface Row {
  name: string;
  state: State;
  enabled: boolean;
  kind: string;
  tags: string[];
  /** The stream's `site:`, if any. */
  site?: string;
  /**
   * The `host:port` its URL points at (never the URL: no credentials), "" when it has none;
   * what grouping by host and the host-outage banner key on.
   */
  host?: string;
  /** Latency of the last check in ms, null before the first or when it failed without one. */
  latencyMs: number | null;
  /** Time of the last check (ms since the epoch), null before the first. */
  lastTs: number | null;
  /** Since when `state` holds (ms since the epoch). */
  since: number;
  /** The last check's message (untrusted text: render as text only). */
  message: string;
  /**
   * Availability 0–1 over 24 h, 7 d and 30 d ("reachable": time-weighted, up or degraded, as
   * `uptime_24h` and `/api/sla`); 0 when checked but never up; null without data.
   */
  up24h: number | null;
  up7d: number | null;
  up30d: number | null;
  /** "Picture OK" 0–1 over the same windows (degraded time left out); absent or null: no data. */
  pic24h?: number | null;
  pic7d?: number | null;
  pic30d?: number | null;
  /** Latencies of the last checks, oldest first; null for failed checks. */
  spark: Array<number | null>;
  /** The last good picture judgement (ms since the epoch), null before one or without media. */
  verifiedAt: number | null;
  /**
   * From when the stream's media checks are overdue (ms since the epoch, compared with the
   * server's clock, so the cue appears on time without an event); null without media checks.
   */
  mediaOverdueAt: number | null;
  /** Why the latest media check could not judge the picture, else null (shown, never as "up"). */
  pictureProblem: string | null;
  /** When the last good and last failure snapshots were written (ms): their version; null: none. */
  snapLast?: number | null;
  snapFailure?: number | null;
}

/** Body of the `snapshot` event (sent on every connect). */
export interface SnapshotEvent {
  rows: Row[];
  /** Server time, so relative times do not depend on the browser's clock. */
  now: number;
}

/** Body of the `state` and `result` events: the rows that changed. */
export interface RowsEvent {
  rows: Row[];
  now: number;
}

/**
 * The states in display order, worst first. The order is the dashboard's own choice; that it
 * names every state exactly once is checked against the server's `STREAM_STATES` by a test.
 */
export const STATES: readonly State[] = ["down", "degraded", "up", "unknown"];
