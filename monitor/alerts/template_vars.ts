/** The variables an alert offers to templates, and the built-in title and body made from them. */

import { formatInZone } from "../time.ts";
import type { Alert } from "./types.ts";

/** One stream of {@link AlertVariables.streams}. */
export interface StreamVariables {
  name: string;
  state: string;
  cause: string;
  /** ISO-8601 in the configured time zone. */
  since: string;
  tags: string[];
  site: string | null;
}

/** What a template sees; see {@link alertVariables} for each name. */
export interface AlertVariables {
  event: Alert["event"];
  stream: string;
  state: string;
  cause: string;
  since: string;
  duration: string;
  ts: string;
  count: number;
  streams: StreamVariables[];
  group: { by: "parent" | "host"; key: string } | null;
  note: string | null;
  links: {
    dashboard: string | null;
    stream: string | null;
    failure_snapshot: string | null;
    last_snapshot: string | null;
  };
}

/** At most this many streams are named in the built-in body of a grouped alert. */
export const MAX_LISTED_STREAMS = 50;

/**
 * The template variables of `alert`, times written in `timeZone`:
 * - `event`: `down`, `degraded`, `resolved` or `reminder`;
 * - `stream`: the stream's name (a grouped alert: its parent, or host:port);
 * - `state`: `down`, `degraded`, `up` (in a recovery) or `unknown`;
 * - `cause`: why, for the lead stream (credentials already masked);
 * - `since`: when the outage began, ISO-8601 in the time zone (`2026-12-01T13:05:00+01:00`);
 * - `duration`: from `since` to `ts`, e.g. `4 min 10 s`;
 * - `ts`: when the alert was decided, ISO-8601 in the time zone;
 * - `count`: how many streams the alert covers (1 unless grouped);
 * - `streams`: every stream, the lead first, each `{name, state, cause, since, tags, site}`
 *   (`since` ISO-8601 in the time zone, `site` nil when unset);
 * - `group`: `{by, key}` (`by` is `parent` or `host`) for a grouped alert, else nil;
 * - `note`: the acknowledgement note, else nil;
 * - `links`: `{dashboard, stream, failure_snapshot, last_snapshot}`, each an absolute URL or
 *   nil (all nil unless `alerts.base_url` is set).
 *
 * Liquid filters work on them, e.g. `{{ stream | upcase }}`, `{{ since | date: "%H:%M" }}`
 * (kept in the time zone), `{{ streams | map: "name" | join: ", " }}`; output is not escaped:
 * a webhook `body` that builds JSON should write strings with `| json`.
 */
export function alertVariables(alert: Alert, timeZone: string): AlertVariables {
  const links = alert.links ?? {};
  return {
    event: alert.event,
    stream: alert.stream,
    state: alert.state,
    cause: alert.cause,
    since: formatInZone(alert.since, timeZone),
    duration: formatDuration(alert.ts - alert.since),
    ts: formatInZone(alert.ts, timeZone),
    count: alert.streams.length,
    streams: alert.streams.map((s) => ({
      name: s.name,
      state: s.state,
      cause: s.cause,
      since: formatInZone(s.since, timeZone),
      tags: [...s.tags],
      site: s.site ?? null,
    })),
    group: alert.group ? { by: alert.group.by, key: alert.group.key } : null,
    note: alert.note ?? null,
    links: {
      dashboard: links.dashboard ?? null,
      stream: links.stream ?? null,
      failure_snapshot: links.failureSnapshot ?? null,
      last_snapshot: links.lastSnapshot ?? null,
    },
  };
}

/** `ms` as people read it: `42 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h` (negative counts as 0). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pair = (a: number, ua: string, b: number, ub: string) =>
    b > 0 ? `${a} ${ua} ${b} ${ub}` : `${a} ${ua}`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return pair(Math.floor(s / 60), "min", s % 60, "s");
  if (s < 86400) return pair(Math.floor(s / 3600), "h", Math.floor((s % 3600) / 60), "min");
  return pair(Math.floor(s / 86400), "d", Math.floor((s % 86400) / 3600), "h");
}

/**
 * The built-in title: `{{stream}} is {{state}}` (down/degraded), `{{stream}} recovered`
 * (resolved), `Still {{state}}: {{stream}}` (reminder); a grouped alert names the group,
 * e.g. `12 streams on cam-host:554 are down`.
 */
export function builtinTitle(v: AlertVariables): string {
  const subject = v.group ? `${v.count} streams on ${v.group.key}` : v.stream;
  const verb = v.group ? "are" : "is";
  if (v.event === "resolved") return `${subject} recovered`;
  if (v.event === "reminder") return `Still ${v.state}: ${subject}`;
  return `${subject} ${verb} ${v.state}`;
}

/**
 * The built-in body: the cause, since when and for how long, the streams of a group (at most
 * {@link MAX_LISTED_STREAMS} named, then "and N more"), the note and the links.
 */
export function builtinBody(v: AlertVariables): string {
  const lines: string[] = [];
  if (v.event === "resolved") {
    lines.push(`Back up after ${v.duration} (failing since ${v.since}).`);
  } else {
    lines.push(`Cause: ${v.cause}`, `Since: ${v.since} (${v.duration})`);
  }
  if (v.group) {
    lines.push("", `Streams (${v.count}):`);
    for (const s of v.streams.slice(0, MAX_LISTED_STREAMS)) {
      lines.push(v.event === "resolved" ? `- ${s.name}` : `- ${s.name} (${s.state}): ${s.cause}`);
    }
    if (v.count > MAX_LISTED_STREAMS) lines.push(`and ${v.count - MAX_LISTED_STREAMS} more`);
  }
  if (v.note) lines.push("", `Note: ${v.note}`);
  const links: [string, string | null][] = [
    ["Dashboard", v.links.dashboard],
    ["Stream", v.links.stream],
    ["Failure snapshot", v.links.failure_snapshot],
    ["Last good snapshot", v.links.last_snapshot],
  ];
  const present = links.filter(([, url]) => url);
  if (present.length) lines.push("", ...present.map(([label, url]) => `${label}: ${url}`));
  return lines.join("\n");
}

/**
 * `text` cut to at most `max` characters, the last one "…" when cut; a surrogate pair is never
 * split.
 */
export function clipChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const c = text.charCodeAt(end - 1);
  if (end > 0 && c >= 0xd800 && c <= 0xdbff) end--; // a high surrogate would lose its pair
  return `${text.slice(0, end)}…`;
}

/** `text` on one line: line breaks and tabs become spaces, runs of them one space, trimmed. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ").trim();
}
