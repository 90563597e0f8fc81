/** Chart data of a stream: raw checks for 1 h and 24 h, hourly rollups for 7 d and 30 d. */

import type { Series } from "../islands/mod.ts";
import type { WebStore } from "./context.ts";

const RANGES: Record<string, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/** Builds the {@link Series} of `range` ("1h", "24h", "7d", "30d"; anything else is 24 h). */
export async function seriesOf(
  store: Pick<WebStore, "history" | "rollups">,
  name: string,
  range: string,
  now: number,
): Promise<Series> {
  const span = RANGES[range] ?? RANGES["24h"];
  const from = now - span;
  if (span <= RANGES["24h"]) {
    const checks = (await store.history(name, { from, to: now, limit: 10_000 })).reverse();
    return {
      source: "raw",
      from,
      to: now,
      t: checks.map((r) => r.ts / 1000),
      lat: checks.map((
        r,
      ) => (r.ok && Number.isFinite(r.latencyMs) ? Math.round(r.latencyMs) : null)),
      ok: checks.map((r) => (r.ok ? 1 : 0)),
    };
  }
  const hours = await store.rollups(name, { from, to: now });
  return {
    source: "hourly",
    from,
    to: now,
    t: hours.map((h) => h.hour / 1000),
    lat: hours.map((h) => (h.latAvg === null ? null : Math.round(h.latAvg))),
    max: hours.map((h) => h.latMax),
    ok: hours.map((h) => (h.checks > 0 ? h.ok / h.checks : 0)),
  };
}
