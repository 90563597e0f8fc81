/**
 * The Alerts page's forms, pure: channel, rule and maintenance-window values ⇄ edits of the
 * `alerts:` block (comments and unknown keys survive), and the loader's problems placed by field.
 */

import { type Document, isMap, isSeq, type YAMLMap, YAMLSeq } from "yaml";
import type { ChannelType, ConfigProblem } from "../monitor/config/mod.ts";
import { formatInZone, maskUrl } from "../monitor/mod.ts";
import { type Edit, type FieldProblems, numberOr, problemsFor, setKey } from "./config_edit.ts";

/** How a channel key is edited; `secret` is write-only, `url` is write-only when it is secret. */
export type ChannelFieldKind =
  | "text"
  | "textarea"
  | "number"
  | "bool"
  | "list"
  | "tls"
  | "secret"
  | "url"
  | "headers";

/** One key of a channel form. */
export interface ChannelField {
  key: string;
  label: string;
  kind: ChannelFieldKind;
  hint?: string;
}

const f = (key: string, label: string, kind: ChannelFieldKind, hint?: string): ChannelField => ({
  key,
  label,
  kind,
  hint,
});
const PRIORITY = f("priority", "Priority", "number", "Blank: the channel's default");

/** The keys of each channel type, in form order (`name`, `title` and `message` come with all). */
export const CHANNEL_FIELDS: Record<ChannelType, ChannelField[]> = {
  webhook: [
    f("url", "URL", "url"),
    f("headers", "Extra headers", "headers", "Values are write-only"),
    f("body", "Body template", "textarea", "Liquid; blank: the documented JSON"),
  ],
  ntfy: [
    f("url", "Topic URL", "url", "e.g. https://ntfy.sh/mytopic"),
    f("token", "Access token", "secret"),
    f("username", "Username", "text"),
    f("password", "Password", "secret"),
    PRIORITY,
  ],
  telegram: [
    f("url", "Bot API base", "url", "Blank: https://api.telegram.org"),
    f("token", "Bot token", "secret"),
    f("chat_id", "Chat id", "text", "A number or @channelusername"),
  ],
  discord: [f("url", "Webhook URL", "url")],
  slack: [f("url", "Incoming-webhook URL", "url")],
  gotify: [f("url", "Server URL", "url"), f("token", "Application token", "secret"), PRIORITY],
  pushover: [
    f("url", "API base", "url", "Blank: https://api.pushover.net"),
    f("token", "Application token", "secret"),
    f("user", "User or group key", "secret"),
    PRIORITY,
  ],
  matrix: [
    f("url", "Homeserver URL", "url"),
    f("token", "Access token", "secret"),
    f("room", "Room id", "text", "e.g. !abc:example.org"),
  ],
  teams: [f("url", "Workflow webhook URL", "url")],
  email: [
    f("host", "SMTP host", "text"),
    f("port", "Port", "number", "Blank: 587 (starttls), 465 (tls), 25 (none)"),
    f("tls", "TLS", "tls"),
    f("username", "Username", "text"),
    f("password", "Password", "secret"),
    f("from", "From", "text", "e.g. StreamPulse <sp@example.org>"),
    f("to", "To", "list", "Addresses, separated by commas"),
    f("tls_insecure", "Accept untrusted server certificates", "bool"),
  ],
};

/** The keys every channel has after its type's own. */
export const COMMON_FIELDS: ChannelField[] = [
  f("title", "Title template", "text", "Liquid; blank: the built-in title"),
  f("message", "Message template", "textarea", "Liquid; blank: the built-in message"),
];

/** The channel types, in the order the page offers them. */
export const CHANNEL_TYPE_NAMES = Object.keys(CHANNEL_FIELDS) as ChannelType[];

/** Types whose URL carries the key itself (a webhook URL is as good as a password). */
const SECRET_URL_TYPES = new Set<string>(["webhook", "discord", "slack", "teams"]);

