/** Opens the PostgreSQL store: connects, migrates, loads settings, and composes the parts. */

import postgres from "postgres";
import type { Sql } from "postgres";
import type { Store, StoreDeps, StoreLogger } from "../types.ts";
import { createPgAlerts } from "./alerts.ts";
import { type CurrentRow, readCurrent } from "./current.ts";
import { migratePostgres } from "./migrate.ts";
import { createPgPrune } from "./prune.ts";
import { createPgReads } from "./reads.ts";
import { pgDisplayUrl, pgRedactor } from "./url.ts";
import { createPostgresWriter } from "./writer.ts";

const noop = () => {};
const SILENT: StoreLogger = { info: noop, warn: noop };

/** How often sizeBytes (pg_database_size) and the settings other nodes wrote are re-read. */
const REFRESH_MS = 30_000;

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreDeps extends StoreDeps {
  /** This node's name: the `node` columns, state_node, outbox claims (default: none / "local"). */
  node?: string;
  /** Seconds a connection attempt may take before it fails (default 5). */
  connectTimeoutSeconds?: number;
  /** Connections in the pool, shared by the store, membership, config and mirror (default 10). */
  maxConnections?: number;
  /** How long dueAlerts() claims its items, ms (default DEFAULT_CLAIM_MS; 0 claims nothing). */
  claimMs?: number;
}

/** The PostgreSQL store: the {@link Store}, its connection, and the fleet's current rows. */
export interface PostgresStore extends Store {
  /**
   * The npm:postgres client (a pool): membership, the shared config and the mirror use it too.
   * close() ends it.
   */
  readonly sql: Sql;
  /**
   * A pool of its own (2 connections) for the fleet's lease renewals: they never wait behind the
   * reads, writes and listens of `sql`, so a busy node does not lose its lease to its own load.
   * close() ends it.
   */
  readonly control: Sql;
  /** The streams whose current row changed after `sinceSeq` (0: all), 10,000 at most a call. */
  current(sinceSeq: number): Promise<{ seq: number; rows: CurrentRow[] }>;
  /** Writes everything queued now; rejects (keeping it queued) when the database refuses it. */
  flush(): Promise<number>;
  /** Writes what is queued, stops the timers and ends the pool; rejects when writes were lost. */
  close(): Promise<void>;
}

/** How long a session may sit idle inside a transaction before the server ends it (ms). */
export const IDLE_IN_TRANSACTION_MS = 2000;

/**
 * The pool's options: reconnect within a second of a restarted server (npm:postgres's default
 * backoff grows to 20 s), fail a connection attempt after `connectTimeoutSeconds`, no notices,
 * and no transaction left idle (a frozen node's) holding locks past {@link IDLE_IN_TRANSACTION_MS}.
 */
export function pgClientOptions(
  deps: Pick<PostgresStoreDeps, "node" | "connectTimeoutSeconds" | "maxConnections">,
): postgres.Options<Record<string, postgres.PostgresType>> {
  return {
    max: deps.maxConnections ?? 10,
    connect_timeout: deps.connectTimeoutSeconds ?? 5,
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    onnotice: noop,
    connection: {
      application_name: deps.node ? `streampulse ${deps.node}`.slice(0, 63) : "streampulse",
      // A node frozen mid-transaction (SIGSTOP, a paused VM) never sends COMMIT, and its
      // connection stays open: without this the server would keep its locks (the current-state
      // lock every writer takes) and stall every other node's writes for as long as it sleeps.
      // The server ends such a session after 2 s; its batch is retried when the node wakes, and
      // the batch's unique keys make the retry harmless.
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    },
  };
}

/**
 * Connects to `url`, applies the migrations (under their advisory lock, so nodes starting
 * together take turns), loads sp_meta into memory and starts nothing until a write is queued
 * (plus a 30 s refresh of the database size and of settings written by other nodes). Writes
 * (ensureStream included) are queued and written in batches; reads and alerting run a query
 * each, after writing what is queued. Throws naming the URL without its credentials
 * (`postgres://host:port/db`) when the server cannot be reached or migrated; no message,
 * health field or log line of the store carries the password.
 */
