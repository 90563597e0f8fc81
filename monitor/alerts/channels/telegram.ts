/** The Telegram channel (Bot API): sendMessage, or sendPhoto / sendMediaGroup with the pictures. */

import type { TelegramChannelConfig } from "../../config/mod.ts";
import type { Channel, RenderedMessage } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { clipChars, escapeHtml, pictures } from "./format.ts";
import {
  type AnswerJudge,
  asRecord,
  parseJson,
  postJson,
  sendHttp,
  statusVerdict,
} from "./http.ts";
import { multipart, type Part, picturePart } from "./multipart.ts";
import { urlSecretParts, valueSecrets } from "./secrets.ts";

/** Bot API bounds, counted after entity parsing: a message's text and a media caption. */
const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;

/** `<b>title</b>` and the body as Telegram HTML, escaped, cut to `max` visible characters. */
export function telegramHtml(message: RenderedMessage, max: number): string {
  const title = clipChars(message.title, Math.min(250, max - 2));
  const body = clipChars(message.body, Math.max(0, max - title.length - 1));
  return `<b>${escapeHtml(title)}</b>\n${escapeHtml(body)}`;
}

/** Reads the Bot API's `{ok, result | error_code, description, parameters}` answer. */
const judge: AnswerJudge = (a, base) => {
  const j = asRecord(parseJson(a.text));
  if (j.ok === true) {
    const results = Array.isArray(j.result) ? j.result : [j.result];
    const ids = results.map((r) => asRecord(r).message_id).filter((x) => x !== undefined);
    return { ...base, ok: true, permanent: undefined, answer: `ok: message ${ids.join(", ")}` };
  }
  if (j.ok !== false) return base;
  const code = typeof j.error_code === "number" ? j.error_code : a.status;
  const verdict = statusVerdict(code >= 200 && code < 300 ? 400 : code);
  const out = {
    ...base,
    ...verdict,
    permanent: verdict.permanent,
    answer: `${code}: ${String(j.description ?? "error")}`,
  };
  const retry = asRecord(j.parameters).retry_after;
  if (typeof retry === "number" && retry >= 0) out.retryAfterMs = Math.ceil(retry * 1000);
  return out;
};

/**
 * A Telegram channel: `POST {url}/bot{token}/sendMessage` with JSON `{chat_id, text,
 * parse_mode: "HTML", link_preview_options}` (title bold, text escaped, at most 4,096
 * characters); one picture: `sendPhoto` (multipart `chat_id`, `photo`, `caption` ≤ 1,024);
 * two: `sendMediaGroup` (multipart `media`: InputMediaPhoto items `attach://failure` and
 * `attach://last`, the caption on the first). `ok:false` fails even under HTTP 200, and
 * `parameters.retry_after` becomes `retryAfterMs`. The token never shows in an answer.
 */
export function createTelegramChannel(
  config: TelegramChannelConfig,
  deps: ChannelDeps = {},
): Channel {
  const base = `${
    (config.url || "https://api.telegram.org").replace(/\/+$/, "")
  }/bot${config.token}`;
  const secrets = [...valueSecrets(config.token), ...urlSecretParts(`${base}/x`)];
  return {
    type: "telegram",
    name: config.name,
    async send(_alert, ctx) {
      const pics = pictures(ctx.attachments);
      const opts = { secrets, judge, now: deps.now };
      if (pics.length === 0) {
        const message = {
          chat_id: config.chatId,
          text: telegramHtml(ctx.message, MAX_TEXT),
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
        };
        return await postJson(`${base}/sendMessage`, message, ctx, opts);
      }
      const caption = telegramHtml(ctx.message, MAX_CAPTION);
      const parts: Part[] = [{ name: "chat_id", value: config.chatId }];
      let method = "sendPhoto";
      if (pics.length === 1) {
        parts.push(
          { name: "caption", value: caption },
          { name: "parse_mode", value: "HTML" },
          picturePart("photo", pics[0]),
        );
      } else {
        method = "sendMediaGroup";
        const media = pics.map((p, i) => ({
          type: "photo",
          media: `attach://${p.role}`,
          ...(i === 0 ? { caption, parse_mode: "HTML" } : {}),
        }));
        parts.push({ name: "media", value: JSON.stringify(media) });
        for (const p of pics) parts.push(picturePart(p.role, p));
      }
      const { body, contentType } = multipart(parts);
      const headers = { "content-type": contentType };
      return await sendHttp({ method: "POST", url: `${base}/${method}`, headers, body }, ctx, opts);
    },
  };
}
