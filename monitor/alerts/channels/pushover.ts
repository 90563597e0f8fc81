/** The Pushover channel (https://pushover.net/api): a multipart form, the failure frame attached. */

import type { PushoverChannelConfig } from "../../config/mod.ts";
import type { Alert, Channel, RenderedMessage } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { clickLink, clipChars, isOutageStart, pictures } from "./format.ts";
import { type AnswerJudge, asRecord, parseJson, sendHttp } from "./http.ts";
import { multipart, type Part, picturePart } from "./multipart.ts";
import { urlSecretParts, valueSecrets } from "./secrets.ts";

/** Pushover's bound on an attachment. */
export const MAX_PUSHOVER_ATTACHMENT = 5 * 1024 * 1024;

/**
 * The form fields (attachment aside): `token, user, title (≤ 250), message (≤ 1,024),
 * priority` (config, else 1 for down/degraded and 0 otherwise; 2 adds the required `retry`
 * and `expire`), `timestamp`, and `url`/`url_title` when a link is known.
 */
export function pushoverFields(
  config: Pick<PushoverChannelConfig, "token" | "user" | "priority">,
  alert: Alert,
  message: RenderedMessage,
): Record<string, string> {
  const priority = config.priority ?? (isOutageStart(alert) ? 1 : 0);
  const fields: Record<string, string> = {
    token: config.token,
    user: config.user,
    title: clipChars(message.title, 250),
    message: clipChars(message.body, 1024),
    priority: String(priority),
    timestamp: String(Math.floor(alert.ts / 1000)),
  };
  if (priority === 2) Object.assign(fields, { retry: "300", expire: "3600" });
  const link = clickLink(alert);
  if (link && link.length <= 512) {
    Object.assign(fields, { url: link, url_title: "Open in StreamPulse" });
  }
  return fields;
}

/** Reads `{status: 1, request}` or `{status: 0, errors: […]}` (a failure whatever the HTTP status). */
const judge: AnswerJudge = (a, base) => {
  const j = asRecord(parseJson(a.text));
  if (j.status === 1) {
    return { ...base, ok: true, permanent: undefined, answer: `ok: request ${j.request}` };
  }
  if (j.status !== 0) return base;
  const errors = Array.isArray(j.errors) ? j.errors.map(String).join("; ") : "error";
  return {
    ...base,
    ok: false,
    permanent: base.ok ? true : base.permanent,
    answer: `HTTP ${a.status}: ${errors}`,
  };
};

/**
 * A Pushover channel: `POST {url}/1/messages.json` as a multipart form of
 * {@link pushoverFields}, with the failure frame as `attachment` (image/jpeg, when ≤ 5 MB).
 * `status: 0` is a failure; 4xx answers are permanent. Token and user key never show in an answer.
 */
export function createPushoverChannel(
  config: PushoverChannelConfig,
  deps: ChannelDeps = {},
): Channel {
  const url = `${(config.url || "https://api.pushover.net").replace(/\/+$/, "")}/1/messages.json`;
  const secrets = [...valueSecrets(config.token, config.user), ...urlSecretParts(config.url)];
  return {
    type: "pushover",
    name: config.name,
    async send(alert, ctx) {
      const fields = pushoverFields(config, alert, ctx.message);
      const parts: Part[] = Object.entries(fields).map(([name, value]) => ({ name, value }));
      const picture = pictures(ctx.attachments)[0];
      if (picture && picture.bytes.byteLength <= MAX_PUSHOVER_ATTACHMENT) {
        parts.push(picturePart("attachment", picture));
      }
      const { body, contentType } = multipart(parts);
      const headers = { "content-type": contentType };
      return await sendHttp({ method: "POST", url, headers, body }, ctx, {
        secrets,
        judge,
        now: deps.now,
      });
    },
  };
}
