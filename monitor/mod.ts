/** The public face of monitor/: what code outside the folder may import. */

export { delay } from "./async.ts";
export { createBus } from "./bus.ts";
export type { Bus, BusEvents } from "./bus.ts";
export { createHealth } from "./health.ts";
export type { HealthDeps, HealthReport } from "./health.ts";
export { createLogger, parseLogLevel } from "./log.ts";
export type { Logger } from "./log.ts";
export { createMetrics } from "./metrics_registry.ts";
export type { MetricFamily, Metrics, Sample } from "./metrics_registry.ts";
export { createMonitor } from "./monitor.ts";
export type { Monitor } from "./monitor.ts";
export { clipText, maskUrl, redactText } from "./redact.ts";
export { createSupervisor } from "./supervisor.ts";
export { formatInZone, formatInZoneMs, parseQueryTime } from "./time.ts";
export { PROBE_KINDS, STREAM_STATES } from "./types.ts";
export type { CheckRecord, ProbeKind, StreamConfig, StreamState, StreamStatus } from "./types.ts";
