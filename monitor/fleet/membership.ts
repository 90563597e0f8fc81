/** A node's membership of the fleet: keeps its `sp_node` row alive and watches who else is. */

import { clipText, redactText } from "../redact.ts";
import { createLease, type LeaseConfig, liveNodes, type NodeRow } from "./lease.ts";
import {
  DEFAULT_SITE,
  type FleetNode,
  type FleetStream,
  type Owners,
  owners,
} from "./rendezvous.ts";

/** A query as `npm:postgres` returns it: awaitable rows, cancellable while it runs. */
export type MembershipQuery = PromiseLike<readonly Record<string, unknown>[]> & {
  cancel?: () => unknown;
};

/** The slice of an `npm:postgres` client membership uses: tagged-template queries. */
export type MembershipSql = (
  strings: TemplateStringsArray,
  ...values: (string | number)[]
) => MembershipQuery;

/** What {@link createMembership} needs. */
export interface MembershipDeps {
  /**
   * The database (`npm:postgres` fits). Its reconnect `backoff` bounds how soon a node rejoins
   * after an outage: the default grows to 20 s between attempts.
   */
  sql: MembershipSql;
  /** This node; names are unique across the fleet (the row's primary key). */
  node: FleetNode;
  lease: LeaseConfig;
  /** The streams to split (read after every renewal, so config reloads count). */
  streams: () => readonly FleetStream[];
  /** Local clock, ms since the epoch (default `Date.now`). */
  now?: () => number;
  logger: { info(msg: string): void; warn(msg: string): void };
  /** Hears the new owner map whenever the set of live nodes changed (and after the first read). */
  onChange?: (owners: Owners) => void;
  /** Longest wait for one renewal or read before it counts as failed (default `renewEveryMs`). */
  timeoutMs?: number;
}

/** What a health page shows of a membership. */
export interface MembershipHealth {
  node: FleetNode;
  acting: boolean;
  /** The row's expiry on this node's clock (see {@link createMembership}); absent before a renewal. */
  leaseUntil?: number;
  /** The cut-off after which this node stops acting. */
  actUntil?: number;
  /** The live nodes of every site as last read, sorted by name. */
  live: FleetNode[];
  /** Renewals failed in a row. */
  failures: number;
  /** The last renewal or read error (redacted), cleared by a successful renewal. */
  lastError?: string;
  /** See {@link Membership.epoch}. */
  epoch: number;
}

/** One node's membership. */
export interface Membership {
  /** The renew loop; resolves when `signal` aborts or after {@link Membership.leave}. */
  run(signal: AbortSignal): Promise<void>;
  /** Whether the node may start a check or publish a result at `now` (the lease's fencing). */
  mayAct(now: number): boolean;
  /** Stops renewing and deletes the row, so the others take its streams at once. */
  leave(): Promise<void>;
  /**
   * Counts the lease's unbroken stretches: it grows with a renewal that lands after the cut-off
   * of the one before (or is the first), i.e. after a time when the node could not act and the
   * others may have seen its row expire. Whatever was planned under an older epoch (the streams
   * it owned) may be another node's now, even though `mayAct` holds again.
   */
  epoch(): number;
  health(): MembershipHealth;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener("abort", done);
  });
}

