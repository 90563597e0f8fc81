/** One fleet node at run time: membership, this node's share of the streams, and the mirror. */

import { type AssignedStream, assignStreams } from "./assign.ts";
import type { LeaseConfig } from "./lease.ts";
import { createMembership, type MembershipSql } from "./membership.ts";
import { createMirror, type MirrorDeps, type MirrorRow } from "./mirror.ts";
import type { FreshState } from "./ownership.ts";
import { DEFAULT_SITE, type FleetNode } from "./rendezvous.ts";
import { createShare } from "./share.ts";
import { delay } from "../async.ts";
import type { RemoteStatus } from "./remote.ts";

/** The slice of the engine a fleet node drives (monitor/monitor.ts's Monitor fits). */
export interface FleetMonitor {
  setOwned(owned: ReadonlySet<string> | null, fresh?: Map<string, FreshState>): void;
  observe(name: string, status: RemoteStatus, node: string): void;
}

/** What {@link createFleetNode} needs. */
export interface FleetNodeDeps {
  /** The shared database (the PostgreSQL store's `npm:postgres` client fits). */
  sql: MembershipSql;
  node: FleetNode;
  lease: LeaseConfig;
  /** The configured streams (read on every re-split; a new array counts as a config change). */
  streams: () => readonly AssignedStream[];
  monitor: FleetMonitor;
  /** `readCurrent(sql, seq)` of monitor/store/postgres, bound to the client. */
  readCurrent: MirrorDeps["readCurrent"];
  /** `listenCurrent(sql, onNotify, onListen)` of monitor/store/postgres, bound to the client. */
  listenCurrent: MirrorDeps["listenCurrent"];
  logger: { info(msg: string): void; warn(msg: string): void };
  now?: () => number;
  /** Mirror timings (defaults 1000 ms poll, 10,000 ms full read); see createMirror. */
  mirror?: { pollMs?: number; fullReadMs?: number; pageSize?: number };
  /** How often the node looks at its lease and the live set between changes (default 100 ms). */
  tickMs?: number;
  /**
   * How long a node waits before checking a stream that moves to it from a live node (a join),
   * so the old owner has seen the change first (default renewEveryMs + 500 ms). See createShare.
   */
  handoffMs?: number;
}

/** The fleet's view for /api/health (`fleet`). No database URL: it is a credential. */
export interface FleetHealth {
  node: string;
  site: string;
  /** Whether this node may check and publish now (its lease holds). */
  acting: boolean;
  /** Its row's expiry on this node's clock; absent before the first renewal. */
  leaseUntil?: number;
  /** Live nodes with the number of streams each owns. */
  nodes: { name: string; site: string; streams: number }[];
  /** Every configured stream's owner; null: nobody (disabled, or no live node). */
  owners: Record<string, string | null>;
  /** Per other live node: ms since the newest check mirrored from it. */
  lagMs: Record<string, number>;
  /** The last renewal, read or mirror error (redacted). */
  lastError?: string;
}

/** A running fleet node; see {@link createFleetNode}. */
export interface FleetRuntime {
  /** Runs membership, the share and the mirror until `signal` aborts or {@link leave}. */
  run(signal: AbortSignal): Promise<void>;
  /** Fencing for the engine: whether this node may start a check or apply a result now. */
  mayAct(): boolean;
  /** Whether this node checks the stream now. */
  owns(name: string): boolean;
  /** The node that checks the stream, or undefined (disabled, no live node). */
  ownerOf(name: string): string | undefined;
  /** Splits the streams again (call after a config reload; a new streams() array also counts). */
  reassign(): void;
  /** Clean stop: gives every stream up and deletes the row, so the others take over at once. */
  leave(): Promise<void>;
  health(): FleetHealth;
}

const liveKey = (nodes: readonly FleetNode[]) =>
  nodes.map((n) => `${n.site}\0${n.name}`).join("\n");

/**
 * Creates a fleet node. Its membership renews the node's row and reads the live nodes; on every
 * change of the live set, of its own right to act, or of the streams, the node splits the
 * streams again (assignStreams: rendezvous per site, a site without live nodes falls back to the
 * whole fleet) and tells the engine what it owns. A stream it newly owns continues from its
 * current row (the mirror catches up first), so the previous owner's state and fail streak go
 * on. While its lease does not hold (`mayAct` false) it owns nothing; the engine also asks
 * `mayAct()` before each check and before applying each result. The mirror feeds the engine
 * every row other nodes write (`observe`), so this node shows the whole fleet.
 */