export async function openPostgresStore(
  url: string,
  deps: PostgresStoreDeps = {},
): Promise<PostgresStore> {
  const now = deps.now ?? Date.now;
  const path = pgDisplayUrl(url);
  const redact = pgRedactor(url);
  const given = deps.logger ?? SILENT;
  const log: StoreLogger = {
    info: (m) => given.info(redact(m)),
    warn: (m) => given.warn(redact(m)),
  };
  const fail = (err: unknown): never => {
    const why = redact(err instanceof Error ? err.message : String(err));
    throw new Error(`Cannot open the store "${path}": ${why}`);
  };
  let sql: Sql;
  let control: Sql;
  try {
    sql = postgres(url, pgClientOptions(deps));
    // Named apart ("streampulse <node> lease"): the fencing of expired nodes never ends these.
    control = postgres(url, {
      ...pgClientOptions({ ...deps, maxConnections: 2 }),
      // Reconnects every 50 ms: a renewal is bounded by the renewal interval, which a growing
      // backoff would outlast, so a node back from an outage could never renew again.
      backoff: () => 0.05,
      connection: {
        ...pgClientOptions(deps).connection,
        application_name: `streampulse ${deps.node ?? ""} lease`.replace("  ", " ").slice(0, 63),
      },
    });
  } catch (err) {
    return fail(err);
  }
  let userVersion = 0;
  let sizeBytes = 0;
  const meta = new Map<string, string>();
  try {
    userVersion = (await migratePostgres(sql, log)).to;
    for (const r of await sql`SELECT key, value FROM sp_meta`) meta.set(r.key, r.value);
    sizeBytes = await databaseSize(sql);
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(noop);
    await control.end({ timeout: 1 }).catch(noop);
    return fail(err);
  }

  let closed = false;
  let closing: Promise<void> | undefined;
  const assertOpen = (what: string) => {
    if (closed) throw new Error(`Cannot ${what}: the store "${path}" is closed`);
  };
  const writer = createPostgresWriter(sql, {
    now,
    logger: log,
    node: deps.node,
    flushIntervalMs: deps.flushIntervalMs,
    maxBatch: deps.maxBatch,
  });
  /** Reads see every recorded write: flush first, unless writes are failing (then read as is). */
  const beforeRead = async () => {
    assertOpen("read");
    if (writer.stats().writeError === null) await writer.flush().catch(noop);
  };

  // Settings: this node's writes win over a refresh that began before they were committed.
  let gen = 0;
  const setAt = new Map<string, number>();
  const refresh = async () => {
    try {
      sizeBytes = await databaseSize(sql);
      if (writer.stats().writeError !== null) return;
      const g0 = gen;
      await writer.flush(); // everything set up to g0 is committed before the read
      const rows = await sql`SELECT key, value FROM sp_meta`;
      for (const r of rows) if ((setAt.get(r.key) ?? 0) <= g0) meta.set(r.key, r.value);
      for (const [k, g] of setAt) if (g <= g0) setAt.delete(k);
    } catch {
      // the writer reports write trouble; a missed refresh is retried next round
    }
  };
  const refreshTimer = setInterval(() => void refresh(), REFRESH_MS);
  Deno.unrefTimer(refreshTimer);

  const reads = createPgReads(sql, { now, beforeRead });
  const alerts = createPgAlerts(sql, {
    node: deps.node ?? "local",
    claimMs: deps.claimMs,
    now,
    beforeWrite: beforeRead,
  });

  return {
    sql,
    control,
    ...reads,
    ...alerts,
    prune: createPgPrune(sql, { now, closed: () => closed }),
    current: (sinceSeq) => readCurrent(sql, sinceSeq),
    ensureStream(name, kind, id) {
      assertOpen(`add stream "${name}"`);
      writer.queueStream(name, kind, id);
    },
    recordCheck(name, check) {
      assertOpen(`record a check of "${name}"`);
      writer.recordCheck(name, check);
    },
    recordStateChange(change) {
      assertOpen(`record the state change of "${change.name}"`);
      writer.recordStateChange(change);
    },
    getMeta(key) {
      assertOpen(`read setting "${key}"`);
      return meta.get(key);
    },
    setMeta(key, value) {
      assertOpen(`write setting "${key}"`);
      writer.setMeta(key, value);
      meta.set(key, value);
      setAt.set(key, ++gen);
    },
    async flush() {
      assertOpen("flush");
      return await writer.flush();
    },
    health() {
      assertOpen("read health");
      const s = writer.stats();
      return {
        path,
        journalMode: "postgresql",
        userVersion,
        sizeBytes,
        ...s,
        writeError: s.writeError === null ? null : redact(s.writeError),
      };
    },
    close() {
      if (closing) return closing.catch(noop); // later calls: done once the first is
      closed = true;
      clearInterval(refreshTimer);
      closing = (async () => {
        let error: unknown;
        try {
          await writer.close();
        } catch (err) {
          error = err;
        }
        await sql.end({ timeout: 2 }).catch(noop);
        await control.end({ timeout: 1 }).catch(noop);
        if (error) {
          const why = redact(error instanceof Error ? error.message : String(error));
          throw new Error(`Closing the store "${path}" lost queued writes: ${why}`);
        }
      })();
      return closing;
    },
  };
}

async function databaseSize(sql: Sql): Promise<number> {
  const [r] = await sql`SELECT pg_database_size(current_database())::float8 AS n`;
  return Number(r.n);
}
