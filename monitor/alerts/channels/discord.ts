/** The Discord channel: a webhook execute with embeds, the pictures as multipart files. */

import type { DiscordChannelConfig } from "../../config/mod.ts";
import type { Alert, Channel, RenderedMessage } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { clickLink, clipChars, pictures } from "./format.ts";
import { type AnswerJudge, asRecord, parseJson, postJson, sendHttp } from "./http.ts";
import { multipart, type Part, picturePart } from "./multipart.ts";
import { urlSecretParts } from "./secrets.ts";

/** Embed colours: red down, orange degraded, green recovered. */
const COLORS = { down: 0xe74c3c, degraded: 0xf39c12, up: 0x2ecc71 } as const;

function color(alert: Alert): number {
  if (alert.event === "resolved") return COLORS.up;
  return alert.state === "degraded" ? COLORS.degraded : COLORS.down;
}

/** The execute-webhook payload; `images` are attachment file names shown in the embeds. */
export function discordPayload(
  alert: Alert,
  message: RenderedMessage,
  images: string[] = [],
): Record<string, unknown> {
  const main: Record<string, unknown> = {
    title: clipChars(message.title, 256),
    description: clipChars(message.body, 4096),
    color: color(alert),
    timestamp: new Date(alert.ts).toISOString(),
  };
  const link = clickLink(alert);
  if (link) main.url = link;
  const embeds = [main];
  if (images[0]) main.image = { url: `attachment://${images[0]}` };
  if (images[1]) {
    embeds.push({
      title: "Last good picture",
      color: color(alert),
      image: { url: `attachment://${images[1]}` },
    });
  }
  // Text from cameras and templates must never ping @everyone or a role.
  const payload: Record<string, unknown> = { embeds, allowed_mentions: { parse: [] } };
  if (images.length) payload.attachments = images.map((filename, id) => ({ id, filename }));
  return payload;
}

/** `url` with `wait=true` (so Discord answers with the message, or the error). */
function withWait(url: string): string {
  try {
    const u = new URL(url);
    u.searchParams.set("wait", "true");
    return u.href;
  } catch {
    return url; // validated by the config; fetch reports it should it still be wrong
  }
}

/** Reads Discord's answer: the message (wait=true), or `{message, code, retry_after}`. */
const judge: AnswerJudge = (a, base) => {
  const j = asRecord(parseJson(a.text));
  if (base.ok) return typeof j.id === "string" ? { ...base, answer: `ok: message ${j.id}` } : base;
  const out = { ...base };
  if (typeof j.message === "string") {
    out.answer = `HTTP ${a.status}: ${j.message}${j.code !== undefined ? ` (${j.code})` : ""}`;
  }
  // Fractional seconds, more precise than the Retry-After header.
  if (typeof j.retry_after === "number" && j.retry_after >= 0) {
    out.retryAfterMs = Math.ceil(j.retry_after * 1000);
  }
  return out;
};

/**
 * A Discord channel: `POST <webhook url>?wait=true` with JSON `{embeds: [{title, description,
 * color, timestamp}], allowed_mentions}`; with pictures multipart with `payload_json` and
 * `files[0]`, `files[1]`, the embeds showing `attachment://failure.jpg` (and the last good
 * one). A 429's `retry_after` (seconds, may be fractional) becomes `retryAfterMs`. The webhook
 * URL is the key: it never shows in an answer.
 */
export function createDiscordChannel(
  config: DiscordChannelConfig,
  deps: ChannelDeps = {},
): Channel {
  const target = withWait(config.url);
  const secrets = urlSecretParts(config.url);
  return {
    type: "discord",
    name: config.name,
    async send(alert, ctx) {
      const pics = pictures(ctx.attachments);
      const opts = { secrets, judge, now: deps.now };
      if (!pics.length) {
        return await postJson(target, discordPayload(alert, ctx.message), ctx, opts);
      }
      const names = pics.map((p) => `${p.role}.jpg`);
      const parts: Part[] = [
        { name: "payload_json", value: JSON.stringify(discordPayload(alert, ctx.message, names)) },
        ...pics.map((p, i) => picturePart(`files[${i}]`, p, names[i])),
      ];
      const { body, contentType } = multipart(parts);
      const headers = { "content-type": contentType };
      return await sendHttp({ method: "POST", url: target, headers, body }, ctx, opts);
    },
  };
}
