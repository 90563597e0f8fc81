/** The SQLite store's alerting state: the outbox, the delivery log, acknowledgements, mutes. */

import { clipText } from "../../redact.ts";
import type {
  DeliveryLogRow,
  OutboxChannelStats,
  OutboxItem,
  StoreAlerts,
  SyncStore,
} from "../types.ts";
import type { Row, SqliteContext } from "./context.ts";
import { writeTransaction } from "./tx.ts";
import { finite, range, validNote } from "../query.ts";
import { INCIDENT_COLUMNS, toIncident } from "./queries.ts";

const DAY = 86_400_000;
/** Answers are clipped by the channels already; this bounds what a row can hold whatever comes. */
const MAX_ANSWER = 500;
const DEFAULT_MAX_PENDING = 50_000;

const toItem = (r: Row): OutboxItem => ({
  id: r.id as number,
  key: r.key as string,
  channel: r.channel as string,
  alert: r.alert as string,
  createdAt: r.created_at as number,
  attempts: r.attempts as number,
  nextAttemptAt: r.next_attempt_at as number,
  status: r.status as OutboxItem["status"],
  lastAnswer: r.last_answer as string | null,
});

const toLogRow = (r: Row): DeliveryLogRow => ({
  id: r.id as number,
  outboxId: r.outbox_id as number,
  key: r.key as string,
  channel: r.channel as string,
  ts: r.ts as number,
  attempt: r.attempt as number,
  ok: r.ok === 1,
  status: r.status as number | null,
  answer: r.answer as string,
  event: r.event as string,
  stream: r.stream as string,
});

/**
 * Prepares the statements and returns the alerting part of the store. Every write runs in its own
 * transaction before returning (never through the check queue), so a queued alert survives a
 * kill -9 right after; the queue's batches and these share the one connection, so they never
 * interleave. `beforeRead` writes queued state changes first (an incident to acknowledge exists).
 */
