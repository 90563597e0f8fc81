/** The public face of monitor/store/sqlite/: the node:sqlite backend of the Store interface. */

export { openSqliteStore } from "./open.ts";
export type { SqliteStore, SqliteStoreDeps } from "./open.ts";
