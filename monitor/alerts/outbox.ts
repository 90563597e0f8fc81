/** The alert outbox: decided alerts queued durably in the store, delivered with retries. */

import { delay } from "../async.ts";
import { clipText } from "../redact.ts";
import type { AttemptRecord, OutboxItem, OutboxStats, Store } from "../store/mod.ts";
import {
  afterFailure,
  attemptOutcome,
  type BackoffPolicy,
  type ChannelBackoff,
  DEFAULT_BACKOFF,
} from "./backoff.ts";
import type { Alert, Attachment, Channel, DeliveryResult, RenderedMessage } from "./types.ts";

/** What the outbox needs; main.ts passes the real ones, tests their own. */
export interface OutboxDeps {
  /** The durable queue and its log. */
  store: Pick<Store, "enqueueAlerts" | "dueAlerts" | "recordAttempt" | "outboxStats">;
  /** The channels of the config in force, by name (read every round: reloads apply). */
  channels: () => Map<string, Channel>;
  /** The template renderer: the title and body of an alert for a channel. */
  render: (alert: Alert, channel: string) => RenderedMessage;
  /** Snapshots to attach (degraded alerts); may return []. A failure sends without them. */
  evidence: (alert: Alert) => Promise<Attachment[]>;
  /** HTTP for the channels (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
  /** Channel names, keys and statuses only: never a provider's answer. */
  logger: { info(m: string): void; warn(m: string): void };
  /** Counts each outcome (streampulse_alerts_total{channel,result}). */
  onResult?: (channel: string, result: "sent" | "retry" | "failed") => void;
  /** One attempt's limit, ms (default 15 s): a hanging provider. */
  attemptTimeoutMs?: number;
  /** Give up on an item this long after it was queued, ms (default 24 h). */
  maxAgeMs?: number;
  /** Give up after this many attempts (default 20). */
  maxAttempts?: number;
  /** Backoff of a failing channel (default 2 s doubling to 10 min, Retry-After up to 1 h). */
  backoff?: Partial<BackoffPolicy>;
  /** Sends in flight per channel (default 4) and overall (default 32). */
  perChannel?: number;
  maxInFlight?: number;
  /** Pending items kept at most (default 50,000): beyond, the oldest are dropped as failed. */
  maxPending?: number;
  /** Longest sleep between rounds, ms (default 30 s): picks up config changes. */
  pollMs?: number;
}

/** The outbox's figures for /api/health. */
export interface OutboxHealth {
  /** Items waiting (in the store, or in memory while the store refuses writes). */
  pending: number;
  /** Items given up on in the last 24 hours. */
  failed: number;
  /** How long the oldest pending item has waited, or null. */
  oldestPendingAgeMs: number | null;
  /** Per configured channel and per channel that still has items or a history. */
  channels: Record<string, {
    pending: number;
    failed: number;
    /** The provider's last error (masked) while no success came after it. */
    lastError: string | null;
    lastOkAt: number | null;
    /** While the channel backs off: when it may be tried again. */
    backoffUntil: number | null;
  }>;
}

/**
 * The outbox. Delivery is exactly once per (alert key, channel) except at a crash: an item is
 * marked sent only after the provider accepted it, so a process killed between the provider's
 * acceptance and that write sends that one item again after the restart (at-least-once at the
 * crash instant); items queued before a kill -9 are all delivered once after it. One dispatcher
 * per database: two processes running the loop on one file would both send.
 */
export interface Outbox {
  /**
   * Queues the decided alerts (one item per channel) and wakes the loop; returns how many were
   * new. Durable once it resolves; should the store refuse the write, the items wait in memory
   * (and count as pending) and are written by the next round. Throws TypeError (at once, not in
   * the Promise) for an empty key.
   */
  enqueue(decisions: { alert: Alert; channels: string[] }[]): Promise<number>;
  /** The delivery loop until `signal` aborts; waits for the sends in flight before returning. */
  run(signal: AbortSignal): Promise<void>;
  /** Sends one test message through a channel now, outside the queue ("Send test"). */
  test(channel: Channel, alert: Alert): Promise<DeliveryResult>;
  /** Pending and recent failures, the oldest pending age, per channel with its backoff. */
  health(): OutboxHealth;
}

type Item = Parameters<OutboxDeps["store"]["enqueueAlerts"]>[0][number];

const statusText = (r: DeliveryResult) => (r.status ? `status ${r.status}` : "no status");
const errorText = (err: unknown) => clipText(err instanceof Error ? err.message : String(err), 300);

