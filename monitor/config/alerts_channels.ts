/** Reads `alerts.channels`: each channel's type, its required keys, URLs, secrets and templates. */

import { type Checker, describe, type YamlMap } from "./check.ts";
import { isAddress, optional, Reader } from "./alerts_reader.ts";
import { CHANNEL_TYPES, type ChannelConfig, type ChannelType } from "./alerts_types.ts";
import { suggestKey } from "./suggest.ts";

/** Longest channel name accepted. */
export const MAX_CHANNEL_NAME = 100;

/** A channel's type-specific fields, as one reader returns them. */
type Specific<T extends ChannelType> = Omit<
  Extract<ChannelConfig, { type: T }>,
  "name" | "title" | "message"
>;

/** Keys every channel may have. */
const COMMON_KEYS = ["name", "type", "title", "message"];

/** The keys of each type (beside {@link COMMON_KEYS}); others get a warning. */
const KEYS: Record<ChannelType, string[]> = {
  webhook: ["url", "headers", "body"],
  ntfy: ["url", "token", "username", "password", "priority"],
  telegram: ["url", "token", "chat_id"],
  discord: ["url"],
  slack: ["url"],
  gotify: ["url", "token", "priority"],
  pushover: ["url", "token", "user", "priority"],
  matrix: ["url", "token", "room"],
  teams: ["url"],
  email: ["host", "port", "tls", "username", "password", "from", "to", "tls_insecure"],
};

/** One reader per type: the one place that knows a type's keys and defaults. */
const READERS: { [T in ChannelType]: (r: Reader) => Specific<T> } = {
  webhook: (r) => ({
    type: "webhook",
    url: r.url("url"),
    headers: r.headers("headers"),
    ...optional("body", r.template("body")),
  }),
  ntfy: (r) => {
    const token = r.text("token", { secret: true });
    const username = r.text("username");
    const password = r.text("password", { secret: true });
    if (token && (username || password)) {
      r.c.error(`${r.path}.token`, "set token or username + password, not both");
    } else if (username && !password) {
      r.c.error(`${r.path}.password`, "is required with username");
    } else if (password && !username) {
      r.c.error(`${r.path}.username`, "is required with password");
    }
    return {
      type: "ntfy",
      url: r.url("url"),
      ...optional("token", token),
      ...optional("username", username),
      ...optional("password", password),
      ...optional("priority", r.priority(1, 5)),
    };
  },
  telegram: (r) => ({
    type: "telegram",
    url: r.url("url", "https://api.telegram.org"),
    token: r.required("token", { secret: true }),
    chatId: r.required("chat_id"),
  }),
  discord: (r) => ({ type: "discord", url: r.url("url") }),
  slack: (r) => ({ type: "slack", url: r.url("url") }),
  gotify: (r) => ({
    type: "gotify",
    url: r.url("url"),
    token: r.required("token", { secret: true }),
    ...optional("priority", r.priority(0, 10)),
  }),
  pushover: (r) => ({
    type: "pushover",
    url: r.url("url", "https://api.pushover.net"),
    token: r.required("token", { secret: true }),
    user: r.required("user", { secret: true }),
    ...optional("priority", r.priority(-2, 2)),
  }),
  matrix: (r) => {
    const room = r.required("room");
    if (room && !/^![^:\s]+:\S+$/.test(room)) {
      r.c.error(`${r.path}.room`, "must be a room id like !abc:example.org");
    }
    return {
      type: "matrix",
      url: r.url("url"),
      token: r.required("token", { secret: true }),
      room,
    };
  },
  teams: (r) => ({ type: "teams", url: r.url("url") }),
  email: readEmail,
};

