/**
 * The shapes every part of alerting shares: the alert the engine decides, the message a
 * channel sends, and the one interface each channel (one file each in channels/) implements.
 */

import type { ChannelConfig, ChannelType } from "../config/mod.ts";
import type { Alert } from "../types.ts";

// The alert itself is a core shape (the bus carries it): it lives in monitor/types.ts.
export type { Alert, AlertEvent, AlertStream } from "../types.ts";

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