export function createFleetNode(deps: FleetNodeDeps): FleetRuntime {
  const now = deps.now ?? Date.now;
  const self = deps.node.name;
  const site = deps.node.site || DEFAULT_SITE;
  let kick: (() => void) | undefined;
  const membership = createMembership({
    sql: deps.sql,
    node: { name: self, site },
    lease: deps.lease,
    streams: () => [],
    now,
    logger: deps.logger,
    onChange: () => kick?.(),
  });
  const mirror = createMirror({
    self,
    readCurrent: deps.readCurrent,
    listenCurrent: deps.listenCurrent,
    observe: (row) => deps.monitor.observe(row.name, row, row.node),
    logger: deps.logger,
    now,
    ...deps.mirror,
  });
  let owners = new Map<string, string | undefined>();
  let owned = new Set<string>();
  let applied: { acting: boolean; live: string; streams: readonly AssignedStream[] } | undefined;
  const share = createShare(self, {
    handoffMs: deps.handoffMs ?? deps.lease.renewEveryMs + 500,
  });
  let dirty = true;
  let left = false;
  /**
   * The lease epoch the owned set was planned under (Membership.epoch). After a break in the
   * lease (renewals failing, or the process paused: SIGSTOP, a frozen VM) the node may not act,
   * even once a renewal has succeeded, until a tick has given its old share up (see resplit).
   */
  let planned: number | undefined;
  const mayAct = () => !left && membership.epoch() === planned && membership.mayAct(now());

  const fresh = (names: Iterable<string>) => {
    const out = new Map<string, FreshState>();
    for (const name of names) {
      const row: MirrorRow | undefined = mirror.row(name);
      if (row) out.set(name, { ...row, node: row.node ?? undefined });
    }
    return out;
  };

  /** Carries the share over streams renamed by id (the engine does the same with its own). */
  const renamed = (before: readonly AssignedStream[], after: readonly AssignedStream[]) => {
    const byId = new Map(before.filter((s) => s.id !== undefined).map((s) => [s.id, s.name]));
    const pairs: [string, string][] = [];
    for (const s of after) {
      const from = s.id === undefined ? undefined : byId.get(s.id);
      if (from !== undefined && from !== s.name) pairs.push([from, s.name]);
    }
    if (pairs.length === 0) return;
    share.rename(pairs);
    owned = new Set(share.owned());
  };

  /** Splits again when anything it depends on changed, and takes what is due; never overlaps. */
  const resplit = async () => {
    const t = now();
    const health = membership.health();
    const live = health.live;
    if (health.epoch !== planned) {
      // The lease broke since the share was planned (renewals failed, or the process was paused
      // and a renewal has succeeded since): what it owned may be another node's by now. Give it
      // all up first; its streams come back as to a returning node (after the handoff).
      planned = health.epoch;
      share.update(owners, live, false, t);
      const drop = share.step(t);
      if (drop) {
        deps.monitor.setOwned(owned = drop.owned);
        deps.logger.warn(`Fleet node "${self}": its lease broke; it gave its streams up`);
      }
      dirty = true;
    }
    const acting = !left && membership.mayAct(t);
    const streams = deps.streams();
    const key = { acting, live: liveKey(live), streams };
    const same = applied && applied.acting === key.acting && applied.live === key.live &&
      applied.streams === streams;
    if (dirty || !same) {
      if (applied && applied.streams !== streams) renamed(applied.streams, streams);
      dirty = false;
      applied = key;
      owners = assignStreams(streams, live);
      share.update(owners, live, acting, t);
    }
    const step = share.step(t);
    if (!step) return;
    // The previous owner's last rows first, so the takeover continues from its newest state
    // (bounded: without them it continues from the mirror's last read).
    if (step.gained.length > 0) {
      const bound = new AbortController();
      await Promise.race([mirror.catchUp(), delay(deps.lease.renewEveryMs, bound)]);
      bound.abort();
    }
    if (left) return;
    owned = step.owned;
    deps.monitor.setOwned(step.owned, fresh(step.gained));
    deps.logger.info(
      `Fleet node "${self}": owns ${owned.size} streams (+${step.gained.length} ` +
        `-${step.lost.length})${acting ? "" : ", not acting: its lease does not hold"}`,
    );
  };

  return {
    async run(signal) {
      const tickMs = deps.tickMs ?? 100;
      const stop = new AbortController();
      const both = AbortSignal.any([signal, stop.signal]);
      const loops = [membership.run(both), mirror.run(both)];
      while (!both.aborted && !left) {
        await resplit().catch((err) => deps.logger.warn(`Fleet re-split failed: ${String(err)}`));
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            both.removeEventListener("abort", done);
            kick = undefined;
            resolve();
          };
          const timer = setTimeout(done, tickMs);
          kick = done;
          both.addEventListener("abort", done, { once: true });
        });
      }
      stop.abort();
      await Promise.all(loops);
    },
    mayAct,
    owns: (name) => owned.has(name),
    ownerOf: (name) => owners.get(name),
    reassign() {
      dirty = true;
      kick?.();
    },
    async leave() {
      left = true;
      owned = new Set();
      deps.monitor.setOwned(owned);
      kick?.();
      await membership.leave();
    },
    health() {
      const m = membership.health();
      const counts = new Map<string, number>();
      for (const owner of owners.values()) {
        if (owner !== undefined) counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
      const ownersOut: Record<string, string | null> = {};
      for (const [name, owner] of owners) ownersOut[name] = owner ?? null;
      const lastError = m.lastError ?? mirror.lastError();
      return {
        node: self,
        site,
        acting: mayAct(),
        ...(m.leaseUntil === undefined ? {} : { leaseUntil: m.leaseUntil }),
        nodes: m.live.map((n) => ({
          name: n.name,
          site: n.site,
          streams: counts.get(n.name) ?? 0,
        })),
        owners: ownersOut,
        // Live nodes only: a dead node's lag would only grow (its streams moved anyway).
        lagMs: Object.fromEntries(
          Object.entries(mirror.lagMs()).filter(([n]) => m.live.some((l) => l.name === n)),
        ),
        ...(lastError === undefined ? {} : { lastError }),
      };
    },
  };
}
