/**
 * The shapes every part of alerting shares: the alert the engine decides, the message a
 * channel sends, and the one interface each channel (one file each in channels/) implements.
 */

import type { ChannelConfig, ChannelType } from "../config/alerts_types.ts";
import type { StreamState } from "../types.ts";

/** What happened: an outage began (down/degraded), ended (resolved), or still lasts (reminder). */
export type AlertEvent = "down" | "degraded" | "resolved" | "reminder";

/** One stream inside an alert (a grouped alert lists several). */
export interface AlertStream {
  name: string;
  /** The stream's state when the alert was decided ("up" in a recovery). */
  state: StreamState;
  /** Why (the confirming check's message; credentials already masked). */
  cause: string;
  /** When the outage began, ms since the epoch. */
  since: number;
  tags: string[];
  site?: string;
}

/** One decided alert, before it is rendered for a channel. JSON-serialisable (kept in the outbox). */
export interface Alert {
  /**
   * Dedupe key, unique per outage and event: `<stream or group>@<outage start ms>:<event>`
   * (reminders add `#<n>`). The outbox sends each key at most once per channel.
   */
  key: string;
  event: AlertEvent;
  /** The stream the alert is about; for a grouped alert its title (the parent, or host:port). */
  stream: string;
  /** The state it reports (the worst of a group; "up" in a recovery). */
  state: StreamState;
  /** Why, for the lead stream. */
  cause: string;
  /** When the outage began, ms since the epoch. */
  since: number;
  /** When the alert was decided, ms since the epoch. */
  ts: number;
  /** Every stream the alert covers, the lead first (one for a plain alert). */
  streams: AlertStream[];
  /** Set for an alert that folds several streams: by `parent:` or by host:port. */
  group?: { by: "parent" | "host"; key: string };
  /** The acknowledgement note, once someone acknowledged the incident. */
  note?: string;
  /** Links for messages: absolute when `alerts.base_url` is set, else absent. */
  links: { dashboard?: string; stream?: string; failureSnapshot?: string; lastSnapshot?: string };
}

/** A file sent with an alert (the evidence of a degraded picture). */
export interface Attachment {
  /** "failure" (the frame that failed the check) or "last" (the last good one). */
  role: "failure" | "last";
  filename: string;
  contentType: "image/jpeg";
  bytes: Uint8Array;
}

/** An alert rendered by the templates: what a person reads. */
export interface RenderedMessage {
  title: string;
  body: string;
}

/** What one delivery attempt got from the provider. Never thrown: failures are results. */
export interface DeliveryResult {
  ok: boolean;
  /** The HTTP or SMTP status, when one came. */
  status?: number;
  /** The provider's answer (or the network error), clipped to 300 characters, credentials masked. */
  answer: string;
  /** From a 429/503 Retry-After (seconds or a date), in ms. */
  retryAfterMs?: number;
  /** True when retrying cannot help (e.g. 400/401/403/404): the outbox gives up at once. */
  permanent?: boolean;
}

/** Everything one send needs besides the alert; passed in so tests and the outbox control it. */
export interface SendContext {
  /** Ends the attempt (the outbox's per-attempt timeout, or shutdown). */
  signal: AbortSignal;
  /** The title and body the templates made for this channel. */
  message: RenderedMessage;
  /** Evidence to attach where the channel takes files; may be empty. */
  attachments: Attachment[];
  /** HTTP (default globalThis.fetch). */
  fetch: typeof fetch;
}

/** One notification service. One implementation per file in channels/. */
export interface Channel {
  readonly type: ChannelType;
  /** The channel's configured name. */
  readonly name: string;
  /** Sends one alert; resolves with the provider's answer, never hangs past `ctx.signal`. */
  send(alert: Alert, ctx: SendContext): Promise<DeliveryResult>;
}

/** Builds the channel of a config entry. */
export type ChannelFactory = (config: ChannelConfig) => Channel;
