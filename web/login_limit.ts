/** The login rate limit: a per-address bucket, a global ceiling and a bound on password hashing. */

/** Dependencies of {@link createLoginLimiter}; every default is written in its JSDoc. */
export interface LoginLimiterDeps {
  /** Failed checks per address within `windowMs` before it is locked (default 5). */
  maxFailures?: number;
  /** Failed checks over all addresses within `windowMs` before every check stops (default 100). */
  maxGlobalFailures?: number;
  /** The window of both counters (default 15 min). */
  windowMs?: number;
  /** A locked address's single attempt is checked only after this delay (default 2 s). */
  lockedDelayMs?: number;
  /** Password hashes running at once (default 2: PBKDF2 is ~0.3 s of a core). */
  maxConcurrent?: number;
  /** Checks waiting for a hashing slot before more are refused as busy (default 16). */
  maxQueued?: number;
  now?: () => number;
  /** Called once per window when the global ceiling is reached (the caller logs it). */
  onGlobalLimit?: () => void;
}

/** A refusal made before any hashing, with the seconds to wait. */
export interface Refusal {
  ok: false;
  error: string;
  retryAfterS: number;
}

/** Permission to run one password check; `done()` must be called exactly once. */
export interface Ticket {
  ok: true;
  /** True when the address is locked: only the right password helps (a wrong one gets 429). */
  locked: boolean;
  /** Records the outcome and frees the hashing slot. */
  done(success: boolean): void;
}

/** Hands out tickets for password checks. */
export interface LoginLimiter {
  /** Waits for a ticket, or refuses at once. Counts the attempt before the check runs. */
  acquire(ip: string): Promise<Ticket | Refusal>;
  /** The refusal `ip` would get now from its counters (for the cheap setup-token check). */
  refused(ip: string): Refusal | undefined;
  /** Records a failed cheap check (e.g. a wrong setup token) against `ip`. */
  fail(ip: string): void;
}

interface Bucket {
  failures: number;
  /** Checks admitted and not yet settled; they count as failures until they succeed. */
  pending: number;
  /** A locked address's one attempt is under way. */
  lockedBusy: boolean;
  resetAt: number;
}

/**
 * Creates the limiter. The design, in the order a check passes it:
 *
 * 1. **Global ceiling.** When `maxGlobalFailures` checks (failed, or admitted and not yet
 *    settled) fall in the window, every check is refused until it ends, even with the right
 *    password: otherwise many addresses (a botnet, or DNS-rebinding pages in many browsers)
 *    could guess forever. This can lock the admin out too; it is logged by the caller, and a
 *    restart clears it. Counting before the check means parallel requests cannot overshoot.
 * 2. **Per-address bucket**, counted *before* the slow hash: an attempt takes a slot at once and
 *    gives it back only if it succeeds, so 20 parallel guesses get at most `maxFailures` checks.
 * 3. **Locked lane.** A locked address (e.g. a reverse proxy that every user shares) gets one
 *    attempt at a time, checked after `lockedDelayMs`; others are refused at once. The right
 *    password signs in, so a guesser behind the same proxy cannot lock the admin out; a wrong one
 *    is refused with 429 and counts towards the global ceiling, which bounds what the lane allows
 *    (at most one guess per `lockedDelayMs` per address). A correct password never passes 1.
 * 4. **Hashing slots.** At most `maxConcurrent` hashes run and `maxQueued` wait, so the login
 *    form cannot be used to burn the CPU; beyond that the request is refused as busy (429,
 *    Retry-After 1) without counting a failure.
 *
 * A success does not reset the address's failures: behind a shared proxy that would refill a
 * guesser's budget whenever the admin signs in. The counters live in memory, windows are fixed
 * from the first failure, and addresses are forgotten when their window ends.
 */
