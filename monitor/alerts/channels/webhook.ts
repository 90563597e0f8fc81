/** The webhook channel: the alert as documented JSON (or the `body` template) POSTed to a URL. */

import type { WebhookChannelConfig } from "../../config/mod.ts";
import { renderTemplate } from "../template.ts";
import type { Alert, Channel, RenderedMessage } from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { clipChars, headerValue, oneLine } from "./format.ts";
import { MAX_ANSWER_CHARS, sendHttp } from "./http.ts";
import { urlSecretParts, valueSecrets } from "./secrets.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The documented JSON of an alert: `{key, event, stream, state, cause, since, ts, streams,
 * group, note, links, title, message}`; times ISO-8601 UTC, `streams` each `{name, state,
 * cause, since, tags, site}`, `links` `{dashboard, stream, failure_snapshot, last_snapshot}`;
 * absent values are null. Evidence travels as the snapshot links only.
 */
export function webhookPayload(alert: Alert, message: RenderedMessage): Record<string, unknown> {
  const l = alert.links ?? {};
  return {
    key: alert.key,
    event: alert.event,
    stream: alert.stream,
    state: alert.state,
    cause: alert.cause,
    since: iso(alert.since),
    ts: iso(alert.ts),
    streams: alert.streams.map((s) => ({
      name: s.name,
      state: s.state,
      cause: s.cause,
      since: iso(s.since),
      tags: s.tags,
      site: s.site ?? null,
    })),
    group: alert.group ?? null,
    note: alert.note ?? null,
    links: {
      dashboard: l.dashboard ?? null,
      stream: l.stream ?? null,
      failure_snapshot: l.failureSnapshot ?? null,
      last_snapshot: l.lastSnapshot ?? null,
    },
    title: message.title,
    message: message.body,
  };
}

/**
 * A webhook channel: `POST url` with `Content-Type: application/json` (a configured header may
 * override it) and the configured headers. The body is {@link webhookPayload}, or the `body`
 * template rendered in `deps.timeZone`; when that template fails the documented JSON goes out
 * instead and the answer says so.
 */
export function createWebhookChannel(
  config: WebhookChannelConfig,
  deps: ChannelDeps = {},
): Channel {
  const headerValues = Object.values(config.headers ?? {});
  const secrets = [...urlSecretParts(config.url), ...valueSecrets(...headerValues)];
  return {
    type: "webhook",
    name: config.name,
    async send(alert, ctx) {
      let body = JSON.stringify(webhookPayload(alert, ctx.message));
      let warning = "";
      if (config.body !== undefined) {
        try {
          body = renderTemplate(config.body, alert, deps.timeZone ?? "UTC");
        } catch (err) {
          const why = clipChars(oneLine(err instanceof Error ? err.message : String(err)), 120);
          warning = ` (body template failed: ${why}; the documented JSON was sent)`;
        }
      }
      const headers: Record<string, string> = { "content-type": "application/json" };
      for (const [name, value] of Object.entries(config.headers ?? {})) {
        headers[name.toLowerCase()] = headerValue(value, 8000);
      }
      const result = await sendHttp({ method: "POST", url: config.url, headers, body }, ctx, {
        secrets,
        now: deps.now,
      });
      if (!warning) return result;
      return {
        ...result,
        answer: clipChars(clipChars(result.answer, 150) + warning, MAX_ANSWER_CHARS),
      };
    },
  };
}
