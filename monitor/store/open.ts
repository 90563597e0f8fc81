/** Opens the program's store: the one place that picks a backend. */

import { openPostgresStore, type PostgresStore, type PostgresStoreDeps } from "./postgres/mod.ts";
import { openSqliteStore, type SqliteStore } from "./sqlite/mod.ts";
import type { Store, StoreDeps } from "./types.ts";

/**
 * Opens the store main.ts and the CLI use: SQLite at `path` (created if needed, migrated, the
 * Python 2.2 history imported once). Its answers are synchronous (a {@link SqliteStore}); the
 * program uses it as a Store, whose reads it awaits. Throws naming the path when it cannot be
 * opened.
 */
export function openStore(path: string, opts: StoreDeps = {}): SqliteStore {
  return openSqliteStore(path, opts);
}

/** Where the program's store lives: config.yaml's `database:` URL when set (fleet mode), else `db`. */
export interface StoreTarget {
  /** The SQLite file (or ":memory:"), used when `database` is absent. */
  db: string;
  /** A `postgres://user:pw@host:5432/db` URL: PostgreSQL, shared by the fleet's nodes. */
  database?: string;
}

/**
 * Opens SQLite at `target.db`, or — when `target.database` is set — awaits
 * {@link openPostgresStore} (connect, migrate, load settings); `deps.node` names this node in
 * what it writes and claims, the other PostgreSQL options are ignored by SQLite. Rejects naming
 * the file, or the URL without its credentials, when the store cannot be opened.
 */
export async function openStoreFor(
  target: StoreTarget,
  deps: PostgresStoreDeps = {},
): Promise<SqliteStore | PostgresStore> {
  if (target.database !== undefined && target.database !== "") {
    return await openPostgresStore(target.database, deps);
  }
  return openSqliteStore(target.db, deps);
}

/** True for a store {@link openStoreFor} opened on PostgreSQL (it has the shared `sql` pool). */
export function isPostgresStore(store: Store): store is PostgresStore {
  return "sql" in store && "current" in store;
}
