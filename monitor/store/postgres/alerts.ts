/** The PostgreSQL store's alerting state: outbox with per-node claims, delivery log, acks, mutes. */

import type { DeliveryLogRow, OutboxChannelStats, OutboxItem } from "../types.ts";
import {
  INCIDENT_SELECT,
  num,
  numOrNull,
  type PgRow,
  type PgSql,
  toIncident,
} from "./read_rows.ts";
import { recordAttemptIn } from "./outbox_record.ts";
import { finite, range, validNote } from "../query.ts";
import type { AsyncStoreAlerts } from "./types.ts";

const DAY = 86_400_000;
const DEFAULT_MAX_PENDING = 50_000;
/** How long a claim from dueAlerts() lasts by default: longer than any channel's send timeout. */
export const DEFAULT_CLAIM_MS = 120_000;

/** What the alerting part takes besides the connection. */
export interface PgAlertDeps {
  /** This node's name, written to claimed_by and the delivery log's node column. */
  node: string;
  /**
   * How long dueAlerts() claims its items (default {@link DEFAULT_CLAIM_MS}); 0 claims nothing
   * (SQLite's behaviour, for a single node: due items stay due until an attempt moves them).
   */
  claimMs?: number;
  /** Clock in ms since the epoch (open incidents' duration); default Date.now. */
  now?: () => number;
  /** The writer's flush, run first by enqueueAlerts/ackIncident/incident (state changes first). */
  beforeWrite?: () => Promise<void>;
}

const OUTBOX_COLUMNS = "id, key, channel, alert::text AS alert, created_at, attempts, " +
  "next_attempt_at, status, last_answer";

const toItem = (r: PgRow): OutboxItem => ({
  id: num(r.id),
  key: r.key as string,
  channel: r.channel as string,
  alert: r.alert as string,
  createdAt: num(r.created_at),
  attempts: num(r.attempts),
  nextAttemptAt: num(r.next_attempt_at),
  status: r.status as OutboxItem["status"],
  lastAnswer: r.last_answer as string | null,
});

const toLogRow = (r: PgRow): DeliveryLogRow => ({
  id: num(r.id),
  outboxId: num(r.outbox_id),
  key: r.key as string,
  channel: r.channel as string,
  ts: num(r.ts),
  attempt: num(r.attempt),
  ok: r.ok === true,
  status: numOrNull(r.status),
  answer: r.answer as string,
  event: r.event as string,
  stream: r.stream as string,
});

/**
 * The alerting part over `sql`, with the SQLite store's semantics, plus claims: dueAlerts() marks
 * what it returns claimed_by this node until now + claimMs in one `FOR UPDATE SKIP LOCKED`
 * statement, so two nodes asking at once get disjoint items and an item whose sender died is due
 * again once its claim lapses; recordAttempt() releases the claim. Every write commits before
 * its Promise resolves and rejects when the database refuses it.
 */
