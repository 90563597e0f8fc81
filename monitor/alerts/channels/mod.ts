/** The alert channels: one factory per notification service, and the one registry of them. */

import type { ChannelConfig, ChannelType } from "../../config/mod.ts";
import type { Channel } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { safeAnswer } from "./http.ts";
import { createDiscordChannel } from "./discord.ts";
import { createEmailChannel } from "./email.ts";
import { createGotifyChannel } from "./gotify.ts";
import { createMatrixChannel } from "./matrix.ts";
import { createNtfyChannel } from "./ntfy.ts";
import { createPushoverChannel } from "./pushover.ts";
import { createSlackChannel } from "./slack.ts";
import { createTeamsChannel } from "./teams.ts";
import { createTelegramChannel } from "./telegram.ts";
import { createWebhookChannel } from "./webhook.ts";

export type { ChannelDeps } from "./deps.ts";
export { MAX_ANSWER_BYTES, MAX_ANSWER_CHARS, parseRetryAfter, statusVerdict } from "./http.ts";
export {
  createDiscordChannel,
  createEmailChannel,
  createGotifyChannel,
  createMatrixChannel,
  createNtfyChannel,
  createPushoverChannel,
  createSlackChannel,
  createTeamsChannel,
  createTelegramChannel,
  createWebhookChannel,
};

type Factory<T extends ChannelType> = (
  config: Extract<ChannelConfig, { type: T }>,
  deps?: ChannelDeps,
) => Channel;

/** The one place a channel type meets its implementation. */
const FACTORIES: { [T in ChannelType]: Factory<T> } = {
  webhook: createWebhookChannel,
  ntfy: createNtfyChannel,
  telegram: createTelegramChannel,
  discord: createDiscordChannel,
  slack: createSlackChannel,
  gotify: createGotifyChannel,
  pushover: createPushoverChannel,
  matrix: createMatrixChannel,
  teams: createTeamsChannel,
  email: createEmailChannel,
};

/**
 * `channel` with a last-resort catch: should a send still throw (a bug, not a provider's
 * answer), the outbox gets a retryable failure with URL user-info masked, never a rejection.
 */
function guarded(channel: Channel): Channel {
  return {
    type: channel.type,
    name: channel.name,
    async send(alert, ctx) {
      try {
        return await channel.send(alert, ctx);
      } catch (err) {
        return { ok: false, answer: safeAnswer(`channel failed: ${String(err)}`, []) };
      }
    },
  };
}

/**
 * The channel of one validated config entry (a {@link import("../types.ts").ChannelFactory}
 * when `deps` is left out). `deps` passes the clock and the templates' time zone. Its `send`
 * never rejects.
 */
export function createChannel(config: ChannelConfig, deps: ChannelDeps = {}): Channel {
  const factory = FACTORIES[config.type] as Factory<ChannelType>;
  return guarded(factory(config as never, deps));
}
