/** One node's lease on its fleet row (pure, time passed in): when to renew, and whether it may act. */

import type { FleetNode } from "./rendezvous.ts";

/** How a node keeps its row alive. All in milliseconds. */
export interface LeaseConfig {
  /** How long one renewal keeps the row alive (`leaseUntil = renew time + ttlMs`). */
  ttlMs: number;
  /** Time between renewals while they succeed (a failed one is retried after a quarter of it). */
  renewEveryMs: number;
  /**
   * How long before its row expires a node stops starting checks and publishing. Must cover a
   * check that starts just before the cut-off plus the clocks' disagreement:
   * `safetyMs ≥ longest check duration + largest clock skew between nodes and the store`.
   * Then a fenced node's last result lands before any other node thinks its row has expired.
   */
  safetyMs: number;
}

/** One thing wrong in a {@link LeaseConfig}. */
export interface LeaseConfigProblem {
  field: keyof LeaseConfig;
  message: string;
}

/** A {@link LeaseConfig} that cannot work; `problems` names each field and what is wrong. */
export class LeaseConfigError extends Error {
  /** Every problem found, in field order. */
  readonly problems: LeaseConfigProblem[];
  constructor(problems: LeaseConfigProblem[]) {
    super(`Invalid fleet lease settings: ${problems.map((p) => p.message).join("; ")}`);
    this.name = "LeaseConfigError";
    this.problems = problems;
  }
}

/** The lease of one node, fed by its renew loop and asked by its scheduler. */
export interface Lease {
  /**
   * A renewal succeeded. `at` is when its request was sent (so the round trip counts against
   * the node), `leaseUntil` the expiry the store wrote. The latest report wins: renewals never
   * overlap (see `createLease`), so it is the newest.
   */
  onRenewed(at: number, leaseUntil: number): void;
  /** A renewal failed at `at` (store unreachable, timed out, row gone). Only retries sooner. */
  onRenewFailed(at: number): void;
  /**
   * Whether the node may start a check or publish a result at `now`. Ask before each check and
   * again before publishing its result: a process paused mid-check (SIGSTOP, a VM freeze) wakes
   * past its cut-off and must drop what it found.
   */
  mayAct(now: number): boolean;
  /** When the renew loop should next renew (never before `now`). */
  nextRenewAt(now: number): number;
  /** The lease's figures for health pages and logs. */
  status(now: number): LeaseStatus;
}

/** A snapshot of a {@link Lease}. */
export interface LeaseStatus {
  acting: boolean;
  /** The cut-off: `min(leaseUntil, renewedAt + ttlMs) - safetyMs`; absent before a renewal. */
  actUntil?: number;
  leaseUntil?: number;
  renewedAt?: number;
  /** Renewals failed in a row since the last success. */
  failures: number;
}

/** The fencing margin a node keeps when its TTL leaves room for it: one second. */
export const DEFAULT_SAFETY_MS = 1000;

/**
 * The lease a node runs with from its config (`node.lease_seconds`, `node.renew_seconds` as ms):
 * a safety of {@link DEFAULT_SAFETY_MS}, or half of what the TTL leaves beyond one renewal when
 * that is less, so any setting the config accepts (lease above twice the renewal) is valid. The
 * safety need not cover a whole check: the engine asks `mayAct` again before it applies a result.
 */
export function fleetLease(node: { leaseMs: number; renewMs: number }): LeaseConfig {
  const safetyMs = Math.min(DEFAULT_SAFETY_MS, Math.floor((node.leaseMs - node.renewMs) / 2));
  return validateLeaseConfig({ ttlMs: node.leaseMs, renewEveryMs: node.renewMs, safetyMs });
}

/** Checks a {@link LeaseConfig}; throws a {@link LeaseConfigError} naming every problem. */
export function validateLeaseConfig(config: LeaseConfig): LeaseConfig {
  const problems: LeaseConfigProblem[] = [];
  const { ttlMs, renewEveryMs, safetyMs } = config;
  const positive = (field: "ttlMs" | "renewEveryMs", v: number) => {
    if (!Number.isFinite(v) || v <= 0) {
      problems.push({ field, message: `${field} must be a positive number of ms, got "${v}"` });
    }
  };
  positive("ttlMs", ttlMs);
  positive("renewEveryMs", renewEveryMs);
  if (!Number.isFinite(safetyMs) || safetyMs < 0) {
    problems.push({
      field: "safetyMs",
      message: `safetyMs must be 0 ms or more, got "${safetyMs}"`,
    });
  }
  if (problems.length === 0 && safetyMs >= ttlMs) {
    problems.push({
      field: "safetyMs",
      message: `safetyMs (${safetyMs}) must be below ttlMs (${ttlMs}): the node could never act`,
    });
  } else if (problems.length === 0 && renewEveryMs >= ttlMs - safetyMs) {
    problems.push({
      field: "renewEveryMs",
      message: `renewEveryMs (${renewEveryMs}) must be below ttlMs - safetyMs (${
        ttlMs - safetyMs
      }): a node renewing on time would stop acting between renewals`,
    });
  }
  if (problems.length > 0) throw new LeaseConfigError(problems);
  return config;
}

