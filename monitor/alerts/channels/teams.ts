/** The Microsoft Teams channel: an Adaptive Card POSTed to a Workflows (Power Automate) webhook. */

import type { TeamsChannelConfig } from "../../config/mod.ts";
import type { Alert, Channel, RenderedMessage } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { alertLinks, clipChars } from "./format.ts";
import { postJson } from "./http.ts";
import { urlSecretParts } from "./secrets.ts";

/** Streams listed in the card's FactSet at most (the body lists them too). */
const MAX_FACTS = 50;

/**
 * The Workflows payload: `{type: "message", attachments: [{contentType:
 * "application/vnd.microsoft.card.adaptive", content: AdaptiveCard 1.4}]}`, the card's body a
 * title TextBlock, the message TextBlock and a FactSet of the streams (name → state: cause);
 * the links as `Action.OpenUrl` buttons.
 */
export function teamsPayload(alert: Alert, message: RenderedMessage): Record<string, unknown> {
  const facts = alert.streams.slice(0, MAX_FACTS).map((s) => ({
    title: clipChars(s.name, 100),
    value: clipChars(alert.event === "resolved" ? s.state : `${s.state}: ${s.cause}`, 300),
  }));
  const card: Record<string, unknown> = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: message.title, weight: "Bolder", size: "Medium", wrap: true },
      { type: "TextBlock", text: message.body, wrap: true },
      { type: "FactSet", facts },
    ],
  };
  const links = alertLinks(alert);
  if (links.length) {
    card.actions = links.map((l) => ({ type: "Action.OpenUrl", title: l.label, url: l.url }));
  }
  return {
    type: "message",
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: card }],
  };
}

/**
 * A Teams channel: `POST <workflow url>` with {@link teamsPayload}; the flow answers
 * `202 Accepted`. Evidence travels as the snapshot links. The URL (its `sig`) is the key: it
 * never shows in an answer.
 */
export function createTeamsChannel(config: TeamsChannelConfig, deps: ChannelDeps = {}): Channel {
  const secrets = urlSecretParts(config.url);
  return {
    type: "teams",
    name: config.name,
    async send(alert, ctx) {
      return await postJson(config.url, teamsPayload(alert, ctx.message), ctx, {
        secrets,
        now: deps.now,
      });
    },
  };
}