export function createLoginLimiter(deps: LoginLimiterDeps = {}): LoginLimiter {
  const now = deps.now ?? Date.now;
  const maxFailures = deps.maxFailures ?? 5;
  const maxGlobal = deps.maxGlobalFailures ?? 100;
  const windowMs = deps.windowMs ?? 15 * 60_000;
  const lockedDelayMs = deps.lockedDelayMs ?? 2000;
  const maxConcurrent = deps.maxConcurrent ?? 2;
  const maxQueued = deps.maxQueued ?? 16;
  const buckets = new Map<string, Bucket>();
  const global: Bucket = { failures: 0, pending: 0, lockedBusy: false, resetAt: 0 };
  const queue: Array<() => void> = [];
  let running = 0;
  let toldGlobal = false;

  const refusal = (error: string, untilMs: number): Refusal => {
    const retryAfterS = Math.max(1, Math.ceil((untilMs - now()) / 1000));
    return { ok: false, error: error.replace("{s}", String(retryAfterS)), retryAfterS };
  };
  /** The live bucket of `ip` (a fresh one when its window is over). */
  const bucketOf = (ip: string): Bucket => {
    const t = now();
    let b = buckets.get(ip);
    if (b && b.resetAt <= t && b.pending === 0 && !b.lockedBusy) b = undefined;
    if (!b) {
      if (buckets.size > 10_000) {
        for (const [k, v] of buckets) {
          if (v.resetAt <= t && v.pending === 0 && !v.lockedBusy) buckets.delete(k);
        }
      }
      b = { failures: 0, pending: 0, lockedBusy: false, resetAt: t + windowMs };
      buckets.set(ip, b);
    } else if (b.resetAt <= t) {
      b.failures = 0; // window over while a check was running: keep the running count
      b.resetAt = t + windowMs;
    }
    return b;
  };
  const globalOver = (): Refusal | undefined => {
    if (global.resetAt <= now() && global.pending === 0) {
      global.failures = 0;
      global.resetAt = now() + windowMs;
      toldGlobal = false;
    }
    if (global.failures + global.pending < maxGlobal) return undefined;
    if (!toldGlobal) deps.onGlobalLimit?.();
    toldGlobal = true;
    return refusal(
      "Too many failed sign-ins on this server; every sign-in waits {s} s",
      global.resetAt,
    );
  };
  const lockedRefusal = (b: Bucket) =>
    refusal("Too many failed attempts; try again in {s} s", b.resetAt);
  const settle = (b: Bucket, success: boolean, locked: boolean) => {
    if (locked) b.lockedBusy = false;
    else b.pending--;
    global.pending--;
    if (!success) {
      b.failures++;
      global.failures++;
    }
  };
  const release = () => {
    running--;
    const next = queue.shift();
    if (next) {
      running++;
      next();
    }
  };

  return {
    async acquire(ip) {
      const stop = globalOver();
      if (stop) return stop;
      const b = bucketOf(ip);
      const locked = b.failures + b.pending >= maxFailures;
      if (locked && b.lockedBusy) return lockedRefusal(b);
      if (locked) b.lockedBusy = true;
      else b.pending++;
      global.pending++;
      if (locked) await new Promise((r) => setTimeout(r, lockedDelayMs));
      if (running >= maxConcurrent) {
        if (queue.length >= maxQueued) {
          // Busy is not a failure: undo the reservation.
          if (locked) b.lockedBusy = false;
          else b.pending--;
          global.pending--;
          return refusal("The server is busy checking passwords; try again in {s} s", now());
        }
        await new Promise<void>((resolve) => queue.push(resolve));
      } else running++;
      let settled = false;
      return {
        ok: true,
        locked,
        done(success) {
          if (settled) return;
          settled = true;
          settle(b, success, locked);
          release();
        },
      };
    },
    refused(ip) {
      const stop = globalOver();
      if (stop) return stop;
      const b = bucketOf(ip);
      return b.failures + b.pending >= maxFailures ? lockedRefusal(b) : undefined;
    },
    fail(ip) {
      bucketOf(ip).failures++;
      global.failures++;
    },
  };
}