/** Awaits `query`, cancelling it and rejecting once `ms` have passed. */
async function bounded(what: string, query: MembershipQuery, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      query.cancel?.();
      reject(new Error(`Fleet ${what} took longer than ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve(query), late]);
  } finally {
    clearTimeout(timer);
  }
}

const describe = (err: unknown) =>
  clipText(redactText(err instanceof Error ? err.message : String(err)), 300);
const setKey = (nodes: readonly FleetNode[]) => nodes.map((n) => `${n.site}\0${n.name}`).join("\n");

/**
 * Creates a node's membership. **The database's clock is the only authority on liveness:** the
 * renewal writes `lease_until = db now + ttlMs` and every node reads the live set with
 * `lease_until > db now` in SQL, never comparing rows with its own clock. The node's own fencing
 * runs on its local clock instead: a renewal sent at local time `at` whose statement saw `dbNow`
 * and wrote `leaseUntil` is fed to the lease as `onRenewed(at, at + (leaseUntil - dbNow))`, i.e.
 * as if the database had stamped it the moment the request left. The statement ran later, so the
 * row really lives longer than the node believes; the offset between the two clocks cancels out,
 * and only the round trip and clock *rates* remain, which `safetyMs` covers. Renewals never
 * overlap (each is awaited, bounded by `timeoutMs`, then the lease says when the next is due);
 * a failed one is reported with `onRenewFailed` and retried sooner. After each successful
 * renewal the live nodes are read and `onChange(owners(streams(), live))` fires when the set
 * changed. `leave()` stops the loop and deletes the row, so the others take over at once.
 */
export function createMembership(deps: MembershipDeps): Membership {
  const { sql, node, logger } = deps;
  const now = deps.now ?? Date.now;
  const lease = createLease(deps.lease);
  const { ttlMs, renewEveryMs } = deps.lease;
  const timeoutMs = deps.timeoutMs ?? renewEveryMs;
  const site = node.site || DEFAULT_SITE;
  let live: FleetNode[] = [];
  let liveKey: string | undefined;
  let lastError: string | undefined;
  let left = false;
  let epoch = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const stop = new AbortController();

  const fail = (what: string, err: unknown) => {
    const first = lastError === undefined;
    lastError = `${what} failed: ${describe(err)}`;
    if (first) logger.warn(`Fleet node "${node.name}": ${lastError}`);
  };

  const renew = async (): Promise<void> => {
    const at = now();
    try {
      const rows = await bounded(
        "renewal",
        sql`WITH t AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now)
          INSERT INTO sp_node (name, site, lease_until, started_at)
          SELECT ${node.name}, ${site}, t.now + ${ttlMs}, t.now FROM t
          ON CONFLICT (name) DO UPDATE SET site = EXCLUDED.site, lease_until = EXCLUDED.lease_until
          RETURNING lease_until::float8 AS lease_until, (SELECT now FROM t)::float8 AS db_now`,
        timeoutMs,
      );
      const leaseUntil = Number(rows[0]?.lease_until);
      const dbNow = Number(rows[0]?.db_now);
      if (!Number.isFinite(leaseUntil) || !Number.isFinite(dbNow)) {
        throw new Error("the database returned no lease_until");
      }
      if (left) return; // leave() ran meanwhile: the row it deleted must not count as ours
      const cutOff = lease.status(at).actUntil;
      if (cutOff === undefined || now() >= cutOff) epoch++;
      lease.onRenewed(at, at + Math.min(leaseUntil - dbNow, ttlMs));
      if (lastError !== undefined) logger.info(`Fleet node "${node.name}": renewals recovered`);
      lastError = undefined;
    } catch (err) {
      lease.onRenewFailed(now());
      fail("renewal", err);
      return;
    }
    await readLive();
    await fenceExpired();
  };

  /**
   * Ends the database sessions, inside a transaction, of nodes whose lease has run out: a node
   * frozen mid-transaction (SIGSTOP, a paused VM) still holds its locks (rows of the streams now
   * taken over, the current-state lock every writer takes), and its connection stays open, so
   * without this every other node's writes would wait for as long as it sleeps. Only a node whose
   * own row says its lease is over is touched (sessions are named `streampulse <node>`; its lease
   * renewals run as `streampulse <node> lease` and are never ended, so a node coming back after an
   * outage can always renew), and only a transaction older than 2 s (a batch of a node that is
   * alive takes milliseconds); it reconnects when it wakes, and its batch is retried (the unique
   * keys make that harmless).
   */
  const fenceExpired = async (): Promise<void> => {
    try {
      const rows = await bounded(
        "fencing of expired nodes",
        sql`SELECT count(pg_terminate_backend(a.pid))::int AS n FROM pg_stat_activity a
          JOIN sp_node n ON a.application_name = 'streampulse ' || n.name
          WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
            AND a.xact_start < clock_timestamp() - interval '2 seconds'
            AND n.name <> ${node.name}
            AND n.lease_until <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint`,
        timeoutMs,
      );
      const n = Number(rows[0]?.n ?? 0);
      if (n > 0) logger.info(`Fleet node "${node.name}": ended ${n} session(s) of expired nodes`);
    } catch (err) {
      // Not a renewal problem (the lease holds): said once, and the lease logic is untouched.
      if (!fenceWarned) {
        logger.warn(`Fleet node "${node.name}": fencing of expired nodes failed: ${describe(err)}`);
      }
      fenceWarned = true;
    }
  };
  let fenceWarned = false;

  const readLive = async (): Promise<void> => {
    try {
      const rows = await bounded(
        "read of live nodes",
        sql`SELECT name, coalesce(site, ${DEFAULT_SITE}) AS site, lease_until::float8 AS lease_until
          FROM sp_node WHERE lease_until > (extract(epoch FROM clock_timestamp()) * 1000)::bigint`,
        timeoutMs,
      );
      const parsed: NodeRow[] = rows.map((r) => ({
        name: String(r.name),
        site: String(r.site),
        leaseUntil: Number(r.lease_until),
      }));
      const next = liveNodes(parsed, Number.NEGATIVE_INFINITY);
      live = next;
      const key = setKey(next);
      if (key !== liveKey) {
        liveKey = key;
        deps.onChange?.(owners(deps.streams(), next));
      }
    } catch (err) {
      fail("read of live nodes", err);
    }
  };

  return {
    async run(signal) {
      while (!signal.aborted && !stop.signal.aborted) {
        const t = now();
        await sleep(lease.nextRenewAt(t) - t, AbortSignal.any([signal, stop.signal]));
        if (signal.aborted || stop.signal.aborted) break;
        inFlight = renew();
        await inFlight;
      }
    },
    mayAct: (t) => !left && lease.mayAct(t),
    epoch: () => epoch,
    async leave() {
      left = true;
      stop.abort();
      await inFlight;
      await bounded("leave", sql`DELETE FROM sp_node WHERE name = ${node.name}`, timeoutMs);
      logger.info(`Fleet node "${node.name}" left the fleet`);
    },
    health() {
      const s = lease.status(now());
      return {
        node: { name: node.name, site },
        acting: !left && s.acting,
        leaseUntil: s.leaseUntil,
        actUntil: s.actUntil,
        live,
        failures: s.failures,
        lastError,
        epoch,
      };
    },
  };
}
