/**
 * The engine's records (an outage per stream and rule, a subject per alert) and the helpers that
 * fold them: host:port batches, parent chains, the worst state, building and merging alerts.
 */

import type { StreamConfig, StreamState } from "../types.ts";
import type { Alert, AlertEvent, AlertStream } from "./types.ts";

/** What the engine knows of a stream now (from the bus, or restored). */
export interface Live {
  state: StreamState;
  /** When `state` began. */
  since: number;
  /** When the stream last went from not failing to failing (down or degraded). */
  failingSince: number;
  /** The latest change's cause (credentials already masked by the monitor). */
  cause: string;
}

/** One stream's outage under one rule, from its start to its recovery. */
export interface Outage {
  name: string;
  /** When the outage began for this rule (its alerts' keys carry it). */
  since: number;
  /**
   * When the wait for the first alert began before any suppression moved it: the outage's start,
   * a parent's recovery, or a batch's flush that found it suppressed. Mutes and reloads count
   * from here again.
   */
  base: number;
  /** When the wait last (re)started: `base`, or the end of a suppression after it. */
  origin: number;
  /** When the first alert falls due (a maintenance window or mute may have moved it). */
  due: number;
  /** Bumped whenever a queued entry about this outage becomes stale. */
  gen: number;
  /**
   * pending: waiting for its first alert; batched: in a host batch not yet sent; alerted: its
   * subject was sent; folded: listed under a failing ancestor instead.
   */
  phase: "pending" | "batched" | "alerted" | "folded";
  /** The alert that carries it (batched, alerted). */
  subject?: Subject;
  /** The ancestor it is folded into (folded). */
  into?: string;
  ended: boolean;
  /** The stream's state and cause when the outage ended. */
  final?: { state: StreamState; cause: string };
  /** Folded streams still listed when this outage ended (they recovered while folded). */
  foldedFinal: Outage[];
}

/** One alert being decided: a single stream, a parent with its folded streams, or a host batch. */
export interface Subject {
  /** The key's first part: the stream, `parent:<name>` or `host:<host:port>`. */
  base: string;
  /** `Alert.stream`: the stream, the parent or the host:port. */
  title: string;
  group?: { by: "parent" | "host"; key: string };
  /** The host:port of a host batch. */
  host?: string;
  /** The lead's outage start (the key's time). */
  since: number;
  /** The streams the alert is about, the lead first (folded streams come from their ancestor). */
  members: Outage[];
  /** When its first alert is (or was) due; reminders count from here. */
  at: number;
  sent: boolean;
  /** The "down" event went out (first alert or escalation from degraded). */
  sentDown: boolean;
  acked: boolean;
  note?: string;
  closed: boolean;
  gen: number;
}

/** A new subject, not yet sent. */
export function newSubject(
  fields: Pick<Subject, "base" | "title" | "group" | "host" | "since" | "members" | "at">,
): Subject {
  return { ...fields, sent: false, sentDown: false, acked: false, closed: false, gen: 0 };
}

/** The key base, title and group of a stream's own alert: `parent:` when streams depend on it. */
export function ownSubject(
  name: string,
  isParent: boolean,
): Pick<Subject, "base" | "title" | "group"> {
  return isParent
    ? { base: `parent:${name}`, title: name, group: { by: "parent", key: name } }
    : { base: name, title: name, group: undefined };
}

/** Streams per host:port among `streams` (those without a host are not counted). */
export function hostCounts(streams: Iterable<{ host: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { host } of streams) if (host) counts.set(host, (counts.get(host) ?? 0) + 1);
  return counts;
}

/**
 * The ancestor a failing stream folds into: the top of the unbroken chain of failing ancestors
 * (parent, grandparent…), or undefined when its parent is not failing. Cycles end the walk.
 */
export function foldTarget(
  name: string,
  parentOf: (name: string) => string | undefined,
  failing: (name: string) => boolean,
): string | undefined {
  const seen = new Set([name]);
  let top: string | undefined;
  for (let p = parentOf(name); p !== undefined && !seen.has(p) && failing(p); p = parentOf(p)) {
    top = p;
    seen.add(p);
  }
  return top;
}

const SEVERITY: Record<StreamState, number> = { up: 0, unknown: 1, degraded: 2, down: 3 };

/** The worst of `states` (down > degraded > unknown > up); "up" for none. */
export function worstState(states: Iterable<StreamState>): StreamState {
  let worst: StreamState = "up";
  for (const s of states) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/** What building an alert needs to know beyond the subject. */
export interface AlertView {
  live(name: string): Live | undefined;
  stream(name: string): StreamConfig | undefined;
  /** The outages folded into `o` now (or when it ended). */
  folded(o: Outage): Outage[];
}

/** Every outage a subject lists, the lead first, each stream once. */
export function listed(s: Subject, view: AlertView): Outage[] {
  const out: Outage[] = [];
  const seen = new Set<string>();
  for (const m of s.members) {
    for (const o of [m, ...view.folded(m)]) {
      if (!seen.has(o.name)) out.push(o), seen.add(o.name);
    }
  }
  return out;
}

/** One stream as an alert lists it. */
function alertStream(o: Outage, view: AlertView): AlertStream {
  const live = view.live(o.name);
  const cfg = view.stream(o.name);
  const now = o.ended ? o.final : live;
  return {
    name: o.name,
    state: now?.state ?? "unknown",
    cause: now?.cause ?? "",
    since: o.since,
    tags: [...(cfg?.tags ?? [])],
    ...(cfg?.site !== undefined ? { site: cfg.site } : {}),
  };
}

/**
 * The alert for `event` of a subject, decided at `ts`. Its key is `<base>@<since>:<event>`, a
 * reminder's `<base>@<since>:reminder#<n>`; `state` is the worst of the streams still failing
 * ("up" in a recovery). Links are left to the caller.
 */
export function buildAlert(
  s: Subject,
  event: AlertEvent,
  ts: number,
  view: AlertView,
  n?: number,
): Alert {
  const all = listed(s, view);
  const streams = all.map((o) => alertStream(o, view));
  const failing = streams.filter((_, i) => !all[i].ended).map((x) => x.state);
  const state = event === "resolved" ? "up" : worstState(failing.length ? failing : ["down"]);
  return {
    key: `${s.base}@${s.since}:${event}${event === "reminder" ? `#${n ?? 1}` : ""}`,
    event,
    stream: s.title,
    state,
    cause: streams[0]?.cause ?? "",
    since: s.since,
    ts,
    streams,
    ...(s.group ? { group: { ...s.group } } : {}),
    ...(s.note !== undefined ? { note: s.note } : {}),
    links: {},
  };
}

/**
 * Merges decisions with the same alert key (several rules deciding the same alert): one decision
 * with the union of channels (and of listed streams), in first-seen order. Decisions without a
 * channel are dropped.
 */
export function mergeDecisions(
  list: { alert: Alert; channels: string[] }[],
): { alert: Alert; channels: string[] }[] {
  const byKey = new Map<string, { alert: Alert; channels: string[] }>();
  for (const d of list) {
    const had = byKey.get(d.alert.key);
    if (!had) {
      byKey.set(d.alert.key, { alert: d.alert, channels: [...new Set(d.channels)] });
      continue;
    }
    for (const c of d.channels) if (!had.channels.includes(c)) had.channels.push(c);
    for (const x of d.alert.streams) {
      if (!had.alert.streams.some((y) => y.name === x.name)) had.alert.streams.push(x);
    }
  }
  return [...byKey.values()].filter((d) => d.channels.length > 0);
}
