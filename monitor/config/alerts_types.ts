/**
 * The validated shape of `alerts:` in config.yaml (parsed by alerts.ts). Every secret field
 * (`token`, `password`, a `url` that carries a key, `headers` values) is a credential: it is never
 * shown in API output, pages, logs or messages.
 */

/** The notification services a channel may be. */
export const CHANNEL_TYPES = [
  "webhook",
  "ntfy",
  "telegram",
  "discord",
  "slack",
  "gotify",
  "pushover",
  "matrix",
  "teams",
  "email",
] as const;

/** One of {@link CHANNEL_TYPES}. */
export type ChannelType = typeof CHANNEL_TYPES[number];

/** What every channel has. */
interface ChannelCommon {
  /** Unique among channels; rules name it. */
  name: string;
  /** A liquid template of the title (absent: the built-in one). */
  title?: string;
  /** A liquid template of the message text (absent: the built-in one). */
  message?: string;
}

/** `type: webhook`: a JSON POST (or the `body` template) to any URL. */
export interface WebhookChannelConfig extends ChannelCommon {
  type: "webhook";
  url: string;
  /** Extra request headers (values are secrets). */
  headers: Record<string, string>;
  /** A liquid template of the whole body; absent: the documented JSON. */
  body?: string;
}

/** `type: ntfy`: `url` is the topic URL (https://ntfy.sh/mytopic or a self-hosted server's). */
export interface NtfyChannelConfig extends ChannelCommon {
  type: "ntfy";
  url: string;
  /** Access token (Bearer), or… */
  token?: string;
  /** …user name and password (Basic). */
  username?: string;
  password?: string;
  /** 1–5 (absent: 4 for down/degraded, 3 otherwise). */
  priority?: number;
}

/** `type: telegram`: the Bot API. */
export interface TelegramChannelConfig extends ChannelCommon {
  type: "telegram";
  /** The Bot API base (default https://api.telegram.org). */
  url: string;
  /** The bot token ("123456:ABC…"). */
  token: string;
  /** Chat id or @channelusername. */
  chatId: string;
}

/** `type: discord`: a channel webhook URL. */
export interface DiscordChannelConfig extends ChannelCommon {
  type: "discord";
  url: string;
}

/** `type: slack`: an incoming-webhook URL. */
export interface SlackChannelConfig extends ChannelCommon {
  type: "slack";
  url: string;
}

/** `type: gotify`: a Gotify server and an application token. */
export interface GotifyChannelConfig extends ChannelCommon {
  type: "gotify";
  /** The server base URL. */
  url: string;
  token: string;
  priority?: number;
}

/** `type: pushover`: the Pushover message API. */
export interface PushoverChannelConfig extends ChannelCommon {
  type: "pushover";
  /** The API base (default https://api.pushover.net). */
  url: string;
  /** The application token. */
  token: string;
  /** The user (or group) key. */
  user: string;
  priority?: number;
}

/** `type: matrix`: the client-server API of a homeserver. */
export interface MatrixChannelConfig extends ChannelCommon {
  type: "matrix";
  /** The homeserver base URL. */
  url: string;
  /** An access token. */
  token: string;
  /** The room id ("!abc:example.org"). */
  room: string;
}

/** `type: teams`: a Microsoft Teams workflow (Power Automate) webhook URL. */
export interface TeamsChannelConfig extends ChannelCommon {
  type: "teams";
  url: string;
}

/** `type: email`: SMTP. */
export interface EmailChannelConfig extends ChannelCommon {
  type: "email";
  host: string;
  /** Default 587 with starttls, 465 with tls, 25 with none. */
  port: number;
  /** "starttls" (default), "tls" (implicit, port 465) or "none". */
  tls: "starttls" | "tls" | "none";
  username?: string;
  password?: string;
  /** The From header, e.g. "StreamPulse <sp@example.org>". */
  from: string;
  to: string[];
  /** Skip certificate verification (self-signed relays). */
  tlsInsecure: boolean;
}

/** One configured channel. */
export type ChannelConfig =
  | WebhookChannelConfig
  | NtfyChannelConfig
  | TelegramChannelConfig
  | DiscordChannelConfig
  | SlackChannelConfig
  | GotifyChannelConfig
  | PushoverChannelConfig
  | MatrixChannelConfig
  | TeamsChannelConfig
  | EmailChannelConfig;

/** Which streams a rule or maintenance window covers; an empty filter covers all. */
export interface StreamFilter {
  /** Stream names. */
  streams: string[];
  /** A stream matches when it has any of these tags. */
  tags: string[];
  /** A stream matches when its `site` is one of these. */
  sites: string[];
}

/** One entry of `alerts.rules`. */
export interface AlertRule extends StreamFilter {
  /** Channel names (each exists in `channels`). */
  channels: string[];
  /** Which states alert (default ["down"]). */
  states: ("down" | "degraded")[];
  /** Failing this long before the first alert (default 0). */
  afterSeconds: number;
  /** Send the recovery (default true). */
  resolved: boolean;
  /** Repeat while unresolved, every this many minutes (0 = never, the default). */
  remindMinutes: number;
}

/** One entry of `alerts.maintenance`: a one-off window (`from`/`to`) or a cron one. */
export interface MaintenanceWindow extends StreamFilter {
  name: string;
  /** A 5-field cron expression of the window's starts, in the config's time zone. */
  cron?: string;
  /** Length of each cron window in minutes. */
  minutes?: number;
  /** A one-off window, ms since the epoch. */
  from?: number;
  to?: number;
}

/** The whole `alerts:` block (absent: no channels, no rules). */
export interface AlertsConfig {
  channels: ChannelConfig[];
  rules: AlertRule[];
  /** Streams of one host:port failing within this window go out as one alert (default 10). */
  groupSeconds: number;
  maintenance: MaintenanceWindow[];
  /** The dashboard's public URL for links in messages (`alerts.base_url`; absent: no links). */
  baseUrl?: string;
}
