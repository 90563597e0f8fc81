/**
 * The alert decision engine: confirmed state changes in, alerts out. Pure: time is an argument,
 * no timers, no store.
 *
 * Per rule, each failing stream has an outage (states of the rule; `unknown` is no information:
 * a change to it is ignored, a change from it is read against the last known state). Its first
 * alert falls due `after_seconds` after the outage began; then, in this order:
 *
 * | at the due time                                | decision                                   |
 * |------------------------------------------------|--------------------------------------------|
 * | a maintenance window or mute overlaps the wait | wait again from the suppression's end      |
 * | its parent fails (per the rule's states)       | folded into the top failing ancestor       |
 * | its host:port has 2+ streams under the rule    | host batch: what falls due within          |
 * |                                                | group_seconds of the first goes out as one |
 * | it is a parent (others name it in `parent:`)   | its own alert after group_seconds, listing |
 * |                                                | the children that failed and folded into it|
 * | otherwise                                      | its own alert, at once                     |
 *
 * Later: degraded→down of a sent alert sends `down`; reminders every `remind_minutes` until
 * acknowledged (skipped while every listed stream is suppressed); the recovery of all of an
 * alert's streams sends `resolved` when the alert was sent (even inside a window: it closes an
 * incident people saw). A parent's recovery re-arms its still-failing folded streams from then.
 * Due work sits in a min-heap, so a tick costs O(due · log n), not O(streams × rules).
 */

import type { AlertRule, AlertsConfig, MaintenanceWindow } from "../config/mod.ts";
import type { StreamConfig, StreamState } from "../types.ts";
import { DueHeap } from "./due_heap.ts";
import {
  buildAlert,
  foldTarget,
  hostCounts,
  listed,
  type Live,
  mergeDecisions,
  newSubject,
  type Outage,
  ownSubject,
  type Subject,
} from "./grouping.ts";
import { hostKey } from "./host_key.ts";
import {
  activeWindow,
  alertTime,
  type CompiledWindow,
  compileWindows,
  coveredUntil,
  type Span,
  type SpansBetween,
  windowSpans,
} from "./maintenance.ts";
import { failsFor, isFailing, matchesFilter, outageStart, ruleId, rulesFor } from "./rules.ts";
import type { Alert, AlertEvent } from "./types.ts";

export { maintenanceIntervals } from "./maintenance.ts";

/** Dependencies of {@link createAlertEngine}. */
export interface EngineDeps {
  /** The config's time zone until `configure()` names one (cron windows are read in it). */
  timeZone: string;
}

/** One alert to send, and the channels (of every rule that decided it) to send it to. */
export interface Decision {
  alert: Alert;
  channels: string[];
}

/** One stream's last state from the store, for {@link AlertEngine.restore}. */
export interface RestoredState {
  name: string;
  state: StreamState;
  /** When `state` began. */
  since: number;
  cause: string;
  /** When the stream started failing, if earlier than `since` (degraded, then down). */
  failingSince?: number;
}

/** Options of {@link AlertEngine.restore}. */
export interface RestoreOptions {
  /** Keys already sent before the restart: the first tick after restore() leaves them out. */
  sent?: Iterable<string>;
}

/** The engine's face; see the module comment for what it decides. */
export interface AlertEngine {
  /**
   * Applies (or re-applies) the streams and the alerts block; keeps the state of what remains,
   * and of a stream renamed (matched by `id`), whose ongoing alert keeps its key.
   */
  configure(streams: StreamConfig[], alerts: AlertsConfig, timeZone: string): void;
  /** At startup: streams already failing resume their outage from `since` (same keys). */
  restore(states: RestoredState[], now: number, opts?: RestoreOptions): void;
  /** Feeds one confirmed state change (from the bus). */
  change(ev: { name: string; from: StreamState; to: StreamState; ts: number; cause: string }): void;
  /** Everything due at `now`: call it after each change and on a 1 s tick. */
  tick(now: number): Decision[];
  /** Mutes a stream until `until` (ms), or unmutes it (null: as of the latest time seen). */
  mute(name: string, until: number | null): void;
  /**
   * Acknowledges the ongoing outage of `name` (a stream, or an alert's `parent:…`/`host:…` base)
   * that began at or before `since`: its reminders stop, `note` goes into later messages. False
   * when nothing matches (e.g. an acknowledgement of an outage that already ended).
   */
  acknowledge(name: string, since: number, note: string): boolean;
  /** The maintenance window in force for a stream at `now`, if any. */
  inMaintenance(name: string, now: number): MaintenanceWindow | undefined;
  /** When the next tick could produce something (ms); undefined when nothing is pending. */
  nextDue(): number | undefined;
}

