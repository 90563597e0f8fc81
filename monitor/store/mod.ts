/** The public face of monitor/store/: the Store interface, its records, the opener, retention. */

export { incidentEntry } from "./incident.ts";
export type { IncidentEntry } from "./incident.ts";
export { isPostgresStore, openStore, openStoreFor } from "./open.ts";
export type { StoreTarget } from "./open.ts";
export { openPostgresStore } from "./postgres/mod.ts";
export type { CurrentRow, PostgresStore, PostgresStoreDeps } from "./postgres/mod.ts";
export { createRetentionTask } from "./retention.ts";
export type { RetentionOptions } from "./retention.ts";
export type {
  AttemptRecord,
  Awaitable,
  DeliveryLogRow,
  ExportRow,
  Incident,
  Mute,
  NewOutboxItem,
  OutboxChannelStats,
  OutboxItem,
  OutboxStats,
  PruneOptions,
  PruneResult,
  RangeQuery,
  RollupRow,
  StateChange,
  Store,
  StoreAlerts,
  StoreDeps,
  StoredState,
  StoreHealth,
  StoreLogger,
  StoreMeta,
  StoreReads,
  StoreReports,
  StoreWrites,
  SyncStore,
  Uptime,
} from "./types.ts";
