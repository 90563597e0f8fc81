/** The ntfy channel (https://docs.ntfy.sh/publish/): the message as body, or the picture with PUT. */

import type { NtfyChannelConfig } from "../../config/mod.ts";
import type { Alert, Channel } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { clickLink, headerValue, isOutageStart, pictureName, pictures } from "./format.ts";
import { type AnswerJudge, asRecord, parseJson, sendHttp } from "./http.ts";
import { urlSecretParts, valueSecrets } from "./secrets.ts";

/** ntfy turns a message over 4,096 bytes into an attachment: stay under it. */
const MAX_MESSAGE_BYTES = 4000;

const TAGS: Record<string, string> = {
  down: "rotating_light",
  degraded: "warning",
  up: "white_check_mark",
};

/** The emoji tag of an alert: 🚨 down, ⚠️ degraded, ✅ recovered. */
export function ntfyTag(alert: Alert): string {
  return alert.event === "resolved" ? TAGS.up : TAGS[alert.state] ?? TAGS.down;
}

function utf8Base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/**
 * A header value as ntfy reads it: printable ASCII as is, anything else (or text that looks
 * like an encoded word) as one RFC 2047 word `=?UTF-8?B?…?=`, which ntfy decodes.
 */
export function encodeHeaderText(text: string): string {
  const flat = headerValue(text, 8192);
  if (/^[\x20-\x7e]*$/.test(flat) && !flat.includes("=?")) return flat;
  return `=?UTF-8?B?${utf8Base64(flat)}?=`;
}

/** Cuts `text` so its UTF-8 form fits `maxBytes` ("…" added when cut). */
function clipBytes(text: string, maxBytes: number): string {
  const enc = new TextEncoder();
  if (enc.encode(text).length <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && enc.encode(text.slice(0, end)).length > maxBytes - 3) end -= 64;
  return `${text.slice(0, Math.max(0, end))}…`;
}

function judge(): AnswerJudge {
  return (a, base) => {
    const j = asRecord(parseJson(a.text));
    if (base.ok) return typeof j.id === "string" ? { ...base, answer: `message ${j.id}` } : base;
    if (typeof j.error === "string") {
      return { ...base, answer: `HTTP ${a.status}: ${j.error}${j.code ? ` (${j.code})` : ""}` };
    }
    return base;
  };
}

/**
 * An ntfy channel. Without pictures: `POST <topic url>` with the message as the body and the
 * `Title`, `Priority` (config, else 4 for down/degraded and 3 otherwise), `Tags` and `Click`
 * headers. With pictures: `PUT <topic url>` with the failure frame as the body, `Filename` and
 * the message in the `Message` header (ntfy takes one file per message; the other picture is
 * in the links). Header text is one line (`\n` written as ntfy's `\n` escape) and RFC 2047
 * encoded when not ASCII. Auth: `Authorization: Bearer <token>`, or Basic.
 */
export function createNtfyChannel(config: NtfyChannelConfig, deps: ChannelDeps = {}): Channel {
  const secrets = [
    ...urlSecretParts(config.url),
    ...valueSecrets(config.token, config.password),
  ];
  let auth: string | undefined;
  if (config.token) auth = `Bearer ${config.token}`;
  else if (config.username !== undefined && config.password !== undefined) {
    auth = `Basic ${utf8Base64(`${config.username}:${config.password}`)}`;
  }
  if (auth) secrets.push(auth, auth.slice(auth.indexOf(" ") + 1));
  return {
    type: "ntfy",
    name: config.name,
    async send(alert, ctx) {
      const message = clipBytes(ctx.message.body, MAX_MESSAGE_BYTES);
      const headers: Record<string, string> = {
        title: encodeHeaderText(ctx.message.title),
        priority: String(config.priority ?? (isOutageStart(alert) ? 4 : 3)),
        tags: ntfyTag(alert),
      };
      const click = clickLink(alert);
      if (click) headers.click = headerValue(click);
      if (auth) headers.authorization = auth;
      const [picture] = pictures(ctx.attachments);
      const call = picture
        ? {
          method: "PUT" as const,
          url: config.url,
          headers: {
            ...headers,
            filename: pictureName(picture),
            message: encodeHeaderText(message.replaceAll("\r", "").replaceAll("\n", "\\n")),
            "content-type": "image/jpeg",
          },
          body: picture.bytes as Uint8Array<ArrayBuffer>,
        }
        : {
          method: "POST" as const,
          url: config.url,
          headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
          body: message,
        };
      return await sendHttp(call, ctx, { secrets, judge: judge(), now: deps.now });
    },
  };
}