/** One rule's world: its outages, folded streams and open host batches. */
interface RuleState {
  rule: AlertRule;
  dead: boolean;
  outages: Map<string, Outage>;
  /** Ancestor name → the outages folded into it. */
  folded: Map<string, Outage[]>;
  hostCount: Map<string, number>;
  /** Host → its batch still waiting for group_seconds. */
  batches: Map<string, Subject>;
  /** Sent, not yet resolved. */
  open: Set<Subject>;
}

interface StreamInfo {
  config: StreamConfig;
  host: string;
  rules: RuleState[];
  windows: CompiledWindow[];
}

/** Creates an engine with no streams and no rules; call configure() first. */
export function createAlertEngine(deps: EngineDeps): AlertEngine {
  let groupMs = 10_000;
  let rules: RuleState[] = [];
  let infos = new Map<string, StreamInfo>();
  let parents = new Map<string, string>();
  let isParent = new Set<string>();
  const lives = new Map<string, Live>();
  const mutes = new Map<string, number>();
  const acks = new Map<string, string>();
  const heap = new DueHeap<DueItem>();
  let ready: Decision[] = [];
  let toEmit: { r: RuleState; s: Subject }[] = [];
  let sentBefore: Set<string> | undefined;
  let clock = -Infinity;

  const afterMs = (r: RuleState) => Math.max(0, r.rule.afterSeconds) * 1000;
  const remindMs = (r: RuleState) => Math.max(0, r.rule.remindMinutes) * 60_000;
  const spansOf = (name: string): SpansBetween => (from, to) => {
    const out: Span[] = [];
    for (const w of infos.get(name)?.windows ?? []) out.push(...windowSpans(w, from, to));
    const until = mutes.get(name);
    if (until !== undefined && until > from) out.push([-Infinity, until]);
    return out;
  };
  const suppressed = (name: string, t: number) => coveredUntil(spansOf(name), t) > t;
  const failingIn = (r: RuleState) => (name: string) =>
    infos.get(name)?.config.enabled === true &&
    failsFor(r.rule, lives.get(name)?.state ?? "unknown");
  const view = (r: RuleState) => ({
    live: (n: string) => lives.get(n),
    stream: (n: string) => infos.get(n)?.config,
    folded: (o: Outage) => o.ended ? o.foldedFinal : r.folded.get(o.name) ?? [],
  });
  const decide = (r: RuleState, s: Subject, event: AlertEvent, ts: number, n?: number) => ({
    alert: buildAlert(s, event, ts, view(r), n),
    channels: [...r.rule.channels],
  });
  const subjectOf = (r: RuleState, o: Outage): Subject | undefined => {
    if (o.phase === "folded") {
      const a = o.into === undefined ? undefined : r.outages.get(o.into);
      return a && a.phase !== "folded" ? a.subject : undefined;
    }
    return o.subject;
  };

  /** Queues an outage's first alert; `fromBase` forgets what suppressions did (mute, reload). */
  const schedule = (r: RuleState, o: Outage, fromBase = false) => {
    o.gen++;
    o.phase = "pending";
    o.subject = o.into = undefined;
    const t = alertTime(spansOf(o.name), fromBase ? o.base : o.origin, afterMs(r));
    o.origin = t.start;
    o.due = t.due;
    heap.push({ at: o.due, prio: 0, r, o, gen: o.gen });
  };
  /** Re-arms an outage's wait from `ts` (a parent's recovery, a suppressed batch member). */
  const rearm = (r: RuleState, o: Outage, ts: number) => {
    o.base = o.origin = Math.max(o.base, ts);
    schedule(r, o);
  };
  const openOutage = (r: RuleState, name: string, since: number) => {
    const o: Outage = {
      name,
      since,
      base: since,
      origin: since,
      due: since,
      gen: 0,
      phase: "pending",
      ended: false,
      foldedFinal: [],
    };
    r.outages.set(name, o);
    schedule(r, o);
  };
  const fold = (r: RuleState, o: Outage, into: string) => {
    o.gen++;
    o.phase = "folded";
    o.subject = undefined;
    o.into = into;
    const list = (r.folded.get(into) ?? []).filter((f) => f.name !== o.name);
    for (const child of r.folded.get(o.name) ?? []) list.push(child), child.into = into;
    r.folded.delete(o.name);
    r.folded.set(into, [...list, o]);
  };
  /** Re-arms the still-failing streams folded into `name` (it stopped failing for `r`). */
  const release = (r: RuleState, name: string, ts: number) => {
    const list = r.folded.get(name);
    if (!list) return;
    r.folded.delete(name);
    const own = r.outages.get(name);
    if (own) own.foldedFinal = list.filter((f) => f.ended);
    for (const f of list) if (!f.ended) rearm(r, f, ts);
  };
  /** Closes an alert whose streams all recovered: `resolved` if it was sent, unless `silent`. */
  const close = (r: RuleState, s: Subject, ts: number, silent: boolean) => {
    s.closed = true;
    s.gen++;
    r.open.delete(s);
    if (s.host !== undefined && r.batches.get(s.host) === s) r.batches.delete(s.host);
    if (s.sent && r.rule.resolved && !silent) ready.push(decide(r, s, "resolved", ts));
  };
  const endOutage = (r: RuleState, o: Outage, ts: number, silent = false) => {
    r.outages.delete(o.name);
    const live = lives.get(o.name);
    o.ended = true;
    o.final = { state: live?.state ?? "up", cause: live?.cause ?? "" };
    o.gen++;
    if (o.phase === "folded" && silent && o.into !== undefined) {
      const list = r.folded.get(o.into)?.filter((f) => f !== o);
      if (list) r.folded.set(o.into, list);
    }
    const s = o.phase === "batched" || o.phase === "alerted" ? o.subject : undefined;
    if (!s || s.closed) return;
    if (silent) s.members = s.members.filter((m) => m !== o);
    if (s.members.every((m) => m.ended)) close(r, s, ts, silent);
  };

  const onDue = (r: RuleState, o: Outage, at: number) => {
    if (alertTime(spansOf(o.name), o.origin, afterMs(r)).due > at) return schedule(r, o);
    const top = foldTarget(o.name, (n) => parents.get(n), failingIn(r));
    if (top !== undefined) return fold(r, o, top);
    const host = infos.get(o.name)?.host ?? "";
    if (groupMs > 0 && host && (r.hostCount.get(host) ?? 0) >= 2) {
      let b = r.batches.get(host);
      if (!b) {
        b = newSubject({
          base: `host:${host}`,
          title: host,
          group: { by: "host", key: host },
          host,
          since: o.since,
          members: [],
          at: at + groupMs,
        });
        r.batches.set(host, b);
        heap.push({ at: b.at, prio: 1, r, s: b, gen: b.gen });
      }
      b.members.push(o);
      o.phase = "batched";
      o.subject = b;
      return;
    }
    if (groupMs > 0 && isParent.has(o.name)) {
      // A parent (an NVR, a relay) waits group_seconds too: its children usually fail with it,
      // and the one alert then lists them (they fold into it as their own alerts fall due).
      const b = newSubject({
        ...ownSubject(o.name, true),
        since: o.since,
        members: [o],
        at: at + groupMs,
      });
      heap.push({ at: b.at, prio: 1, r, s: b, gen: b.gen });
      o.phase = "batched";
      o.subject = b;
      return;
    }
    const s = newSubject({
      ...ownSubject(o.name, isParent.has(o.name)),
      since: o.since,
      members: [o],
      at,
    });
    o.phase = "alerted";
    o.subject = s;
    toEmit.push({ r, s });
  };
  const onFlush = (r: RuleState, b: Subject) => {
    if (b.host !== undefined) r.batches.delete(b.host);
    const keep: Outage[] = [];
    for (const m of b.members) {
      if (m.ended || m.phase !== "batched" || m.subject !== b) continue;
      const until = coveredUntil(spansOf(m.name), b.at);
      const top = foldTarget(m.name, (n) => parents.get(n), failingIn(r));
      if (until > b.at) rearm(r, m, b.at);
      else if (top !== undefined) fold(r, m, top);
      else keep.push(m);
    }
    if (keep.length === 0) return void (b.closed = true);
    b.members = keep;
    b.since = keep[0].since;
    if (keep.length === 1) Object.assign(b, ownSubject(keep[0].name, isParent.has(keep[0].name)));
    for (const m of keep) m.phase = "alerted";
    toEmit.push({ r, s: b });
  };
  const scheduleReminder = (r: RuleState, s: Subject, n: number) => {
    if (remindMs(r) > 0 && !s.acked) {
      heap.push({ at: s.at + n * remindMs(r), prio: 2, r, s, gen: s.gen, n });
    }
  };
  const emitFirst = (r: RuleState, s: Subject, now: number, out: Decision[]) => {
    if (s.closed) return;
    for (const o of s.members) {
      const note = acks.get(o.name);
      if (note !== undefined && !o.ended) s.acked = true, s.note ??= note;
    }
    const failing = listed(s, view(r)).filter((o) => !o.ended).map((o) => lives.get(o.name)?.state);
    const event = failing.includes("down") || !failing.includes("degraded") ? "down" : "degraded";
    out.push(decide(r, s, event, now));
    s.sent = true;
    s.sentDown = event === "down";
    r.open.add(s);
    scheduleReminder(r, s, 1);
  };
  const onRemind = (r: RuleState, s: Subject, n: number, now: number, out: Decision[]) => {
    const step = remindMs(r);
    n = Math.max(n, Math.floor((now - s.at) / step)); // after a restart: only the latest one
    const failing = listed(s, view(r)).filter((o) => !o.ended);
    if (failing.some((o) => !suppressed(o.name, now))) out.push(decide(r, s, "reminder", now, n));
    scheduleReminder(r, s, n + 1);
  };
  /**
   * Streams renamed by their `id:` keep their outages, mutes and acknowledgements under the new
   * name. An alert already decided keeps its key and title (the old name): its reminders and its
   * `resolved` must thread with what was sent; the streams it lists show the new name.
   */
  const renameStreams = (moves: [string, string][]) => {
    if (moves.length === 0) return;
    const to = new Map(moves);
    const move = <V>(m: Map<string, V>) => {
      const taken = moves.map(([from]) => m.get(from));
      for (const [from] of moves) m.delete(from);
      moves.forEach(([, name], i) => taken[i] !== undefined && m.set(name, taken[i]!));
    };
    move(lives), move(mutes), move(acks);
    for (const r of rules) {
      move(r.outages), move(r.folded);
      for (const o of r.outages.values()) {
        o.name = to.get(o.name) ?? o.name;
        if (o.into !== undefined) o.into = to.get(o.into) ?? o.into;
      }
    }
  };
  const valid = (x: DueItem) => {
    if (x.r.dead) return false;
    if (x.o) return x.o.gen === x.gen && x.o.phase === "pending" && !x.o.ended;
    const s = x.s!;
    return s.gen === x.gen && !s.closed && (x.prio === 1 ? !s.sent : s.sent && !s.acked);
  };

  return {
    configure(streams, alerts, timeZone) {
      renameStreams(renamesBetween(infos, streams));
      const windows = compileWindows(alerts.maintenance, timeZone || deps.timeZone);
      groupMs = Math.max(0, alerts.groupSeconds) * 1000;
      const old = new Map<string, RuleState[]>();
      for (const r of rules) old.set(ruleId(r.rule), [...(old.get(ruleId(r.rule)) ?? []), r]);
      rules = alerts.rules.map((rule) => {
        const kept = old.get(ruleId(rule))?.shift();
        if (kept) return Object.assign(kept, { rule });
        return {
          rule,
          dead: false,
          outages: new Map(),
          folded: new Map(),
          hostCount: new Map(),
          batches: new Map(),
          open: new Set(),
        };
      });
      for (const list of old.values()) for (const r of list) r.dead = true;
      infos = new Map(streams.map((s) => [s.name, {
        config: s,
        host: hostKey(s.url),
        rules: rulesFor(rules, s, (r) => r.rule),
        windows: windows.filter((w) => matchesFilter(w.window, s)),
      }]));
      parents = new Map();
      for (const s of streams) if (s.parent && s.parent !== s.name) parents.set(s.name, s.parent);
      isParent = new Set([...parents.values()].filter((p) => infos.has(p)));
      for (const name of [...lives.keys()]) {
        if (!infos.has(name)) lives.delete(name), mutes.delete(name), acks.delete(name);
      }
      for (const r of rules) {
        const mine = [...infos.values()].filter((i) => i.rules.includes(r));
        r.hostCount = hostCounts(mine);
        for (const o of [...r.outages.values()]) {
          if (!infos.get(o.name)?.rules.includes(r)) endOutage(r, o, clock, true);
          else if (o.phase === "pending") schedule(r, o, true);
        }
        for (const [into, list] of [...r.folded]) {
          for (const f of list) {
            if (f.ended || foldTarget(f.name, (n) => parents.get(n), failingIn(r)) === into) {
              continue;
            }
            r.folded.set(into, r.folded.get(into)!.filter((x) => x !== f));
            rearm(r, f, clock);
          }
          const left = r.folded.get(into)!;
          if (!failingIn(r)(into) && left.every((f) => f.ended)) r.folded.delete(into);
        }
        for (const i of mine) {
          const live = lives.get(i.config.name);
          if (!live || r.outages.has(i.config.name) || !failsFor(r.rule, live.state)) continue;
          openOutage(r, i.config.name, outageStart(r.rule, live));
        }
      }
    },

    restore(states, now, opts) {
      clock = Math.max(clock, now);
      for (const e of states) {
        const info = infos.get(e.name);
        if (!info || e.state === "unknown") continue;
        const live: Live = {
          state: e.state,
          since: e.since,
          failingSince: Math.min(e.failingSince ?? e.since, e.since),
          cause: e.cause,
        };
        lives.set(e.name, live);
        for (const r of info.rules) {
          const had = r.outages.get(e.name);
          if (had) endOutage(r, had, now, true);
          if (failsFor(r.rule, e.state)) openOutage(r, e.name, outageStart(r.rule, live));
        }
      }
      if (opts?.sent) sentBefore = new Set([...(sentBefore ?? []), ...opts.sent]);
    },

    change(ev) {
      const info = infos.get(ev.name);
      if (!info || ev.to === "unknown") return;
      clock = Math.max(clock, ev.ts);
      const live = lives.get(ev.name);
      const prev = live?.state ?? ev.from;
      if (prev === ev.to) return void (live && (live.cause = ev.cause));
      const failingSince = live && isFailing(prev) && isFailing(ev.to) ? live.failingSince : ev.ts;
      lives.set(ev.name, { state: ev.to, since: ev.ts, failingSince, cause: ev.cause });
      for (const r of rules) if (!failsFor(r.rule, ev.to)) release(r, ev.name, ev.ts);
      for (const r of info.rules) {
        const was = failsFor(r.rule, prev);
        const is = failsFor(r.rule, ev.to);
        const o = r.outages.get(ev.name);
        if (!was && is) openOutage(r, ev.name, ev.ts);
        else if (was && !is && o) endOutage(r, o, ev.ts);
        else if (is && ev.to === "down" && o) {
          const s = subjectOf(r, o);
          if (!s?.sent || s.sentDown || s.closed || suppressed(ev.name, ev.ts)) continue;
          s.sentDown = true;
          ready.push(decide(r, s, "down", ev.ts));
        }
      }
      if (!isFailing(ev.to)) acks.delete(ev.name);
    },

    tick(now) {
      clock = Math.max(clock, now);
      const out = ready;
      ready = [];
      for (let round = 0; round < 8; round++) {
        for (let x = heap.peek(); x && x.at <= now; x = heap.peek()) {
          heap.pop();
          if (!valid(x)) continue;
          if (x.o) onDue(x.r, x.o, x.at);
          else if (x.prio === 1) onFlush(x.r, x.s!);
          else onRemind(x.r, x.s!, x.n!, now, out);
        }
        if (toEmit.length === 0) break;
        const emit = toEmit;
        toEmit = [];
        for (const { r, s } of emit) emitFirst(r, s, now, out);
      }
      let live = 0;
      for (const r of rules) live += r.outages.size + r.open.size + r.batches.size;
      if (heap.size > 1024 && heap.size > 4 * live) heap.retain(valid);
      const merged = mergeDecisions(out);
      const skip = sentBefore;
      sentBefore = undefined;
      return skip ? merged.filter((d) => !skip.has(d.alert.key)) : merged;
    },

    mute(name, until) {
      if (until !== null) mutes.set(name, until);
      else if (mutes.has(name)) mutes.set(name, Math.min(mutes.get(name)!, clock));
      for (const r of infos.get(name)?.rules ?? []) {
        const o = r.outages.get(name);
        if (o?.phase === "pending") schedule(r, o, true);
      }
    },

    acknowledge(name, since, note) {
      let hit = false;
      const live = lives.get(name);
      if (live && isFailing(live.state) && since >= live.failingSince) {
        acks.set(name, note);
        hit = true;
        for (const r of rules) {
          // A folded stream's ack stays its own: it does not acknowledge its parent's alert.
          const s = r.outages.get(name)?.subject;
          if (s && !s.closed) s.acked = true, s.note = note;
        }
      }
      for (const r of rules) {
        for (const s of r.open) {
          if (s.base !== name || since < s.since) continue;
          s.acked = true;
          s.note = note;
          hit = true;
        }
      }
      return hit;
    },

    inMaintenance(name, now) {
      const info = infos.get(name);
      return info ? activeWindow(info.windows, now) : undefined;
    },

    nextDue() {
      if (ready.length > 0 || toEmit.length > 0) return clock;
      for (let x = heap.peek(); x; x = heap.peek()) {
        if (valid(x)) return x.at;
        heap.pop();
      }
      return undefined;
    },
  };
}

/** [from, to] of every stream whose `id` was configured under another name (pure). */
function renamesBetween(
  before: Map<string, StreamInfo>,
  after: StreamConfig[],
): [string, string][] {
  const byId = new Map<string, string>();
  for (const [name, i] of before) if (i.config.id !== undefined) byId.set(i.config.id, name);
  const out: [string, string][] = [];
  for (const s of after) {
    const from = s.id === undefined ? undefined : byId.get(s.id);
    if (from !== undefined && from !== s.name) out.push([from, s.name]);
  }
  return out;
}

/** One piece of due work: an outage's first alert (0), a host batch's flush (1), a reminder (2). */
interface DueItem {
  at: number;
  prio: 0 | 1 | 2;
  r: RuleState;
  o?: Outage;
  s?: Subject;
  /** The outage's or subject's `gen` when queued; a later one makes the item stale. */
  gen: number;
  /** The reminder's number. */
  n?: number;
}
