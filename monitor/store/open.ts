/** Opens the program's store: the one place that picks a backend. */

import { openSqliteStore } from "./sqlite/mod.ts";
import type { Store, StoreDeps } from "./types.ts";

/**
 * Opens the store main.ts and the CLI use: SQLite at `path` (created if needed, migrated, the
 * Python 2.2 history imported once). The fleet issue picks PostgreSQL here for a `database:` URL;
 * callers only ever see {@link Store}. Throws naming the path when it cannot be opened.
 */
export function openStore(path: string, opts: StoreDeps = {}): Store {
  return openSqliteStore(path, opts);
}