export function createPgAlerts(sql: PgSql, deps: PgAlertDeps): AsyncStoreAlerts {
  const now = deps.now ?? Date.now;
  const claimMs = deps.claimMs ?? DEFAULT_CLAIM_MS;
  const flush = async () => {
    await deps.beforeWrite?.();
  };
  return {
    async enqueueAlerts(items, at, opts = {}) {
      finite("queue alerts", "now", at);
      await flush();
      const max = opts.maxPending ?? DEFAULT_MAX_PENDING;
      const t = Math.round(at);
      return await sql.begin(async (tx) => {
        const added = await tx.unsafe(
          `INSERT INTO sp_outbox (key, channel, alert, event, stream, created_at, next_attempt_at)
           SELECT x.key, x.channel, x.alert::jsonb, x.event, x.stream, $2, $2
           FROM jsonb_to_recordset($1::text::jsonb)
             AS x(key text, channel text, alert text, event text, stream text)
           ON CONFLICT (key, channel) DO NOTHING RETURNING id`,
          [JSON.stringify(items), t],
        );
        const [{ n }] = await tx.unsafe(
          "SELECT count(*) AS n FROM sp_outbox WHERE status = 'pending'",
        );
        const over = num(n) - max;
        if (over <= 0) return { added: added.length, dropped: 0 };
        const oldest = await tx.unsafe(
          "SELECT id FROM sp_outbox WHERE status = 'pending' ORDER BY id LIMIT $1",
          [over],
        );
        for (const r of oldest) {
          const a = { ts: t, ok: false, status: null, answer: "dropped: outbox full" };
          await recordAttemptIn(tx, deps.node, num(r.id), {
            ...a,
            nextAttemptAt: null,
            failed: true,
            attempted: false,
          });
        }
        return { added: added.length, dropped: over };
      });
    },
    async dueAlerts(at, limit, opts = {}) {
      finite("read due alerts", "now", at);
      const n = Math.min(10_000, Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 1)));
      const t = Math.round(at);
      if (claimMs <= 0) {
        const rows = await sql.unsafe(
          `SELECT ${OUTBOX_COLUMNS} FROM sp_outbox WHERE status = 'pending'
           AND next_attempt_at <= $1 AND ($2::text IS NULL OR channel = $2::text)
           ORDER BY id LIMIT $3`,
          [t, opts.channel ?? null, n],
        );
        return rows.map(toItem);
      }
      const rows = await sql.unsafe(
        `WITH due AS (
           SELECT id FROM sp_outbox
           WHERE status = 'pending' AND next_attempt_at <= $1
             AND ($2::text IS NULL OR channel = $2::text)
             AND (claimed_until IS NULL OR claimed_until <= $1)
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
         UPDATE sp_outbox o SET claimed_by = $4, claimed_until = $5
         FROM due WHERE o.id = due.id
         RETURNING ${OUTBOX_COLUMNS.replace(/(^|, )(\w+)/g, "$1o.$2")}`,
        [t, opts.channel ?? null, n, deps.node, t + claimMs],
      );
      return rows.map(toItem).sort((x, y) => x.id - y.id);
    },
    async recordAttempt(id, a) {
      finite("record an attempt", "ts", a.ts);
      if (a.nextAttemptAt !== null) finite("record an attempt", "nextAttemptAt", a.nextAttemptAt);
      await sql.begin((tx) => recordAttemptIn(tx, deps.node, id, a));
    },
    async deliveries(q = {}) {
      const [from, to, limit] = range(q);
      const rows = await sql.unsafe(
        `SELECT * FROM sp_delivery WHERE ($1::text IS NULL OR channel = $1::text)
           AND ts >= $2 AND ts <= $3 ORDER BY ts DESC, id DESC LIMIT $4`,
        [q.channel ?? null, from, to, limit],
      );
      return rows.map(toLogRow);
    },
    async outboxStats(at) {
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
      const [pend, fail, states] = await Promise.all([
        sql.unsafe(
          `SELECT channel, count(*) AS n, min(next_attempt_at) AS next, min(created_at) AS oldest
           FROM sp_outbox WHERE status = 'pending' GROUP BY channel`,
        ),
        sql.unsafe(
          `SELECT channel, count(*) AS n FROM sp_outbox
           WHERE status = 'failed' AND done_at >= $1 GROUP BY channel`,
          [Math.round(at - DAY)],
        ),
        sql.unsafe("SELECT * FROM sp_channel_state"),
      ]);
      for (const r of pend) {
        const c = of(r.channel as string);
        c.pending = num(r.n);
        c.nextAttemptAt = num(r.next);
        pending += c.pending;
        const oldest = num(r.oldest);
        oldestPendingAt = oldestPendingAt === null ? oldest : Math.min(oldestPendingAt, oldest);
      }
      for (const r of fail) failed += of(r.channel as string).failed = num(r.n);
      for (const r of states) {
        const c = of(r.channel as string);
        c.lastOkAt = numOrNull(r.last_ok_at);
        const errorAt = numOrNull(r.last_error_at);
        const current = errorAt !== null && (c.lastOkAt === null || errorAt > c.lastOkAt);
        c.lastError = current ? r.last_error as string : null;
      }
      return { pending, failed, oldestPendingAt, byChannel };
    },
    async ackIncident(id, note, ts) {
      const what = `acknowledge incident ${id}`;
      finite(what, "ts", ts);
      const text = validNote(what, note);
      if (!Number.isSafeInteger(id)) return false;
      await flush();
      const r = await sql.unsafe(
        "UPDATE sp_incident SET ack_at = $1, ack_note = $2 WHERE id = $3",
        [Math.round(ts), text, id],
      );
      return r.count > 0;
    },
    async incident(id) {
      if (!Number.isSafeInteger(id)) return undefined;
      await flush();
      const [r] = await sql.unsafe(
        `SELECT ${INCIDENT_SELECT} FROM sp_incident i JOIN sp_stream s ON s.id = i.stream_id
         WHERE i.id = $1`,
        [id],
      );
      return r ? toIncident(r, now()) : undefined;
    },
    async setMute(name, until, note) {
      const what = `mute "${name}"`;
      if (until === null) {
        await sql.unsafe("DELETE FROM sp_mute WHERE name = $1", [name]);
        return;
      }
      finite(what, "until", until);
      await sql.unsafe(
        `INSERT INTO sp_mute (name, until, note) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET until = $2, note = $3`,
        [name, Math.round(until), validNote(what, note)],
      );
    },
    async mutes(at) {
      const rows = await sql.unsafe(
        'SELECT name, until, note FROM sp_mute WHERE until > $1 ORDER BY name COLLATE "C"',
        [at],
      );
      return rows.map((r) => ({
        name: r.name as string,
        until: num(r.until),
        note: r.note as string,
      }));
    },
  };
}
