/** The process's health for /api/health: tasks, config, database, stream counts, MQTT and media. */

import type { TaskHealth } from "./supervisor.ts";
import { STREAM_STATES, type StreamState } from "./types.ts";

/** What {@link createHealth} reads; each is called on every request, so the answer is live. */
export interface HealthDeps {
  /** Reported as `version`. */
  version: string;
  /** The supervisor's tasks; any task not `running` makes the process unhealthy. */
  tasks: () => Record<string, TaskHealth>;
  /**
   * The store's health. A `writeError` (locked, disk full) makes the process unhealthy, and so
   * does a throw (the database cannot even answer).
   */
  db: () => { writeError: string | null };
  /** The state of every stream checked so far. */
  statuses: () => Iterable<{ state: StreamState }>;
  /** How many streams the config in force has. */
  streamCount: () => number;
  /** The config holder's state (file in force, last error, problems). Never affects `ok`. */
  config: () => unknown;
  /** The MQTT output's state: a broker outage shows here but never makes the process unhealthy. */
  mqtt: () => unknown;
  /**
   * The media task's counters and its process pool, with `overdue`: streams whose media checks do
   * not keep their `media_check_seconds` right now. Never affects `ok`: the program is running,
   * and says so here, in /metrics and on each stream.
   */
  media: () => MediaHealthSummary;
  /**
   * The alert outbox: pending and failed deliveries, per channel with its last error. A failing
   * provider shows here but never makes the process unhealthy (absent: alerting not built).
   */
  alerts?: () => unknown;
  /**
   * The fleet's view (nodes, owners, lag) when this node shares a database with others; absent
   * for a single node. Never affects `ok`: a fenced node is running and says so here.
   */
  fleet?: () => unknown;
}

/** What /api/health's `media` holds at least (the media task adds its other counters). */
export interface MediaHealthSummary {
  /** Streams whose media checks are overdue now. */
  overdue: number;
}

/** How many streams are in each state. */
export type StateCounts = Record<StreamState, number>;

/** The body of /api/health. */
export interface HealthReport extends Record<string, unknown> {
  /** False when a task is not running or store writes fail. */
  ok: boolean;
  version: string;
  tasks: Record<string, TaskHealth>;
  config: unknown;
  db: Record<string, unknown>;
  streams: { total: number } & StateCounts;
  mqtt: unknown;
  /** The media task's counters, `overdue` among them ({@link MediaHealthSummary}). */
  media: unknown;
  /** The alert outbox (pending, failed, per channel); absent without alerting. */
  alerts?: unknown;
  /** Nodes, owners and lag of the fleet; absent for a single node. */
  fleet?: unknown;
}

/** Creates the function /api/health serves. */
export function createHealth(deps: HealthDeps): () => HealthReport {
  return () => {
    const tasks = deps.tasks();
    let db: Record<string, unknown>;
    let dbOk: boolean;
    try {
      const h = deps.db();
      db = { ...h };
      dbOk = h.writeError === null;
    } catch (err) {
      dbOk = false;
      db = { error: String(err) };
    }
    const counts = Object.fromEntries(STREAM_STATES.map((s) => [s, 0])) as StateCounts;
    for (const s of deps.statuses()) counts[s.state]++;
    return {
      ok: dbOk && Object.values(tasks).every((t) => t.state === "running"),
      version: deps.version,
      tasks,
      config: deps.config(),
      db,
      streams: { total: deps.streamCount(), ...counts },
      mqtt: deps.mqtt(),
      media: deps.media(),
      ...(deps.alerts ? { alerts: deps.alerts() } : {}),
      ...(deps.fleet ? { fleet: deps.fleet() } : {}),
    };
  };
}
