/** Runs the process's cooperative tasks; a task that throws is logged and restarted with backoff. */

import { delay } from "./async.ts";
import type { Logger } from "./log.ts";

/** A long-running task: resolves when `signal` aborts, throws when it breaks. */
export type Task = (signal: AbortSignal) => Promise<void>;

/** The health of one task, for /api/health. */
export interface TaskHealth {
  state: "running" | "restarting" | "stopped";
  restarts: number;
  lastError?: string;
  /** Ms since epoch of the last (re)start. */
  startedAt: number;
}

/** Dependencies of {@link createSupervisor}. */
export interface SupervisorDeps {
  logger: Logger;
  /** First restart delay (default 500 ms), doubled each time up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  /** Longest restart delay (default 30 s). */
  maxBackoffMs?: number;
  /** A task that ran this long before failing restarts with the initial delay again (60 s). */
  healthyAfterMs?: number;
}

/** Starts named tasks and keeps them running. */
export interface Supervisor {
  /** Registers a task; it starts when {@link Supervisor.run} is called (or at once if running). */
  add(name: string, task: Task): void;
  /** Runs every task until `signal` aborts; resolves when all have returned. */
  run(signal: AbortSignal): Promise<void>;
  /** Health of every task. */
  health(): Record<string, TaskHealth>;
}

/** Creates a supervisor. */
export function createSupervisor(deps: SupervisorDeps): Supervisor {
  const { logger } = deps;
  const initial = deps.initialBackoffMs ?? 500;
  const max = deps.maxBackoffMs ?? 30_000;
  const healthyAfter = deps.healthyAfterMs ?? 60_000;
  const tasks = new Map<string, Task>();
  const health: Record<string, TaskHealth> = {};
  const running: Promise<void>[] = [];
  let active: AbortSignal | undefined;

  const keep = async (name: string, task: Task, signal: AbortSignal) => {
    let backoff = initial;
    const h = health[name] = { state: "running", restarts: 0, startedAt: Date.now() } as TaskHealth;
    while (!signal.aborted) {
      h.state = "running";
      h.startedAt = Date.now();
      try {
        await task(signal);
        if (signal.aborted) break;
        throw new Error("task returned before shutdown");
      } catch (err) {
        if (signal.aborted) break;
        h.lastError = err instanceof Error ? err.message : String(err);
        if (Date.now() - h.startedAt >= healthyAfter) backoff = initial;
        logger.error(`task "${name}" failed: ${h.lastError}; restarting in ${backoff} ms`);
        h.state = "restarting";
        h.restarts++;
        await delay(backoff, { signal });
        backoff = Math.min(backoff * 2, max);
      }
    }
    h.state = "stopped";
  };

  return {
    add(name, task) {
      tasks.set(name, task);
      if (active && !active.aborted) running.push(keep(name, task, active));
    },
    async run(signal) {
      active = signal;
      for (const [name, task] of tasks) running.push(keep(name, task, signal));
      // Tasks added while running push onto `running`; wait until the list stops growing.
      let seen = 0;
      while (seen < running.length) {
        const batch = running.slice(seen);
        seen = running.length;
        await Promise.all(batch);
      }
    },
    health: () => structuredClone(health),
  };
}
