/** The public face of monitor/store/postgres/: schema and migrations, writer, reads, current state. */

export { checkNumbering, migratePostgres, MIGRATION_LOCK_KEY } from "./migrate.ts";
export type { PgMigrateOptions, PgMigrateResult, PgMigrationLogger } from "./migrate.ts";
export { POSTGRES_MIGRATIONS } from "./migrations.ts";
export type { PgMigration } from "./migrations.ts";
export { createPgAlerts, DEFAULT_CLAIM_MS } from "./alerts.ts";
export type { PgAlertDeps } from "./alerts.ts";
export { createPgReads } from "./reads.ts";
export {
  CURRENT_CHANNEL,
  CURRENT_LOCK_KEY,
  CURRENT_PAGE,
  listenCurrent,
  readCurrent,
} from "./current.ts";
export type { CurrentRow } from "./current.ts";
export { writePgBatch } from "./batch.ts";
export type { PgBatch, PgBatchResult } from "./batch.ts";
export type { PgReadDeps } from "./reads.ts";
export { EXPORT_PAGE } from "./reports.ts";
export type {
  AsyncStoreAlerts,
  AsyncStoreQueries,
  AsyncStoreReads,
  IncidentLogQuery,
} from "./types.ts";
export { openPostgresStore, pgClientOptions } from "./store.ts";
export type { PostgresStore, PostgresStoreDeps } from "./store.ts";
export { createPgPrune } from "./prune.ts";
export { pgDisplayUrl, pgRedactor } from "./url.ts";
export { createPostgresWriter, PG_MAX_QUEUE } from "./writer.ts";
export type { PostgresWriter, PostgresWriterDeps } from "./writer.ts";
export { CONFIG_CHANNEL, createConfigDoc, openConfigDoc } from "./config_doc.ts";
export type { ConfigDocDeps, OpenConfigDoc } from "./config_doc.ts";