/** True when a channel's URL must be write-only: it carries a key, user-info or a query. */
export function urlIsSecret(type: string, url: unknown): boolean {
  if (SECRET_URL_TYPES.has(type)) return true;
  return typeof url === "string" && (maskUrl(url) !== url || url.includes("?"));
}

/** Most header rows a webhook form sends back. */
export const MAX_HEADERS = 20;

/** What a channel form shows: never a secret value, only whether one is stored. */
export interface ChannelForm {
  type: string;
  /** Text per YAML key ("on" for a set switch); secret keys are absent. */
  values: Record<string, string>;
  /** Secret keys (token, password, a secret url) that have a stored value: "•••• set". */
  set: string[];
  /** Header names (their values are secret). */
  headers: string[];
}

type Body = Record<string, unknown>;
const text = (b: Body, k: string) => (typeof b[k] === "string" ? (b[k] as string).trim() : "");
const plain = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const listText = (v: unknown) => (Array.isArray(v) ? v.map(plain).join(", ") : plain(v));
const splitList = (s: string) => s.split(/[,\n]/).map((x) => x.trim()).filter(Boolean);
const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};

/** The fields of a type's form (unknown types: only the common ones). */
export function fieldsOf(type: string): ChannelField[] {
  const own = Object.hasOwn(CHANNEL_FIELDS, type) ? CHANNEL_FIELDS[type as ChannelType] : [];
  return [...own, ...COMMON_FIELDS];
}

/** The form of a stored channel (a `channels[i]` mapping of the YAML tree). */
export function channelFormOf(raw: unknown): ChannelForm {
  const r = rec(raw);
  const type = plain(r.type);
  const form: ChannelForm = { type, values: { name: plain(r.name) }, set: [], headers: [] };
  for (const fl of fieldsOf(type)) {
    const v = r[fl.key];
    if (fl.kind === "secret" || (fl.kind === "url" && urlIsSecret(type, v))) {
      if (plain(v) !== "") form.set.push(fl.key);
    } else if (fl.kind === "headers") form.headers = Object.keys(rec(v));
    else if (fl.kind === "bool") form.values[fl.key] = v === true ? "on" : "";
    else form.values[fl.key] = fl.kind === "list" ? listText(v) : plain(v);
  }
  return form;
}

/** The form as the user submitted it, for showing again after a refused save (no secrets). */
export function channelFormFrom(b: Body, stored: ChannelForm | undefined): ChannelForm {
  const type = stored?.type ?? text(b, "type");
  const form: ChannelForm = { type, values: { name: text(b, "name") }, set: [], headers: [] };
  for (const fl of fieldsOf(type)) {
    const writeOnly = fl.kind === "secret" ||
      (fl.kind === "url" && (stored?.set.includes("url") || urlIsSecret(type, undefined)));
    if (writeOnly) {
      if (stored?.set.includes(fl.key) && text(b, `${fl.key}_clear`) !== "on") {
        form.set.push(fl.key);
      }
    } else if (fl.kind === "headers") form.headers = headerRows(b).map((h) => h.name);
    else form.values[fl.key] = text(b, fl.key);
  }
  return form;
}

/** The header rows of a webhook form: `header_name_N`, `header_value_N`, `header_was_N`. */
function headerRows(b: Body): Array<{ name: string; value: string; was: string }> {
  const rows = [];
  for (let i = 0; i < MAX_HEADERS; i++) {
    const name = text(b, `header_name_${i}`);
    if (name) {
      rows.push({ name, value: text(b, `header_value_${i}`), was: text(b, `header_was_${i}`) });
    }
  }
  return rows;
}

/** The `alerts.<key>` list of the document, created (as a block list) when missing. */
function listOf(doc: Document, key: "channels" | "rules" | "maintenance"): YAMLSeq {
  if (!isMap(doc.get("alerts", true))) doc.set("alerts", doc.createNode({}));
  const alerts = doc.get("alerts", true) as YAMLMap;
  const found: unknown = alerts.get(key, true);
  const seq = isSeq(found) ? found : new YAMLSeq(doc.schema);
  if (seq !== found) alerts.set(key, seq);
  seq.flow = false; // `channels: []` becomes a block list
  return seq;
}

