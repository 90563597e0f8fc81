/** What the parts of the SQLite store share: the database, the clock, the logger, stream ids. */

import type { DatabaseSync } from "node:sqlite";
import type { StoreLogger } from "../types.ts";
import type { StreamIds } from "./stream_ids.ts";

/** A row as node:sqlite returns it. */
export type Row = Record<string, unknown>;

/**
 * Built once by openSqliteStore() and passed to each part (queue, queries, reports, meta,
 * retention), so they share one connection and one name → id map without module state. Each part
 * prepares its own statements on `db`.
 */
export interface SqliteContext {
  /** The open connection. */
  db: DatabaseSync;
  /** The path given to openSqliteStore(), for messages and health. */
  path: string;
  /** Clock in ms since the epoch. */
  now: () => number;
  /** Where trouble is reported. */
  log: StoreLogger;
  /** Stream row ids by name (and by config id). */
  streams: StreamIds;
  /** Throws `Cannot <what>: the store "<path>" is closed` once close() ran. */
  assertOpen(what: string): void;
  /** True once close() ran (prune stops between batches). */
  closed(): boolean;
}
