/** Opens the SQLite store: checks the files, migrates, imports, and composes the parts. */

import { DatabaseSync } from "node:sqlite";
import type { StoreDeps, StoreLogger, SyncStore } from "../types.ts";
import { createAlerts } from "./alerts.ts";
import type { SqliteContext } from "./context.ts";
import { checkStoreFiles } from "./files.ts";
import { createIncidentLog } from "./incidents.ts";
import { importLegacy } from "./legacy_import.ts";
import { createMeta } from "./meta.ts";
import { applyPragmas, migrate, schemaVersion } from "./migrations.ts";
import { createQueries } from "./queries.ts";
import { createWriteQueue } from "./queue.ts";
import { createReports } from "./reports.ts";
import { createStreamIds } from "./stream_ids.ts";
import { createPrune } from "./retention.ts";

const noop = () => {};
const SILENT: StoreLogger = { info: noop, warn: noop };

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreDeps extends StoreDeps {
  /**
   * How long a write waits for another connection's lock (PRAGMA busy_timeout, default 1000).
   * The wait blocks the event loop, so it is short: a failed background flush keeps its batch.
   */
  busyTimeoutMs?: number;
}

/** The SQLite store: the {@link Store}, plus what only a synchronous embedded database can offer. */
export interface SqliteStore extends SyncStore {
  /** Registers the stream like Store.ensureStream() and returns its stable row id. */
  ensureStream(name: string, kind?: string, id?: string): number;
  /**
   * Writes everything queued in one transaction; returns how many items were written. Throws
   * when the write fails (e.g. locked past busy_timeout); the batch stays queued for a retry.
   */
  flush(): number;
}

/**
 * Opens (creating if needed) the store at `path` or in memory, applies the pragmas and the
 * migrations, imports the Python 2.2 history once, and starts nothing until a write is queued.
 * Throws naming the path when a file is not writable or the database cannot be opened.
 */
export function openSqliteStore(path: string, opts: SqliteStoreDeps = {}): SqliteStore {
  const now = opts.now ?? Date.now;
  const log = opts.logger ?? SILENT;
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
  let closed = false;
  const ctx: SqliteContext = {
    db,
    path,
    now,
    log,
    streams: createStreamIds(db, now, log),
    assertOpen(what) {
      if (closed) throw new Error(`Cannot ${what}: the store "${path}" is closed`);
    },
    closed: () => closed,
  };
  const queue = createWriteQueue(ctx, {
    flushIntervalMs: opts.flushIntervalMs ?? 200,
    maxBatch: opts.maxBatch ?? 500,
  });
  const size = db.prepare(
    "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()",
  );

  return {
    ...createQueries(ctx, queue.beforeRead),
    ...createIncidentLog(ctx, queue.beforeRead),
    ...createReports(ctx, queue.beforeRead),
    ...createMeta(ctx, queue),
    ...createAlerts(ctx, queue.beforeRead),
    prune: createPrune(ctx),
    ensureStream(name, kind, id) {
      ctx.assertOpen(`add stream "${name}"`);
      return ctx.streams.ensure(name, kind, id);
    },
    recordCheck: queue.recordCheck,
    recordStateChange: queue.recordStateChange,
    flush() {
      ctx.assertOpen("flush");
      return queue.flush();
    },
    health() {
      ctx.assertOpen("read health");
      return {
        path,
        journalMode,
        userVersion: schemaVersion(db),
        sizeBytes: (size.get() as { n: number }).n,
        ...queue.stats(),
      };
    },
    close() {
      if (closed) return;
      queue.stop();
      let error: unknown;
      try {
        queue.flush();
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
