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