/** The items of `alerts.<key>` as written (for the forms; absent: []). */
export function alertsList(raw: Record<string, unknown>, key: string): unknown[] {
  const v = rec(raw.alerts)[key];
  return Array.isArray(v) ? v : [];
}

/** Index of the channel named `name` in the document's `alerts.channels`, or -1. */
export function channelIndex(doc: Document, name: string): number {
  const seq = doc.getIn(["alerts", "channels"], true);
  if (!isSeq(seq)) return -1;
  return seq.items.findIndex((it) => isMap(it) && plain(it.get("name")).trim() === name);
}

const flowList = (doc: Document, items: string[]) => {
  const node = doc.createNode(items) as YAMLSeq;
  node.flow = true;
  return node;
};

/**
 * The edit adding a channel (no `original`) or changing the one named `original` in place (its
 * type stays). A blank secret keeps the stored one; `<key>_clear` removes it. A rename is
 * carried into every rule that names the channel.
 */
export function editChannel(b: Body, original?: string): Edit {
  return (doc) => {
    const seq = listOf(doc, "channels");
    const at = original === undefined ? -1 : channelIndex(doc, original);
    let item: YAMLMap;
    if (at >= 0) item = seq.items[at] as YAMLMap;
    else {
      item = doc.createNode({ name: text(b, "name"), type: text(b, "type") }) as YAMLMap;
      seq.items.push(item);
    }
    const type = plain(item.get("type"));
    const name = text(b, "name");
    setKey(item, "name", name);
    for (const fl of fieldsOf(type)) {
      const typed = typeof b[fl.key] === "string" ? (b[fl.key] as string) : "";
      if (fl.kind === "secret" || (fl.kind === "url" && urlIsSecret(type, item.get("url")))) {
        if (text(b, `${fl.key}_clear`) === "on") item.delete(fl.key);
        else if (typed.trim() !== "") {
          item.set(fl.key, fl.key === "password" ? typed : typed.trim());
        }
      } else if (fl.kind === "headers") {
        const stored = rec(item.toJSON().headers);
        const next: Record<string, string> = {};
        for (const h of headerRows(b)) next[h.name] = h.value || plain(stored[h.was || h.name]);
        if (Object.keys(next).length === 0) item.delete("headers");
        else item.set("headers", doc.createNode(next));
      } else if (fl.kind === "bool") setKey(item, fl.key, text(b, fl.key) === "on", false);
      else if (fl.kind === "number") setKey(item, fl.key, numberOr(text(b, fl.key)));
      else if (fl.kind === "list") {
        const items = splitList(text(b, fl.key));
        if (items.length === 0) item.delete(fl.key);
        else item.set(fl.key, flowList(doc, items));
      } else setKey(item, fl.key, fl.kind === "textarea" ? typed.trimEnd() : typed.trim());
    }
    if (original !== undefined && at >= 0 && name !== original) renameInRules(doc, original, name);
  };
}

/** Replaces `from` with `to` in every rule's `channels` list. */
function renameInRules(doc: Document, from: string, to: string): void {
  const rules = doc.getIn(["alerts", "rules"], true);
  if (!isSeq(rules)) return;
  for (const rule of rules.items) {
    const chans = isMap(rule) ? rule.get("channels", true) : undefined;
    if (!isSeq(chans)) continue;
    chans.items.forEach((it, i) => {
      if (plain((it as { value?: unknown })?.value ?? it) === from) chans.set(i, to);
    });
  }
}

/** The edit removing the channel named `name` (a rule still naming it makes the save fail). */
export function deleteChannel(name: string): Edit {
  return (doc) => {
    const at = channelIndex(doc, name);
    if (at >= 0) (doc.getIn(["alerts", "channels"], true) as YAMLSeq).items.splice(at, 1);
  };
}