function finite(what: string, v: number): number {
  if (!Number.isFinite(v)) throw new RangeError(`Lease ${what} must be a finite time, got "${v}"`);
  return v;
}

/**
 * Creates the lease state machine of one node (fencing). The node may act only inside the window
 * its last successful renewal bought, cut `safetyMs` short of the row's expiry; the cut-off uses
 * the earlier of the store's `leaseUntil` and `renewedAt + ttlMs`, so a store clock running ahead
 * cannot lengthen it. Others treat the row as dead from `leaseUntil` on (`liveNodes()`), so two
 * nodes own one stream for at most one check, provided `safetyMs ≥ longest check + clock skew`.
 * Below, the cut-off is `c = min(leaseUntil, r + ttlMs) - safetyMs`.
 *
 * | lease                   | now                       | mayAct   | next renewal       |
 * | ----------------------- | ------------------------- | -------- | ------------------ |
 * | never renewed           | any                       | false    | now                |
 * | renewed at r, cut-off c | r ≤ now < c               | true     | r + renewEveryMs   |
 * | renewed at r, cut-off c | now ≥ c (stall, SIGSTOP)  | false    | now (at once)      |
 * | renewed at r            | now < r (clock went back) | false    | now (at once)      |
 * | last renew failed at f  | (window unchanged)        | as above | f + renewEveryMs/4 |
 * | renewed again           | (window moves on)         | as above | as above           |
 *
 * Renewals must not overlap: the renew loop awaits one before asking `nextRenewAt` again.
 */
export function createLease(config: LeaseConfig): Lease {
  const { ttlMs, renewEveryMs, safetyMs } = validateLeaseConfig(config);
  const retryMs = Math.ceil(renewEveryMs / 4);
  let renewedAt: number | undefined;
  let leaseUntil: number | undefined;
  let failedAt: number | undefined;
  let failures = 0;

  const actUntil = () =>
    renewedAt === undefined || leaseUntil === undefined
      ? undefined
      : Math.min(leaseUntil, renewedAt + ttlMs) - safetyMs;
  const mayAct = (now: number) => {
    const until = actUntil();
    return until !== undefined && now >= renewedAt! && now < until;
  };

  return {
    onRenewed(at, until) {
      finite("renewal time", at);
      finite("leaseUntil", until);
      renewedAt = at;
      leaseUntil = until;
      failures = 0;
      failedAt = undefined;
    },
    onRenewFailed(at) {
      failedAt = finite("failure time", at);
      failures++;
    },
    mayAct,
    nextRenewAt(now) {
      finite("now", now);
      let due = renewedAt === undefined ? now : renewedAt + renewEveryMs;
      if (failedAt !== undefined) due = failedAt + retryMs;
      const until = actUntil();
      if (until !== undefined && (now >= until || now < renewedAt!)) due = now;
      return Math.max(now, due);
    },
    status(now) {
      return { acting: mayAct(now), actUntil: actUntil(), leaseUntil, renewedAt, failures };
    },
  };
}

/** A fleet row as the store returns it. */
export interface NodeRow {
  name: string;
  site: string;
  /** Expiry written by the node's last renewal, ms since the epoch. */
  leaseUntil: number;
}

/**
 * The nodes whose rows are alive at `now` (`now < leaseUntil`; from `leaseUntil` on a row is
 * dead), sorted by name. Rows without a name or with a non-finite expiry are skipped; a name
 * listed twice counts once, with its latest expiry.
 */
export function liveNodes(rows: readonly NodeRow[], now: number): FleetNode[] {
  const best = new Map<string, NodeRow>();
  for (const row of rows) {
    if (typeof row.name !== "string" || row.name === "" || typeof row.site !== "string") continue;
    if (!Number.isFinite(row.leaseUntil) || row.leaseUntil <= now) continue;
    const prev = best.get(row.name);
    if (!prev || row.leaseUntil > prev.leaseUntil) best.set(row.name, row);
  }
  return [...best.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, site }) => ({ name, site }));
}
