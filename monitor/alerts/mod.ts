/** The public face of monitor/alerts/: decided alerts, channels, the outbox and the alerts task. */

export type {
  Alert,
  AlertEvent,
  AlertStream,
  Attachment,
  Channel,
  DeliveryResult,
  RenderedMessage,
  SendContext,
} from "./types.ts";
export { createAlertsTask } from "./task.ts";
export type { AlertCounts, AlertsTask, AlertsTaskDeps } from "./task.ts";
export { maintenanceIntervals, windowInForce } from "./maintenance.ts";
export { hostKey } from "./host_key.ts";
export { alertVariables, renderAlert } from "./template.ts";