/** The edit removing `alerts.<key>[index]`. */
export function deleteItem(key: "rules" | "maintenance", index: number): Edit {
  return (doc) => {
    const seq = doc.getIn(["alerts", key], true);
    if (isSeq(seq) && index >= 0 && index < seq.items.length) seq.items.splice(index, 1);
  };
}

/** What a rule form shows and sends (filters as comma-separated text). */
export interface RuleForm {
  channels: string[];
  states: string[];
  streams: string;
  tags: string;
  sites: string;
  after_seconds: string;
  resolved: boolean;
  remind_minutes: string;
}

const all = (b: Body, k: string): string[] => {
  const v = b[k];
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return arr.filter((x): x is string => typeof x === "string").map((x) => x.trim()).filter(
    Boolean,
  );
};
const sitesOf = (r: Record<string, unknown>) => listText(r.sites ?? r.site);

/** The form of a stored rule. */
export function ruleFormOf(raw: unknown): RuleForm {
  const r = rec(raw);
  const strs = (v: unknown) => (Array.isArray(v) ? v.map(plain) : v ? [plain(v)] : []);
  return {
    channels: strs(r.channels),
    states: r.states === undefined ? ["down"] : strs(r.states),
    streams: listText(r.streams),
    tags: listText(r.tags),
    sites: sitesOf(r),
    after_seconds: plain(r.after_seconds),
    resolved: r.resolved !== false,
    remind_minutes: plain(r.remind_minutes),
  };
}

/** A rule form as submitted (`channels` and `states` may repeat). */
export function ruleFormFrom(b: Body): RuleForm {
  return {
    channels: all(b, "channels"),
    states: all(b, "states"),
    streams: text(b, "streams"),
    tags: text(b, "tags"),
    sites: text(b, "sites"),
    after_seconds: text(b, "after_seconds"),
    resolved: text(b, "resolved") === "on",
    remind_minutes: text(b, "remind_minutes"),
  };
}

/** Writes the stream filters of a rule or window: empty lists are removed, `site` kept single. */
function setFilters(
  doc: Document,
  item: YAMLMap,
  v: { streams: string; tags: string; sites: string },
) {
  for (const key of ["streams", "tags"] as const) {
    const items = splitList(v[key]);
    if (items.length === 0) item.delete(key);
    else item.set(key, flowList(doc, items));
  }
  const sites = splitList(v.sites);
  if (sites.length === 1 && item.has("site")) item.set("site", sites[0]);
  else {
    item.delete("site");
    if (sites.length === 0) item.delete("sites");
    else item.set("sites", flowList(doc, sites));
  }
}

/** The item at `index` of `alerts.<key>`, or a new one appended (no index or out of range). */
function itemAt(doc: Document, key: "rules" | "maintenance", index?: number): YAMLMap {
  const seq = listOf(doc, key);
  if (index !== undefined && isMap(seq.items[index])) return seq.items[index] as YAMLMap;
  const item = doc.createNode({}) as YAMLMap;
  seq.items.push(item);
  return item;
}

/** The edit adding a rule (no `index`) or replacing `alerts.rules[index]` in place. */
export function editRule(v: RuleForm, index?: number): Edit {
  return (doc) => {
    const item = itemAt(doc, "rules", index);
    item.set("channels", flowList(doc, v.channels));
    item.set("states", flowList(doc, v.states));
    setFilters(doc, item, v);
    setKey(item, "after_seconds", v.after_seconds ? numberOr(v.after_seconds) : undefined);
    setKey(item, "resolved", v.resolved, true);
    setKey(item, "remind_minutes", v.remind_minutes ? numberOr(v.remind_minutes) : undefined);
  };
}

/** What a maintenance form shows and sends; `from`/`to` are datetime-local in the config's zone. */
export interface WindowForm {
  name: string;
  mode: "once" | "cron";
  from: string;
  to: string;
  cron: string;
  minutes: string;
  streams: string;
  tags: string;
  sites: string;
}

