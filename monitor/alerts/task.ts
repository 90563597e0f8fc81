/**
 * The alerts task: feeds confirmed state changes to the decision engine, fills the alerts'
 * links, queues them in the outbox (durable), publishes each new one on the bus (MQTT), and runs
 * the delivery loop. Acknowledgements and mutes are stored and told to the engine.
 */

import type { Bus } from "../bus.ts";
import type { Config } from "../config/mod.ts";
import type { ChannelConfig } from "../config/mod.ts";
import type { Logger } from "../log.ts";
import type { Incident, Mute, Store } from "../store/mod.ts";
import { createChannel } from "./channels/mod.ts";
import { createAlertEngine, type Decision } from "./engine.ts";
import { createOutbox, type Outbox } from "./outbox.ts";
import { renderAlert } from "./template.ts";
import type { Alert, Attachment, Channel, DeliveryResult } from "./types.ts";

/** What {@link createAlertsTask} takes. */
export interface AlertsTaskDeps {
  bus: Bus;
  store: Store;
  /** The config in force (alerts, streams, time zone). */
  config: () => Config;
  logger: Logger;
  /** A stored snapshot of a stream (the media task's), the evidence of a degraded picture. */
  snapshot: (name: string, kind: "last" | "failure") => Promise<Uint8Array | undefined>;
  now?: () => number;
  fetch?: typeof fetch;
  /** Outbox timings for tests (per-attempt timeout). */
  attemptTimeoutMs?: number;
  /**
   * Fleet mode: whether this node checks the stream now. Every node's engine follows every
   * stream's state changes (its own and, with `origin`, the other nodes'), so a takeover finds
   * the outage already known; an alert is queued by the node owning its lead stream, and one
   * decided while another node owns it waits here until this node does (the shared outbox's
   * unique key then drops it if the owner queued it first). Absent: this node sends everything.
   */
  owns?: (stream: string) => boolean;
}

/** Counters of delivery attempts by channel and result, for /metrics. */
export type AlertCounts = Map<string, { sent: number; retry: number; failed: number }>;

/** The running alerts part; see {@link createAlertsTask}. */
export interface AlertsTask {
  /** Runs the engine's clock and the delivery loop until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** The outbox's state for /api/health: pending, failed, per channel. */
  health(): ReturnType<Outbox["health"]> & { muted: number };
  /** Delivery attempts by channel and result since start. */
  counts(): AlertCounts;
  /**
   * Acknowledges an incident with a note: stored, shown in the incident log, and its reminders
   * stop. Undefined for an unknown id.
   */
  acknowledge(id: number, note: string): Promise<Incident | undefined>;
  /** Mutes a stream until `until` (ms since the epoch), or unmutes it (null). */
  mute(name: string, until: number | null, note: string): Promise<void>;
  /** Mutes in force now (this node's at once; in a fleet, other nodes' within ~5 s). */
  mutes(): { name: string; until: number; note: string }[];
  /** Sends a test alert through a configured channel (by name) or a channel config not yet saved. */
  test(channel: string | ChannelConfig): Promise<DeliveryResult>;
  /** The maintenance window covering a stream now, by name, if any. */
  maintenance(name: string): string | undefined;
}

const TICK_MS = 1000;
/** How long a decision about another node's stream waits for a takeover before it is dropped. */
const WAIT_MS = 10 * 60_000;

