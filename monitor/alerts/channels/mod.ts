/** The alert channels: one factory per notification service, and the one registry of them. */

import type { ChannelConfig, ChannelType } from "../../config/mod.ts";
import type { Channel } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
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
 * The channel of one validated config entry (a {@link import("../types.ts").ChannelFactory}
 * when `deps` is left out). `deps` passes the clock and the templates' time zone.
 */
export function createChannel(config: ChannelConfig, deps: ChannelDeps = {}): Channel {
  const factory = FACTORIES[config.type] as Factory<ChannelType>;
  return factory(config as never, deps);
}
