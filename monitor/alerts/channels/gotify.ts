/** The Gotify channel: `POST /message` with the application token in a header, never the URL. */

import type { GotifyChannelConfig } from "../../config/mod.ts";
import type { Alert, Channel, RenderedMessage } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { clickLink, isOutageStart } from "./format.ts";
import { type AnswerJudge, asRecord, parseJson, sendHttp } from "./http.ts";
import { urlSecretParts, valueSecrets } from "./secrets.ts";

/** The message JSON: priority from config, else 8 (down/degraded) or 4; a click URL when known. */
export function gotifyPayload(
  alert: Alert,
  message: RenderedMessage,
  priority?: number,
): Record<string, unknown> {
  const extras: Record<string, unknown> = { "client::display": { contentType: "text/plain" } };
  const click = clickLink(alert);
  if (click) extras["client::notification"] = { click: { url: click } };
  return {
    title: message.title,
    message: message.body,
    priority: priority ?? (isOutageStart(alert) ? 8 : 4),
    extras,
  };
}

/** Reads Gotify's answer: the stored message `{id, …}`, or `{error, errorCode, errorDescription}`. */
const judge: AnswerJudge = (a, base) => {
  const j = asRecord(parseJson(a.text));
  if (base.ok) return typeof j.id === "number" ? { ...base, answer: `ok: message ${j.id}` } : base;
  if (typeof j.error === "string") {
    const detail = typeof j.errorDescription === "string" ? `: ${j.errorDescription}` : "";
    return { ...base, answer: `HTTP ${a.status} ${j.error}${detail}` };
  }
  return base;
};

/**
 * A Gotify channel: `POST {url}/message` with `X-Gotify-Key: <token>` (a token in the query
 * string would end up in proxy logs) and JSON `{title, message, priority, extras}`, the click
 * URL in `extras["client::notification"]`. Evidence travels as the links in the message.
 */
export function createGotifyChannel(config: GotifyChannelConfig, deps: ChannelDeps = {}): Channel {
  const url = `${config.url.replace(/\/+$/, "")}/message`;
  const secrets = [...valueSecrets(config.token), ...urlSecretParts(config.url)];
  return {
    type: "gotify",
    name: config.name,
    async send(alert, ctx) {
      const body = JSON.stringify(gotifyPayload(alert, ctx.message, config.priority));
      const headers = { "content-type": "application/json", "x-gotify-key": config.token };
      return await sendHttp({ method: "POST", url, headers, body }, ctx, {
        secrets,
        judge,
        now: deps.now,
      });
    },
  };
}