/** Creates the alerts task; nothing runs until `run()`. */
export function createAlertsTask(deps: AlertsTaskDeps): AlertsTask {
  const { bus, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const engine = createAlertEngine({ timeZone: deps.config().timezone });
  const counts: AlertCounts = new Map();
  let channels = new Map<string, Channel>();
  let channelsKey = "";
  let wake: (() => void) | undefined;

  const applyConfig = (c: Config) => {
    engine.configure(c.streams, c.alerts, c.timezone);
    const key = JSON.stringify(c.alerts.channels);
    if (key === channelsKey) return;
    channelsKey = key;
    const cd = { now, timeZone: c.timezone };
    channels = new Map(c.alerts.channels.map((ch) => [ch.name, createChannel(ch, cd)]));
    for (const ch of c.alerts.channels) for (const v of secretsOf(ch)) logger.addSecret(v);
  };

  const links = (a: Alert): Alert["links"] => {
    const base = deps.config().alerts.baseUrl?.replace(/\/+$/, "");
    if (!base) return {};
    const lead = encodeURIComponent(a.streams[0]?.name ?? a.stream);
    const snap = `${base}/api/streams/${lead}/snapshot.jpg`;
    return {
      dashboard: `${base}/`,
      stream: `${base}/streams/${lead}`,
      ...(a.state === "degraded"
        ? { failureSnapshot: `${snap}?kind=failure`, lastSnapshot: `${snap}?kind=last` }
        : {}),
    };
  };

  const evidence = async (a: Alert): Promise<Attachment[]> => {
    if (a.state !== "degraded" || a.event === "resolved") return [];
    const lead = a.streams[0]?.name ?? a.stream;
    const out: Attachment[] = [];
    for (const role of ["failure", "last"] as const) {
      const bytes = await deps.snapshot(lead, role).catch(() => undefined);
      if (bytes) out.push({ role, filename: `${role}.jpg`, contentType: "image/jpeg", bytes });
    }
    return out;
  };

  const outbox = createOutbox({
    store,
    channels: () => channels,
    render: (alert, name) => {
      const ch = deps.config().alerts.channels.find((c) => c.name === name);
      const r = renderAlert(alert, {
        title: ch?.title,
        message: ch?.message,
        timeZone: deps.config().timezone,
      });
      if (r.warning) logger.warn(`alerts: channel "${name}": ${r.warning}`);
      return { title: r.title, body: r.body };
    },
    evidence,
    fetch: deps.fetch,
    now,
    logger,
    attemptTimeoutMs: deps.attemptTimeoutMs,
    onResult: (channel, result) => {
      let c = counts.get(channel);
      if (!c) counts.set(channel, c = { sent: 0, retry: 0, failed: 0 });
      c[result]++;
    },
  });

  // Keys published on the bus lately: a second rule adding a channel to a key is no new event.
  const published = new Set<string>();
  /** Queues what the engine decided; publishes the alerts that were new. */
  /** Fleet mode: decisions whose lead stream another node owns, by key, with when decided. */
  const waiting = new Map<string, { d: Decision; at: number }>();
  const leadOf = (d: Decision) => d.alert.streams[0]?.name ?? d.alert.stream;
  /** The decisions this node queues now: its own, and waiting ones whose stream it took over. */
  const mine = (decisions: Decision[]): Decision[] => {
    const owns = deps.owns;
    if (!owns) return decisions;
    const t = now();
    const out: Decision[] = [];
    for (const [key, w] of waiting) {
      if (owns(leadOf(w.d))) (waiting.delete(key), out.push(w.d));
      else if (t - w.at > WAIT_MS) waiting.delete(key);
    }
    for (const d of decisions) {
      if (owns(leadOf(d))) out.push(d);
      else {
        waiting.delete(d.alert.key);
        waiting.set(d.alert.key, { d, at: t });
        if (waiting.size > 10_000) waiting.delete(waiting.keys().next().value!);
      }
    }
    return out;
  };
  // Decisions are queued in the order they were made, one batch after another.
  let queued: Promise<void> = Promise.resolve();
  const deliver = (all: Decision[]) => {
    const decisions = mine(all);
    if (decisions.length === 0) return;
    queued = queued.then(async () => {
      for (const d of decisions) {
        d.alert.links = links(d.alert);
        if ((await outbox.enqueue([d])) === 0 || published.has(d.alert.key)) continue;
        published.add(d.alert.key);
        if (published.size > 10_000) published.delete(published.values().next().value!);
        bus.emit("alert", { alert: d.alert });
      }
    }).catch((err) => logger.error(`alerts: queueing failed: ${String(err)}`));
  };
  /** Mutes as last read from the store (refreshed every few seconds: another node may set one). */
  let muted: Mute[] = [];
  const refreshMutes = async () => {
    const take = (list: Mute[]) => {
      muted = list;
      for (const m of list) engine.mute(m.name, m.until);
    };
    try {
      const list = store.mutes(now());
      // A synchronous store answers at once, so mutes() is right even before the first await.
      take(list instanceof Promise ? await list : list);
    } catch { /* the store is failing: the last list stands */ }
  };
  void refreshMutes();
  const tick = () => deliver(engine.tick(now()));

  applyConfig(deps.config());

  return {
    async run(signal) {
      applyConfig(deps.config());
      const failing = [...await store.lastStates()].filter(([, s]) =>
        s.state === "down" || s.state === "degraded"
      ).map(([name, s]) => ({
        name,
        state: s.state,
        since: s.since,
        cause: s.last?.message ?? "",
      }));
      engine.restore(failing, now());
      await refreshMutes();
      let mutesReadAt = now();
      const offs = [
        bus.on("state-change", (e) => {
          engine.change({ name: e.name, from: e.from, to: e.to, ts: e.ts, cause: e.cause });
          tick();
        }),
        bus.on("config-reloaded", ({ config }) => {
          applyConfig(config);
          wake?.();
        }),
      ];
      const clock = (async () => {
        while (!signal.aborted) {
          tick();
          // Another fleet node may set a mute; a single node's mutes are its own (kept in mute()).
          if (deps.owns && now() - mutesReadAt >= 5000) {
            mutesReadAt = now();
            void refreshMutes();
          }
          const next = engine.nextDue();
          const ms = Math.max(50, Math.min(TICK_MS, (next ?? Infinity) - now()));
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, ms);
            wake = () => (clearTimeout(t), resolve());
            signal.addEventListener("abort", wake, { once: true });
          });
        }
      })();
      try {
        await Promise.all([clock, outbox.run(signal)]);
        await queued;
      } finally {
        offs.forEach((off) => off());
      }
    },
    health: () => ({ ...outbox.health(), muted: muted.filter((m) => m.until > now()).length }),
    counts: () => counts,
    async acknowledge(id, note) {
      const clipped = note.slice(0, 1000);
      if (!(await store.ackIncident(id, clipped, now()))) return undefined;
      const inc = await store.incident(id);
      if (inc && inc.end === null) engine.acknowledge(inc.name, inc.start, clipped);
      return inc;
    },
    async mute(name, until, note) {
      await store.setMute(name, until, note.slice(0, 1000));
      engine.mute(name, until);
      muted = muted.filter((m) => m.name !== name);
      if (until !== null && until > now()) muted.push({ name, until, note: note.slice(0, 1000) });
      wake?.();
    },
    mutes: () => muted.filter((m) => m.until > now()),
    async test(which) {
      const cfg = typeof which === "string"
        ? deps.config().alerts.channels.find((c) => c.name === which)
        : which;
      if (!cfg) return { ok: false, answer: `no channel named ${JSON.stringify(which)}` };
      const ts = now();
      const alert: Alert = {
        key: `test@${ts}`,
        event: "down",
        stream: "StreamPulse test",
        state: "down",
        cause: "a test message from StreamPulse: this channel works",
        since: ts,
        ts,
        streams: [{ name: "StreamPulse test", state: "down", cause: "test", since: ts, tags: [] }],
        links: {},
      };
      alert.links = links(alert);
      const cd = { now, timeZone: deps.config().timezone };
      return await outbox.test(createChannel(cfg, cd), alert);
    },
    maintenance: (name) => engine.inMaintenance(name, now())?.name,
  };
}

/** The secret values of a channel, so the logger masks them wherever they would appear. */
function secretsOf(ch: ChannelConfig): string[] {
  const out: string[] = [];
  const rec = ch as unknown as Record<string, unknown>;
  for (const k of ["token", "password", "url"]) {
    const v = rec[k];
    if (typeof v === "string" && v && (k !== "url" || /[?@]|\/bot|hooks|webhook/i.test(v))) {
      out.push(v);
    }
  }
  if (ch.type === "webhook") out.push(...Object.values(ch.headers).filter(Boolean));
  return out;
}
