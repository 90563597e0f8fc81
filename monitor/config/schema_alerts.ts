/** The schema of `alerts:`: base_url, group_seconds, channels (one shape per type), rules, windows. */

import { z } from "zod";
import { opt, port, req, text, texts, whole } from "./schema_kit.ts";

const SECRET = " (a secret: never shown, logged or echoed)";

/** Keys every channel has, with `type` fixed to `type`. */
function channel<T extends string, S extends z.ZodRawShape>(type: T, about: string, keys: S) {
  return z.strictObject({
    name: req(text(), "unique among channels (at most 100 characters); rules name it"),
    type: z.literal(type),
    title: opt(z.string(), "a liquid template of the title (absent: the built-in one)"),
    message: opt(z.string(), "a liquid template of the message text (absent: the built-in one)"),
    ...keys,
  }).meta({ description: about });
}

const url = (about: string) => req(z.string(), `${about}; an http:// or https:// URL`);
const secret = (about: string) => req(text(), about + SECRET);
const priority = (min: number, max: number) => opt(whole(min, max), `priority ${min}–${max}`);

/** One entry of `alerts.channels`, by its `type`. */
export const channelSchema = z.discriminatedUnion("type", [
  channel("webhook", "a JSON POST (or the `body` template) to any URL", {
    url: url("where to POST" + SECRET),
    headers: opt(
      z.record(z.string(), text()),
      "extra request headers, name → value (values are secrets)",
    ),
    body: opt(z.string(), "a liquid template of the whole body (absent: the documented JSON)"),
  }),
  channel("ntfy", "an ntfy topic", {
    url: url("the topic URL (https://ntfy.sh/mytopic or a self-hosted server's)"),
    token: opt(text(), "access token (Bearer); or username + password" + SECRET),
    username: opt(text(), "user name (Basic auth, with password)"),
    password: opt(text(), "password (with username)" + SECRET),
    priority: priority(1, 5),
  }),
  channel("telegram", "the Telegram Bot API", {
    url: opt(z.string(), "the Bot API base", "https://api.telegram.org"),
    token: secret('the bot token ("123456:ABC…")'),
    chat_id: req(text(), "a chat id or @channelusername"),
  }),
  channel("discord", "a Discord channel webhook", { url: url("the webhook URL" + SECRET) }),
  channel("slack", "a Slack incoming webhook", { url: url("the webhook URL" + SECRET) }),
  channel("gotify", "a Gotify server", {
    url: url("the server's base URL"),
    token: secret("an application token"),
    priority: priority(0, 10),
  }),
  channel("pushover", "the Pushover message API", {
    url: opt(z.string(), "the API base", "https://api.pushover.net"),
    token: secret("the application token"),
    user: secret("the user (or group) key"),
    priority: priority(-2, 2),
  }),
  channel("matrix", "a Matrix room", {
    url: url("the homeserver's base URL"),
    token: secret("an access token"),
    room: req(z.string(), "the room id (!abc:example.org)"),
  }),
  channel("teams", "a Microsoft Teams workflow (Power Automate) webhook", {
    url: url("the webhook URL" + SECRET),
  }),
  channel("email", "SMTP", {
    host: req(text(), "the SMTP relay's host name or address"),
    port: opt(port(), "the SMTP port", { text: "587 (starttls), 465 (tls), 25 (none)" }),
    tls: opt(
      z.enum(["starttls", "tls", "none"]),
      "`starttls`, `tls` (implicit) or `none`",
      "starttls",
    ),
    username: opt(text(), "SMTP login"),
    password: opt(text(), "SMTP password (with username)" + SECRET),
    from: req(z.string(), 'the From header, e.g. "StreamPulse <sp@example.org>"'),
    to: req(texts(), "recipients: one address or a non-empty list"),
    tls_insecure: opt(z.boolean(), "accept a self-signed relay", false),
  }),
]);

/** The filter keys of rules and windows; none given: every stream. */
const filter = {
  streams: opt(texts(), "only these stream names (a name no stream has is a warning)"),
  tags: opt(texts(), "only streams with any of these tags"),
  site: opt(texts(), "only streams whose `site` is one of these"),
  sites: opt(texts(), "as `site`"),
};

/** One entry of `alerts.rules`. */
export const ruleSchema = z.strictObject({
  channels: req(texts(), "channel names (each must exist in `alerts.channels`)"),
  states: opt(
    z.union([z.enum(["down", "degraded"]), z.array(z.enum(["down", "degraded"]))]),
    "which states alert: `down`, `degraded` or both",
    ["down"],
  ),
  after_seconds: opt(z.number().min(0).max(86400), "failing this long before the first alert", 0),
  resolved: opt(z.boolean(), "also send the recovery", true),
  remind_minutes: opt(
    z.number().min(0).max(10080),
    "repeat every this many minutes while " +
      "still failing (0: never)",
    0,
  ),
  ...filter,
}).meta({ description: "which failures go to which channels" });

/** One entry of `alerts.maintenance`: cron + minutes, or from + to. */
export const windowSchema = z.strictObject({
  name: req(text(), "the window's name"),
  cron: opt(
    z.string(),
    "a 5-field cron expression (or @daily…) of the window's starts, in " +
      "`timezone`; with `minutes`",
  ),
  minutes: opt(z.number().min(1).max(10080), "length of each cron window (1–10080)"),
  from: opt(text(), "a one-off window's start: ISO-8601 with a zone, or epoch ms; with `to`"),
  to: opt(text(), "a one-off window's end (after `from`)"),
  ...filter,
}).meta({ description: "no alerts for the streams it covers while it is open" });

/** The `alerts:` block. */
export const alertsSchema = z.strictObject({
  base_url: opt(
    z.string(),
    "the dashboard's public URL (http/https, no `user:password@`, `?` " +
      "or `#`), for links in messages",
  ),
  group_seconds: opt(
    z.number().min(0).max(3600),
    "streams of one host:port failing within " +
      "this window go out as one alert",
    10,
  ),
  channels: opt(z.array(channelSchema), "where messages go", []),
  rules: opt(z.array(ruleSchema), "which failures go to which channels", []),
  maintenance: opt(
    z.array(windowSchema),
    "windows in which the streams they cover send no " +
      "alerts",
    [],
  ),
}).meta({ description: "alert channels, rules and maintenance windows (absent: nothing is sent)" });
