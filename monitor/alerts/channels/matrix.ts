/** The Matrix channel (client-server API v3): pictures uploaded, then idempotent room events. */

import type { MatrixChannelConfig } from "../../config/mod.ts";
import type { Alert, Attachment, Channel, DeliveryResult, SendContext } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { clipChars, escapeHtml, keyDigest, pictureName, pictures } from "./format.ts";
import {
  type AnswerJudge,
  asRecord,
  type HttpSendOptions,
  MAX_ANSWER_CHARS,
  parseJson,
  sendHttp,
} from "./http.ts";
import { urlSecretParts, valueSecrets } from "./secrets.ts";

/**
 * The transaction id of part `part` of an alert's message: derived from the alert key, so a
 * retried send reuses it and the homeserver stores each event once.
 */
export async function matrixTxnId(alertKey: string, part: number): Promise<string> {
  return `sp-${await keyDigest(alertKey)}-${part}`;
}

/** The text event: plain `body` and HTML `formatted_body` (title bold, line breaks kept). */
export function matrixTextEvent(title: string, body: string): Record<string, unknown> {
  return {
    msgtype: "m.text",
    body: `${title}\n${body}`,
    format: "org.matrix.custom.html",
    formatted_body: `<strong>${escapeHtml(title)}</strong><br>${
      escapeHtml(body).replaceAll("\n", "<br>")
    }`,
  };
}

/** Reads `{errcode, error, retry_after_ms}` into the result. */
function describeError(a: { text: string; status: number }, base: DeliveryResult): DeliveryResult {
  const j = asRecord(parseJson(a.text));
  const out = { ...base };
  if (typeof j.errcode === "string") {
    out.answer = `HTTP ${a.status} ${j.errcode}${
      typeof j.error === "string" ? `: ${j.error}` : ""
    }`;
  }
  if (typeof j.retry_after_ms === "number" && j.retry_after_ms >= 0) {
    out.retryAfterMs = Math.ceil(j.retry_after_ms);
  }
  return out;
}

/** A judge that takes `field` of a successful answer into `sink` (content_uri, event_id). */
function capture(field: string, sink: { value?: string }): AnswerJudge {
  return (a, base) => {
    if (!base.ok) return describeError(a, base);
    const v = asRecord(parseJson(a.text))[field];
    if (typeof v !== "string") return { ...base, ok: false, answer: `answer without ${field}` };
    sink.value = v;
    return { ...base, answer: `ok: ${v}` };
  };
}

/**
 * A Matrix channel. Each picture is uploaded (`POST {url}/_matrix/media/v3/upload?filename=…`,
 * Bearer token, the bytes as body) for its `content_uri`; then `PUT
 * {url}/_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}` sends the text (`m.text`
 * with HTML) and one `m.image` event per picture. Transaction ids come from the alert key and
 * the part's index ({@link matrixTxnId}), so a retry after a partial send duplicates nothing.
 */
export function createMatrixChannel(config: MatrixChannelConfig, deps: ChannelDeps = {}): Channel {
  const base = config.url.replace(/\/+$/, "");
  const auth = { authorization: `Bearer ${config.token}` };
  const secrets = [...valueSecrets(config.token), ...urlSecretParts(config.url)];
  const opts = (judge: AnswerJudge): HttpSendOptions => ({ secrets, judge, now: deps.now });
  const room = encodeURIComponent(config.room);

  async function upload(p: Attachment, ctx: SendContext, sink: { value?: string }) {
    const url = `${base}/_matrix/media/v3/upload?filename=${encodeURIComponent(pictureName(p))}`;
    const headers = { ...auth, "content-type": "image/jpeg" };
    const body = p.bytes as Uint8Array<ArrayBuffer>;
    return await sendHttp(
      { method: "POST", url, headers, body },
      ctx,
      opts(capture("content_uri", sink)),
    );
  }

  async function event(alert: Alert, part: number, content: unknown, ctx: SendContext) {
    const txn = await matrixTxnId(alert.key, part);
    const url = `${base}/_matrix/client/v3/rooms/${room}/send/m.room.message/${txn}`;
    const headers = { ...auth, "content-type": "application/json" };
    const body = JSON.stringify(content);
    return await sendHttp(
      { method: "PUT", url, headers, body },
      ctx,
      opts(capture("event_id", {})),
    );
  }

  return {
    type: "matrix",
    name: config.name,
    async send(alert, ctx) {
      const text = await event(alert, 0, matrixTextEvent(ctx.message.title, ctx.message.body), ctx);
      if (!text.ok) return text;
      const pics = pictures(ctx.attachments);
      const sent = [text.answer];
      for (const [i, p] of pics.entries()) {
        const uri: { value?: string } = {};
        const up = await upload(p, ctx, uri);
        if (!up.ok) {
          const answer = clipChars(
            `upload of ${pictureName(p)} failed: ${up.answer}`,
            MAX_ANSWER_CHARS,
          );
          return { ...up, answer };
        }
        const image = {
          msgtype: "m.image",
          body: pictureName(p),
          url: uri.value,
          info: { mimetype: "image/jpeg", size: p.bytes.byteLength },
        };
        const r = await event(alert, i + 1, image, ctx);
        if (!r.ok) return r;
        sent.push(r.answer);
      }
      return { ...text, answer: clipChars(sent.join("; "), MAX_ANSWER_CHARS) };
    },
  };
}