export function createAlerts(
  ctx: SqliteContext,
  beforeRead: () => void,
): Pick<SyncStore, keyof StoreAlerts> {
  const { db } = ctx;
  const p = (sql: string) => db.prepare(sql);
  const insert = p(
    "INSERT INTO sp_outbox (key, channel, alert, event, stream, created_at, next_attempt_at) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, channel) DO NOTHING",
  );
  const pendingCount = p("SELECT count(*) AS n FROM sp_outbox WHERE status = 'pending'");
  const oldestPending = p(
    "SELECT id FROM sp_outbox WHERE status = 'pending' ORDER BY id LIMIT ?",
  );
  const due = p(
    "SELECT * FROM sp_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
  );
  const dueOf = p(
    "SELECT * FROM sp_outbox WHERE status = 'pending' AND channel = ? AND next_attempt_at <= ? " +
      "ORDER BY id LIMIT ?",
  );
  const item = p("SELECT * FROM sp_outbox WHERE id = ?");
  const update = p(
    "UPDATE sp_outbox SET attempts = ?, status = ?, next_attempt_at = ?, last_answer = ?, " +
      "done_at = ? WHERE id = ?",
  );
  const log = p(
    "INSERT INTO sp_delivery (outbox_id, key, channel, ts, attempt, ok, status, answer, event, " +
      "stream) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const chanOk = p(
    "INSERT INTO sp_channel_state (channel, last_ok_at) VALUES (?1, ?2) ON CONFLICT (channel) " +
      "DO UPDATE SET last_ok_at = max(coalesce(last_ok_at, ?2), ?2)",
  );
  const chanError = p(
    "INSERT INTO sp_channel_state (channel, last_error, last_error_at) VALUES (?1, ?2, ?3) " +
      "ON CONFLICT (channel) DO UPDATE SET last_error = ?2, last_error_at = ?3",
  );
  const logAll = p(
    "SELECT * FROM sp_delivery WHERE ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?",
  );
  const logOf = p(
    "SELECT * FROM sp_delivery WHERE channel = ? AND ts >= ? AND ts <= ? " +
      "ORDER BY ts DESC, id DESC LIMIT ?",
  );
  const pendingBy = p(
    "SELECT channel, count(*) AS n, min(next_attempt_at) AS next, min(created_at) AS oldest " +
      "FROM sp_outbox WHERE status = 'pending' GROUP BY channel",
  );
  const failedBy = p(
    "SELECT channel, count(*) AS n FROM sp_outbox " +
      "WHERE status = 'failed' AND done_at >= ? GROUP BY channel",
  );
  const channelStates = p("SELECT * FROM sp_channel_state");
  const ack = p("UPDATE sp_incident SET ack_at = ?, ack_note = ? WHERE id = ?");
  const incident = p(
    `SELECT ${INCIDENT_COLUMNS.replace(/(\w+)/g, "i.$1")}, s.name AS stream_name ` +
      "FROM sp_incident i JOIN sp_stream s ON s.id = i.stream_id WHERE i.id = ?",
  );
  const mute = p(
    "INSERT INTO sp_mute (name, until, note) VALUES (?1, ?2, ?3) " +
      "ON CONFLICT (name) DO UPDATE SET until = ?2, note = ?3",
  );
  const unmute = p("DELETE FROM sp_mute WHERE name = ?");
  const mutes = p("SELECT name, until, note FROM sp_mute WHERE until > ? ORDER BY name");

  const tx = <T>(fn: () => T): T => writeTransaction(db, fn);

  /** Writes the log row and the item's new state; the caller holds the transaction. */
  const record = (id: number, a: Parameters<StoreAlerts["recordAttempt"]>[1]) => {
    const r = item.get(id) as Row | undefined;
    if (!r) throw new RangeError(`Cannot record an attempt: outbox item ${id} does not exist`);
    const attempt = (r.attempts as number) + (a.attempted === false ? 0 : 1);
    const answer = clipText(String(a.answer), MAX_ANSWER);
    const status = a.ok ? "sent" : a.failed ? "failed" : "pending";
    const next = a.nextAttemptAt ?? (r.next_attempt_at as number);
    update.run(attempt, status, Math.round(next), answer, status === "pending" ? null : a.ts, id);
    log.run(
      id,
      r.key as string,
      r.channel as string,
      Math.round(a.ts),
      attempt,
      a.ok ? 1 : 0,
      a.status,
      answer,
      r.event as string,
      r.stream as string,
    );
    if (a.ok) chanOk.run(r.channel as string, Math.round(a.ts));
    else if (a.attempted !== false) chanError.run(r.channel as string, answer, Math.round(a.ts));
  };

  return {
    enqueueAlerts(items, now, opts = {}) {
      ctx.assertOpen("queue alerts");
      finite("queue alerts", "now", now);
      // The state changes an alert reports are written first: after a kill -9 the restarted
      // engine resumes the same outage (same `since`, so the same keys) and sends nothing twice.
      beforeRead();
      const max = opts.maxPending ?? DEFAULT_MAX_PENDING;
      return tx(() => {
        let added = 0;
        for (const i of items) {
          const { key, channel, alert, event, stream } = i;
          added += Number(insert.run(key, channel, alert, event, stream, now, now).changes);
        }
        const over = (pendingCount.get() as Row).n as number - max;
        if (over <= 0) return { added, dropped: 0 };
        for (const r of oldestPending.all(over) as Row[]) {
          const answer = "dropped: outbox full";
          const a = { ts: now, ok: false, status: null, answer, nextAttemptAt: null };
          record(r.id as number, { ...a, failed: true, attempted: false });
        }
        return { added, dropped: over };
      });
    },
    dueAlerts(now, limit, opts = {}) {
      ctx.assertOpen("read due alerts");
      finite("read due alerts", "now", now);
      const n = Math.min(10_000, Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 1)));
      const rows = opts.channel === undefined ? due.all(now, n) : dueOf.all(opts.channel, now, n);
      return (rows as Row[]).map(toItem);
    },
    recordAttempt(id, a) {
      ctx.assertOpen("record an attempt");
      finite("record an attempt", "ts", a.ts);
      if (a.nextAttemptAt !== null) finite("record an attempt", "nextAttemptAt", a.nextAttemptAt);
      tx(() => record(id, a));
    },
    deliveries(q = {}) {
      ctx.assertOpen("read the delivery log");
      const [from, to, limit] = range(q);
      const rows = q.channel === undefined
        ? logAll.all(from, to, limit)
        : logOf.all(q.channel, from, to, limit);
      return (rows as Row[]).map(toLogRow);
    },
    outboxStats(now) {
      ctx.assertOpen("read outbox figures");
      const byChannel: Record<string, OutboxChannelStats> = {};
      const of = (channel: string) =>
        byChannel[channel] ??= {
          pending: 0,
          failed: 0,
          lastError: null,
          lastOkAt: null,
          nextAttemptAt: null,
        };
      let pending = 0, failed = 0, oldestPendingAt: number | null = null;
      for (const r of pendingBy.all() as Row[]) {
        const c = of(r.channel as string);
        c.pending = r.n as number;
        c.nextAttemptAt = r.next as number;
        pending += c.pending;
        const oldest = r.oldest as number;
        oldestPendingAt = oldestPendingAt === null ? oldest : Math.min(oldestPendingAt, oldest);
      }
      for (const r of failedBy.all(now - DAY) as Row[]) {
        failed += of(r.channel as string).failed = r.n as number;
      }
      for (const r of channelStates.all() as Row[]) {
        const c = of(r.channel as string);
        c.lastOkAt = r.last_ok_at as number | null;
        const errorAt = r.last_error_at as number | null;
        const current = errorAt !== null && (c.lastOkAt === null || errorAt > c.lastOkAt);
        c.lastError = current ? r.last_error as string : null;
      }
      return { pending, failed, oldestPendingAt, byChannel };
    },
    ackIncident(id, note, ts) {
      const what = `acknowledge incident ${id}`;
      ctx.assertOpen(what);
      finite(what, "ts", ts);
      const text = validNote(what, note);
      beforeRead();
      return Number(ack.run(Math.round(ts), text, id).changes) > 0;
    },
    incident(id) {
      ctx.assertOpen(`read incident ${id}`);
      beforeRead();
      const r = incident.get(id) as Row | undefined;
      return r ? toIncident(r, r.stream_name as string, ctx.now()) : undefined;
    },
    setMute(name, until, note) {
      const what = `mute "${name}"`;
      ctx.assertOpen(what);
      if (until === null) {
        unmute.run(name);
        return;
      }
      finite(what, "until", until);
      mute.run(name, Math.round(until), validNote(what, note));
    },
    mutes(now) {
      ctx.assertOpen("read mutes");
      return (mutes.all(now) as Row[]).map((r) => ({
        name: r.name as string,
        until: r.until as number,
        note: r.note as string,
      }));
    },
  };
}