/** A result the store and the loop can trust, whatever a channel returned. */
function sane(r: DeliveryResult): DeliveryResult {
  const status = Number.isInteger(r?.status) ? r.status : undefined;
  const retry = Number.isFinite(r?.retryAfterMs) ? r.retryAfterMs : undefined;
  return {
    ok: r?.ok === true,
    answer: clipText(String(r?.answer ?? ""), 300),
    ...(status === undefined ? {} : { status }),
    ...(retry === undefined ? {} : { retryAfterMs: retry }),
    ...(r?.permanent ? { permanent: true } : {}),
  };
}

/**
 * Creates the outbox. Each round reads per-channel figures, fails the items of channels no
 * longer configured ("channel removed"), and starts due items of every channel that is not
 * backing off, oldest first, at most `perChannel` per channel (one while it is recovering from
 * failures, so a down provider is not hammered) and `maxInFlight` overall. A retryable failure
 * backs the whole channel off (its other items wait too; other channels keep sending); a success
 * resets it. Then it sleeps until the next due item, an enqueue or a finished send.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const { store, logger } = deps;
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.attemptTimeoutMs ?? 15_000;
  const maxAgeMs = deps.maxAgeMs ?? 86_400_000;
  const maxAttempts = deps.maxAttempts ?? 20;
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...deps.backoff };
  const perChannel = deps.perChannel ?? 4;
  const maxInFlight = deps.maxInFlight ?? 32;
  const maxPending = deps.maxPending ?? 50_000;
  const pollMs = deps.pollMs ?? 30_000;

  const backoff = new Map<string, ChannelBackoff>();
  const sending = new Map<string, number>(); // sends in flight per channel
  const busy = new Map<number, string>(); // item id → channel: in flight or not yet recorded
  /** Items the store handed out (and, when shared, claimed for this node) not started yet. */
  const held = new Map<number, OutboxItem>();
  const unrecorded: { id: number; rec: AttemptRecord }[] = []; // the store refused the write
  let backlog: Item[] = []; // enqueues the store refused, retried every round
  const inFlight = new Set<Promise<void>>();
  let total = 0;
  let running = false;
  let woken = false;
  let wakeUp: AbortController | undefined;
  let roundFailures = 0;
  let statsReading = false;
  let lastHealth: OutboxHealth = { pending: 0, failed: 0, oldestPendingAgeMs: null, channels: {} };

  const wake = () => {
    woken = true;
    wakeUp?.abort();
  };
  const count = (channel: string, n: number) => {
    sending.set(channel, (sending.get(channel) ?? 0) + n);
    total += n;
  };

  /** One attempt: render, evidence, send; ended by its own timeout or by `outer`. Never throws. */
  const attempt = async (ch: Channel, alert: Alert, outer?: AbortSignal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    let onAbort = () => {};
    const aborted = new Promise<DeliveryResult>((resolve) => {
      onAbort = () =>
        resolve({
          ok: false,
          answer: timeout.aborted ? `no answer within ${timeoutMs} ms` : "stopped: shutting down",
        });
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const message = deps.render(alert, ch.name);
      const evidence = Promise.resolve().then(() => deps.evidence(alert)).catch(() => []);
      const attachments = await Promise.race([evidence, aborted.then(() => [])]);
      if (signal.aborted) return await aborted;
      const ctx = { signal, message, attachments, fetch: deps.fetch ?? globalThis.fetch };
      const r = sane(await Promise.race([ch.send(alert, ctx), aborted]));
      // A channel that gave up on the abort without an answer: say why in our words.
      return !r.ok && r.status === undefined && signal.aborted ? await aborted : r;
    } catch (err) {
      return { ok: false, answer: errorText(err) };
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  };

  /** Writes an attempt; while the store refuses, keeps it (and the item busy) for the next round. */
  const save = async (id: number, rec: AttemptRecord) => {
    try {
      await store.recordAttempt(id, rec);
      busy.delete(id);
    } catch (err) {
      unrecorded.push({ id, rec });
      logger.warn(`outbox: could not record an attempt, retrying: ${errorText(err)}`);
    }
  };
  const giveUp = async (item: OutboxItem, answer: string, ts: number) => {
    const rec = { ts, ok: false, status: null, answer, nextAttemptAt: null, failed: true };
    await save(item.id, { ...rec, attempted: false });
    deps.onResult?.(item.channel, "failed");
  };

  /** Sends one item and records the outcome (a send cut by shutdown stays pending, unrecorded). */
  const deliver = async (item: OutboxItem, ch: Channel, signal: AbortSignal) => {
    const name = item.channel;
    const startedAt = now();
    let alert: Alert;
    try {
      alert = JSON.parse(item.alert);
    } catch {
      return await giveUp(item, "unreadable alert", startedAt);
    }
    count(name, 1);
    const r = await attempt(ch, alert, signal);
    count(name, -1);
    if (!r.ok && signal.aborted) return void busy.delete(item.id);
    const t = now();
    if (r.ok) backoff.delete(name);
    else if (!r.permanent) {
      const before = backoff.get(name);
      const b = afterFailure(before, { startedAt, now: t, retryAfterMs: r.retryAfterMs }, policy);
      backoff.set(name, b);
      if (b.failures > (before?.failures ?? 0)) {
        const secs = Math.ceil((b.until - t) / 1000);
        logger.warn(`outbox: channel "${name}" failed (${statusText(r)}), retrying in ${secs} s`);
      }
    }
    const o = attemptOutcome({ attempts: item.attempts + 1, createdAt: item.createdAt }, r, {
      retryAt: backoff.get(name)?.until ?? t,
      maxAttempts,
      maxAgeMs,
    });
    await save(item.id, {
      ts: startedAt,
      ok: r.ok,
      status: r.status ?? null,
      answer: r.answer,
      nextAttemptAt: o.nextAttemptAt,
      failed: o.result === "failed",
    });
    deps.onResult?.(name, o.result);
    const what = `"${item.key}" to channel "${name}" (${statusText(r)}, attempt ${
      item.attempts + 1
    })`;
    if (o.result === "sent") logger.info(`outbox: sent ${what}`);
    if (o.result === "failed") logger.warn(`outbox: gave up on ${what}: ${o.reason}`);
  };

  const start = (item: OutboxItem, ch: Channel, signal: AbortSignal) => {
    busy.set(item.id, item.channel);
    const p = deliver(item, ch, signal).finally(() => {
      inFlight.delete(p);
      wake();
    });
    inFlight.add(p);
  };

  const flushPending = async () => {
    while (unrecorded.length > 0) {
      const { id, rec } = unrecorded[0];
      await store.recordAttempt(id, rec);
      unrecorded.shift();
      busy.delete(id);
    }
    if (backlog.length > 0) {
      const items = backlog;
      const { dropped } = await store.enqueueAlerts(items, now(), { maxPending });
      backlog = backlog.slice(items.length);
      logger.info(`outbox: queued ${items.length} alerts kept in memory (${dropped} dropped)`);
    }
  };

  /** One round; returns when the next one is due at the latest. */
  const round = async (signal: AbortSignal): Promise<number> => {
    await flushPending();
    const t = now();
    const stats = await store.outboxStats(t);
    lastHealth = healthOf(stats, t);
    const channels = deps.channels();
    let wakeAt = t + pollMs;
    for (const [name, s] of Object.entries(stats.byChannel)) {
      if (s.pending === 0) continue;
      const busyHere = [...busy.values()].filter((c) => c === name).length;
      const ch = channels.get(name);
      if (!ch) {
        const items = await store.dueAlerts(Number.MAX_SAFE_INTEGER, 500, { channel: name });
        const idle = items.filter((i) => !busy.has(i.id) && !held.has(i.id));
        for (const i of held.values()) {
          if (i.channel === name) (held.delete(i.id), idle.push(i));
        }
        for (const i of idle) await giveUp(i, "channel removed", t);
        if (idle.length > 0) {
          logger.warn(`outbox: channel "${name}" is not configured: ${idle.length} alerts failed`);
        }
        if (items.length === 500) wakeAt = t;
        continue;
      }
      const b = backoff.get(name);
      if (b && b.until > t) {
        wakeAt = Math.min(wakeAt, b.until);
        continue;
      }
      const free = Math.min((b ? 1 : perChannel) - (sending.get(name) ?? 0), maxInFlight - total);
      if (free <= 0) continue; // a finished send wakes the loop
      if (s.nextAttemptAt !== null && s.nextAttemptAt > t) {
        wakeAt = Math.min(wakeAt, s.nextAttemptAt);
        continue;
      }
      const kept = [...held.values()].filter((i) => i.channel === name);
      const due = kept.length >= free
        ? []
        : await store.dueAlerts(t, free + busyHere, { channel: name });
      const fresh = due.filter((i) => !busy.has(i.id) && !held.has(i.id));
      const ready = [...kept, ...fresh];
      for (const item of ready.slice(0, free)) {
        held.delete(item.id);
        if (t - item.createdAt > maxAgeMs) await giveUp(item, "expired: queued too long ago", t);
        else start(item, ch, signal);
      }
      // A store shared by several nodes claimed these for us: they wait here, not in the store.
      for (const item of ready.slice(free)) held.set(item.id, item);
    }
    return wakeAt;
  };

  /** The health figures from the store's outbox figures, this outbox's backoffs and backlog. */
  const healthOf = (s: OutboxStats, t: number): OutboxHealth => {
    const names = new Set([...deps.channels().keys(), ...Object.keys(s.byChannel)]);
    const channels: OutboxHealth["channels"] = {};
    for (const name of [...names].sort()) {
      const c = s.byChannel[name];
      const b = backoff.get(name);
      channels[name] = {
        pending: c?.pending ?? 0,
        failed: c?.failed ?? 0,
        lastError: c?.lastError ?? null,
        lastOkAt: c?.lastOkAt ?? null,
        backoffUntil: b && b.until > t ? b.until : null,
      };
    }
    const oldest = s.oldestPendingAt;
    return {
      pending: s.pending + backlog.length,
      failed: s.failed,
      oldestPendingAgeMs: oldest === null ? null : Math.max(0, t - oldest),
      channels,
    };
  };

  return {
    enqueue(decisions) {
      const items: Item[] = decisions.flatMap(({ alert, channels }) =>
        channels.map((channel) => ({
          key: alert.key,
          channel,
          alert: JSON.stringify(alert),
          event: alert.event,
          stream: alert.stream,
        }))
      );
      if (items.length === 0) return Promise.resolve(0);
      for (const i of items) {
        if (typeof i.key !== "string" || i.key === "" || typeof i.channel !== "string") {
          throw new TypeError(
            `Cannot queue alert "${i.key}" for "${i.channel}": bad key or channel`,
          );
        }
      }
      return (async () => {
        try {
          const { added, dropped } = await store.enqueueAlerts(items, now(), { maxPending });
          if (dropped > 0) {
            logger.warn(
              `outbox: full (${maxPending} pending), dropped the ${dropped} oldest alerts`,
            );
          }
          wake();
          return added;
        } catch (err) {
          backlog = backlog.concat(items).slice(-maxPending);
          logger.warn(
            `outbox: the store refused ${items.length} alerts, kept in memory: ${errorText(err)}`,
          );
          wake();
          return 0;
        }
      })();
    },
    async run(signal) {
      if (running) throw new Error("Cannot run the outbox: it is running already");
      running = true;
      try {
        while (!signal.aborted) {
          woken = false;
          let wakeAt: number;
          try {
            wakeAt = await round(signal);
            if (roundFailures > 0) logger.info("outbox: the store works again");
            roundFailures = 0;
          } catch (err) {
            if (roundFailures++ % 50 === 0) {
              logger.warn(`outbox: round failed (${roundFailures}x), retrying: ${errorText(err)}`);
            }
            wakeAt = now() + 1000;
          }
          if (woken) continue;
          wakeUp = new AbortController();
          await delay(wakeAt - now(), { signal: AbortSignal.any([signal, wakeUp.signal]) });
          wakeUp = undefined;
        }
      } finally {
        await Promise.allSettled([...inFlight]);
        try {
          await flushPending();
        } catch { /* kept in memory: lost only with the process, like a crash before the write */ }
        running = false;
      }
    },
    async test(channel, alert) {
      const r = await attempt(channel, alert);
      logger.info(`outbox: test message to channel "${channel.name}": ${statusText(r)}`);
      return r;
    },
    health() {
      if (statsReading) return lastHealth;
      const t = now();
      try {
        const s = store.outboxStats(t);
        if (s instanceof Promise) {
          // A remote store answers later: this call shows the last figures, the next the new
          // ones; one read at a time, however often health is asked.
          statsReading = true;
          s.then((v) => lastHealth = healthOf(v, now())).catch(() => {})
            .finally(() => statsReading = false);
        } else lastHealth = healthOf(s, t);
      } catch { /* the store is failing: the last figures stand (the loop logs the trouble) */ }
      return lastHealth;
    },
  };
}