/** Email: SMTP host, port by `tls`, optional login, From and a non-empty list of recipients. */
function readEmail(r: Reader): Specific<"email"> {
  const tls = r.text("tls") ?? "starttls";
  if (tls !== "starttls" && tls !== "tls" && tls !== "none") {
    r.c.error(`${r.path}.tls`, `${describe(tls)} is not one of starttls, tls, none`);
  }
  const host = r.required("host");
  if (/\s/.test(host)) r.c.error(`${r.path}.host`, "must be a host name or address");
  const username = r.text("username");
  const password = r.text("password", { secret: true });
  if (password && !username) r.c.error(`${r.path}.username`, "is required with password");
  const from = r.required("from");
  if (from && !isAddress(from)) {
    r.c.error(`${r.path}.from`, 'must be an address, e.g. "StreamPulse <sp@example.org>"');
  }
  return {
    type: "email",
    host,
    port: r.c.port(r.m, "port", r.path, tls === "tls" ? 465 : tls === "none" ? 25 : 587),
    tls: tls as Specific<"email">["tls"],
    ...optional("username", username),
    ...optional("password", password),
    from,
    to: r.recipients("to"),
    tlsInsecure: r.c.bool(r.m, "tls_insecure", r.path, false),
  };
}

/** What {@link parseChannels} found. */
export interface ParsedChannels {
  /** The valid channels, in file order. */
  channels: ChannelConfig[];
  /** Every name written, valid entry or not (a rule naming a broken channel is not reported twice). */
  names: Set<string>;
}

/** Reads `alerts.channels` (a list of mappings); problems are recorded in `c`. */
export function parseChannels(value: unknown, c: Checker, path: string): ParsedChannels {
  const out: ParsedChannels = { channels: [], names: new Set() };
  if (value == null) return out;
  if (!Array.isArray(value)) {
    c.error(path, `must be a list, got ${describe(value)}`);
    return out;
  }
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const before = c.errors.length;
    const [name, channel] = parseChannel(item, at, c);
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined) {
      c.error(`${at}.name`, `duplicate name "${name}" (also ${path}[${first}])`);
    } else seen.set(name, i);
    out.names.add(name);
    if (channel && c.errors.length === before) out.channels.push(channel);
  });
  return out;
}

/**
 * One channel entry: its usable name (if any) and the channel, undefined when its name or type
 * is unusable (problems recorded).
 */
function parseChannel(
  item: unknown,
  path: string,
  c: Checker,
): [string | undefined, ChannelConfig | undefined] {
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    c.error(path, `must be a mapping with name and type, got ${describe(item)}`);
    return [undefined, undefined];
  }
  const m = item as YamlMap;
  const name = c.string(m, "name", path)?.trim();
  if (!name) c.error(`${path}.name`, "is required");
  else if (name.length > MAX_CHANNEL_NAME) {
    c.error(`${path}.name`, `must be at most ${MAX_CHANNEL_NAME} characters`);
  }
  const usable = name && name.length <= MAX_CHANNEL_NAME ? name : undefined;
  const type = c.string(m, "type", path)?.trim();
  const known = (CHANNEL_TYPES as readonly string[]).includes(type ?? "");
  if (!type) c.error(`${path}.type`, `is required (one of ${CHANNEL_TYPES.join(", ")})`);
  else if (!known) {
    c.error(`${path}.type`, `${describe(type)} is not one of ${CHANNEL_TYPES.join(", ")}`);
  }
  if (!usable || !known) return [usable, undefined];
  const t = type as ChannelType;
  const allowed = [...COMMON_KEYS, ...KEYS[t]];
  for (const key of Object.keys(m)) {
    if (!allowed.includes(key)) {
      const meant = suggestKey(key, allowed);
      c.warn(
        `${path}.${key.slice(0, 60)}`,
        meant === undefined
          ? `unknown key (ignored); ${t} takes ${KEYS[t].join(", ")}`
          : `unknown key — did you mean ${JSON.stringify(meant)}?`,
      );
    }
  }
  const r = new Reader(m, path, c);
  return [usable, {
    name: usable,
    ...READERS[t](r),
    ...optional("title", r.template("title")),
    ...optional("message", r.template("message")),
  }];
}
