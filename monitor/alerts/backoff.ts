/** Pure decisions of the outbox: a channel's backoff after a failure, an attempt's outcome. */

import type { DeliveryResult } from "./types.ts";

/** How a failing channel backs off. */
export interface BackoffPolicy {
  /** The delay after the first failure, ms (default 2 s); it doubles per failure after that. */
  baseMs: number;
  /** The longest computed delay, ms (default 10 min). */
  capMs: number;
  /** The longest Retry-After honoured, ms (default 1 h); a longer one is cut to this. */
  maxRetryAfterMs: number;
  /** Uniform in [0, 1): the jitter (Math.random; tests pass a constant). */
  random: () => number;
}

/** The defaults of {@link BackoffPolicy}. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 2_000,
  capMs: 600_000,
  maxRetryAfterMs: 3_600_000,
  random: Math.random,
};

/** A channel that failed: its consecutive failures and when it may be tried again. */
export interface ChannelBackoff {
  /** Failures in a row (attempts begun before the last step do not count again). */
  failures: number;
  /** No new attempt before this, ms since the epoch. */
  until: number;
  /** When the last step was taken (a failure of an attempt begun earlier is the same outage). */
  since: number;
}

/**
 * The delay after the `failures`-th failure in a row: baseMs · 2^(failures−1), times a jitter in
 * [0.75, 1.25), capped at capMs. The jitter keeps many StreamPulse instances (or channels of one
 * provider) from retrying in step.
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy): number {
  const exp = Math.min(Math.max(failures, 1) - 1, 30);
  const raw = Math.min(policy.capMs, policy.baseMs * 2 ** exp);
  return Math.min(policy.capMs, Math.round(raw * (0.75 + 0.5 * policy.random())));
}

/**
 * The channel's backoff after a retryable failure of an attempt begun at `startedAt`. A
 * Retry-After (bounded by maxRetryAfterMs) wins over the computed delay. Several attempts in
 * flight that fail together count as one failure: one begun before the last step keeps the
 * failure count and only extends `until` to its own Retry-After.
 */
export function afterFailure(
  prev: ChannelBackoff | undefined,
  f: { startedAt: number; now: number; retryAfterMs?: number },
  policy: BackoffPolicy,
): ChannelBackoff {
  const retryAfter = f.retryAfterMs === undefined || !Number.isFinite(f.retryAfterMs)
    ? undefined
    : Math.min(Math.max(0, f.retryAfterMs), policy.maxRetryAfterMs);
  if (prev && f.startedAt < prev.since) {
    const until = retryAfter === undefined ? prev.until : Math.max(prev.until, f.now + retryAfter);
    return { ...prev, until };
  }
  const failures = (prev?.failures ?? 0) + 1;
  const delay = retryAfter ?? backoffDelayMs(failures, policy);
  return { failures, until: f.now + delay, since: f.now };
}

/** What becomes of an item after an attempt. */
export interface Outcome {
  /** sent (accepted), retry (pending until nextAttemptAt) or failed (given up). */
  result: "sent" | "retry" | "failed";
  /** When to try again; null unless result is retry. */
  nextAttemptAt: number | null;
  /** Why it was given up, for the log; absent unless failed. */
  reason?: "permanent" | "max attempts" | "max age";
}

/**
 * Decides an item's fate after one attempt (`attempts` counts it):
 *
 * | result of the attempt                         | outcome                               |
 * | --------------------------------------------- | ------------------------------------- |
 * | ok                                            | sent                                  |
 * | permanent                                     | failed (permanent)                    |
 * | retryable, attempts ≥ maxAttempts             | failed (max attempts)                 |
 * | retryable, retryAt − createdAt > maxAgeMs     | failed (max age)                      |
 * | retryable otherwise                           | retry at retryAt (the channel's until) |
 */
export function attemptOutcome(
  item: { attempts: number; createdAt: number },
  r: Pick<DeliveryResult, "ok" | "permanent">,
  limits: { retryAt: number; maxAttempts: number; maxAgeMs: number },
): Outcome {
  if (r.ok) return { result: "sent", nextAttemptAt: null };
  if (r.permanent) return { result: "failed", nextAttemptAt: null, reason: "permanent" };
  if (item.attempts >= limits.maxAttempts) {
    return { result: "failed", nextAttemptAt: null, reason: "max attempts" };
  }
  if (limits.retryAt - item.createdAt > limits.maxAgeMs) {
    return { result: "failed", nextAttemptAt: null, reason: "max age" };
  }
  return { result: "retry", nextAttemptAt: limits.retryAt };
}
