/** Serves a Hono app as a supervised task, moving to a new address when the config changes it. */

import type { Bus, Logger } from "../monitor/mod.ts";

/** Where to listen. */
export interface Address {
  host: string;
  port: number;
}

/** Options of {@link serveTask}. */
export interface ServeOptions {
  /** Used in log lines, e.g. "status API". */
  name: string;
  fetch: (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>;
  /** The address wanted now (read again after every config reload). */
  address: () => Address;
  bus: Bus;
  logger: Logger;
  /** Path shown in the "listening" log line. */
  path?: string;
}

/**
 * Returns a task that serves until its signal aborts. A config reload that changes host or port
 * closes the listener and opens the new one, so `api.port` / `web.port` edits apply without a
 * restart. A port in use throws, and the supervisor retries with backoff.
 */
export function serveTask(opts: ServeOptions): (signal: AbortSignal) => Promise<void> {
  return async (signal) => {
    while (!signal.aborted) {
      const addr = opts.address();
      const moved = new AbortController();
      const off = opts.bus.on("config-reloaded", () => {
        const next = opts.address();
        if (next.host !== addr.host || next.port !== addr.port) moved.abort();
      });
      try {
        const server = Deno.serve({
          hostname: addr.host,
          port: addr.port,
          signal: AbortSignal.any([signal, moved.signal]),
          onListen: (a) =>
            opts.logger.info(`${opts.name} on http://${a.hostname}:${a.port}${opts.path ?? "/"}`),
        }, opts.fetch);
        await server.finished;
      } finally {
        off();
      }
      if (moved.signal.aborted && !signal.aborted) {
        opts.logger.info(`${opts.name}: address changed, listening again`);
      }
    }
  };
}
