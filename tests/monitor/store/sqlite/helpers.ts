/** Shared by the SQLite store's tests: temporary paths, a log catcher, a check, an opener. */

import {
  openSqliteStore,
  type SqliteStore,
  type SqliteStoreDeps,
} from "../../../../monitor/store/sqlite/mod.ts";
import type { CheckRecord } from "../../../../monitor/types.ts";

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const T0 = Date.UTC(2025, 10, 1, 0, 0, 0);
/** Every scenario runs on both. */
export const BACKENDS = ["memory", "file"] as const;
export type Backend = typeof BACKENDS[number];

/** Runs `fn` with an opener for the backend's path; the temporary folder is removed after. */
export async function withPath(backend: Backend, fn: (path: string) => Promise<void> | void) {
  if (backend === "memory") return await fn(":memory:");
  const dir = await Deno.makeTempDir({ prefix: "sp_store_" });
  try {
    await fn(`${dir}/streams.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A logger that keeps its lines, "I …" and "W …". */
export function logs() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (m: string) => lines.push(`I ${m}`),
      warn: (m: string) => lines.push(`W ${m}`),
    },
  };
}

/** A check at `ts`: passed (up, 40–46 ms) or failed (down, 3 s). */
export function check(ts: number, ok: boolean, extra: Partial<CheckRecord> = {}): CheckRecord {
  return {
    ts,
    ok,
    state: ok ? "up" : "down",
    latencyMs: ok ? 40 + (ts % 7) : 3000,
    message: ok ? "RTSP 200" : "timeout",
    details: {},
    ...extra,
  };
}

/** Opens a store whose timer never flushes during a test (10 s). */
export function open(path: string, opts: SqliteStoreDeps = {}): SqliteStore {
  return openSqliteStore(path, { flushIntervalMs: 10_000, ...opts });
}
