/** The Slack channel: an incoming-webhook POST with a header, the text and the links as blocks. */

import type { SlackChannelConfig } from "../../config/mod.ts";
import type { Alert, Channel, RenderedMessage } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { alertLinks, clipChars, escapeHtml } from "./format.ts";
import { postJson } from "./http.ts";
import { urlSecretParts } from "./secrets.ts";

// Slack's mrkdwn reserves the same `&`, `<`, `>` as HTML: escaped, text cannot fake a link or
// a <!channel> ping.
const escapeMrkdwn = escapeHtml;

/** A URL inside `<url|label>`: the characters that would end it are percent-encoded. */
function linkUrl(url: string): string {
  return url.replaceAll("|", "%7C").replaceAll(">", "%3E").replaceAll("<", "%3C");
}

/**
 * The incoming-webhook payload: `text` (the notification's fallback) and blocks — a header
 * (≤ 150 characters), a mrkdwn section with the body (≤ 3,000), and a context block of links.
 */
export function slackPayload(alert: Alert, message: RenderedMessage): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: clipChars(message.title, 150) } },
    {
      type: "section",
      text: { type: "mrkdwn", text: escapeMrkdwn(clipChars(message.body, 2900)) },
    },
  ];
  const links = alertLinks(alert);
  if (links.length) {
    blocks.push({
      type: "context",
      elements: links.map((l) => ({ type: "mrkdwn", text: `<${linkUrl(l.url)}|${l.label}>` })),
    });
  }
  return { text: escapeMrkdwn(message.title), blocks };
}

/**
 * A Slack channel: `POST <incoming webhook url>` with {@link slackPayload}. Slack answers the
 * text `ok`, or an error word (`invalid_payload`, `no_service`…) with a 4xx. Evidence travels
 * as the snapshot links. The URL is the key: it never shows in an answer.
 */
export function createSlackChannel(config: SlackChannelConfig, deps: ChannelDeps = {}): Channel {
  const secrets = urlSecretParts(config.url);
  return {
    type: "slack",
    name: config.name,
    async send(alert, ctx) {
      return await postJson(config.url, slackPayload(alert, ctx.message), ctx, {
        secrets,
        now: deps.now,
      });
    },
  };
}
