/** The retention task: prunes old history a minute after start, then hourly. */

import { delay } from "../async.ts";
import type { Store } from "./types.ts";

/** Options of {@link createRetentionTask}. */
export interface RetentionOptions {
  /** The store's prune(). */
  store: Pick<Store, "prune">;
  /** Days of raw checks kept, read each round (config reloads). */
  retentionDays: () => number;
  /** Where pruning results and trouble go. */
  logger: { info(msg: string): void; warn(msg: string): void };
  /** Wait before the first round (default 60 s). */
  firstDelayMs?: number;
  /** Wait between rounds (default 1 h). */
  intervalMs?: number;
}

/**
 * Creates the task; it runs until its signal aborts. A round that fails (the database locked by
 * another writer past busy_timeout, disk full) is retried the next round: the first failure is
 * logged, later ones are not until pruning works again, and the task itself never fails.
 */
export function createRetentionTask(
  opts: RetentionOptions,
): (signal: AbortSignal) => Promise<void> {
  const first = opts.firstDelayMs ?? 60_000;
  const interval = opts.intervalMs ?? 3_600_000;
  return async (s) => {
    let failing = false;
    await delay(first, { signal: s });
    while (!s.aborted) {
      try {
        const pruned = await opts.store.prune({ retentionDays: opts.retentionDays(), signal: s });
        if (failing) opts.logger.info("retention: pruning works again");
        failing = false;
        if (pruned.checks > 0) opts.logger.info(`retention: pruned ${pruned.checks} old checks`);
      } catch (err) {
        if (!failing) {
          opts.logger.warn(
            `retention: pruning failed, retrying every round until it works: ${err}`,
          );
        }
        failing = true;
      }
      await delay(interval, { signal: s });
    }
  };
}