/** An instant as `YYYY-MM-DDTHH:MM` on the wall clock of `timeZone` (a datetime-local value). */
export function toLocalInput(ms: number, timeZone: string): string {
  return formatInZone(ms, timeZone).slice(0, 16);
}

/**
 * A datetime-local value read on the wall clock of `timeZone`, as ISO-8601 with that zone's
 * offset (`2025-12-01T03:00:00+01:00`); text that is no such value comes back unchanged, for
 * the loader to name.
 */
export function fromLocalInput(value: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return value;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  const offset = (ms: number) => {
    const s = formatInZone(ms, timeZone);
    const sign = s.at(-6) === "-" ? -1 : 1;
    return sign * (Number(s.slice(-5, -3)) * 60 + Number(s.slice(-2))) * 60_000;
  };
  let ms = wall - offset(wall);
  ms = wall - offset(ms); // the offset at the instant itself (differs near a DST change)
  return formatInZone(ms, timeZone);
}

const instant = (v: unknown) =>
  typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : NaN;

/** The form of a stored maintenance window. */
export function windowFormOf(raw: unknown, timeZone: string): WindowForm {
  const r = rec(raw);
  const local = (v: unknown) => {
    const ms = instant(v);
    return Number.isFinite(ms) ? toLocalInput(ms, timeZone) : plain(v);
  };
  return {
    name: plain(r.name),
    mode: r.cron !== undefined ? "cron" : "once",
    from: local(r.from),
    to: local(r.to),
    cron: plain(r.cron),
    minutes: plain(r.minutes),
    streams: listText(r.streams),
    tags: listText(r.tags),
    sites: sitesOf(r),
  };
}

/** A maintenance form as submitted. */
export function windowFormFrom(b: Body): WindowForm {
  const keys = ["name", "from", "to", "cron", "minutes", "streams", "tags", "sites"] as const;
  const v = Object.fromEntries(keys.map((k) => [k, text(b, k)])) as Omit<WindowForm, "mode">;
  return { ...v, mode: text(b, "mode") === "cron" ? "cron" : "once" };
}

/** The edit adding a window (no `index`) or replacing `alerts.maintenance[index]` in place. */
export function editWindow(v: WindowForm, timeZone: string, index?: number): Edit {
  return (doc) => {
    const item = itemAt(doc, "maintenance", index);
    setKey(item, "name", v.name);
    const cron = v.mode === "cron";
    setKey(item, "cron", cron ? v.cron : undefined);
    setKey(item, "minutes", cron && v.minutes ? numberOr(v.minutes) : undefined);
    setKey(item, "from", cron || !v.from ? undefined : fromLocalInput(v.from, timeZone));
    setKey(item, "to", cron || !v.to ? undefined : fromLocalInput(v.to, timeZone));
    setFilters(doc, item, v);
  };
}

/**
 * Sorts the loader's problems of `alerts.<list>[index]` by form field, by their structured
 * path: the entry itself belongs to `whole`, `…[i].site` to "sites", `…[i].headers.X` to
 * "headers", any other key to the field of that name when the form has one; the rest is listed
 * apart, so no problem goes unshown.
 */
export function alertProblems(
  problems: readonly ConfigProblem[],
  list: "channels" | "rules" | "maintenance",
  index: number,
  fields: readonly string[],
): FieldProblems {
  const entry = `alerts.${list}[${index}]`;
  const whole = list === "rules" ? "channels" : "name";
  return problemsFor(problems, ({ path }) => {
    if (path === entry) return whole;
    if (!path.startsWith(`${entry}.`)) return undefined;
    const key = /^[^.[]+/.exec(path.slice(entry.length + 1))?.[0] ?? "";
    const field = key === "site" ? "sites" : key;
    return fields.includes(field) ? field : undefined;
  });
}
