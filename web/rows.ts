/** Dashboard rows: live status plus availability (cached) and a latency ring per stream. */

import type { CheckRecord, Monitor, StreamConfig } from "../monitor/mod.ts";
import { type PictureFreshness, streamMessage, type UptimeCache } from "../monitor/status/mod.ts";
import type { Row } from "../islands/mod.ts";
import { hostKey } from "../monitor/alerts/mod.ts";
import type { Awaitable } from "../monitor/store/mod.ts";

/** What rows read from the store. */
export interface RowsStore {
  history(name: string, q: { limit?: number }): Awaitable<CheckRecord[]>;
}

/** Builds and caches {@link Row}s. */
export interface Rows {
  /** Every configured stream's row, in config order. */
  all(): Row[];
  /** One stream's row, or undefined when it is not configured. */
  one(name: string): Row | undefined;
  /** Adds a check to the stream's sparkline (call on every bus `result`). */
  record(name: string, rec: CheckRecord): void;
  /** Forgets streams no longer configured (call on `config-reloaded`). */
  prune(): void;
}

/** Points in a sparkline. */
export const SPARK_POINTS = 30;
const DAY = 86_400_000;

const latencyOf = (r: CheckRecord) => (r.ok && Number.isFinite(r.latencyMs) ? r.latencyMs : null);

/** Dependencies of {@link createRows}. */
export interface RowsDeps {
  monitor: Pick<Monitor, "streams" | "status">;
  store: RowsStore;
  now?: () => number;
  /** The media task's picture freshness of a stream (absent or undefined: no media checks). */
  picture?: (name: string) => PictureFreshness | undefined;
  /**
   * The one availability source (the status view's `uptime`), so the dashboard shows the figures
   * of `uptime_24h` and `/api/sla`, read once per 30 s; absent: no figures (null).
   */
  uptime?: UptimeCache;
  /** When a stream's snapshots were written (WebSnapshots.info), the grid's image versions. */
  snapshots?: (name: string) => { last?: { at: number }; failure?: { at: number } };
}

const NO_DATA: UptimeCache = { ratio: () => null };

/** Creates the row builder; availability comes from the shared (cached) source. */
export function createRows(deps: RowsDeps): Rows {
  const now = deps.now ?? Date.now;
  const uptime = deps.uptime ?? NO_DATA;
  const pictureOk = (name: string, windowMs: number) => uptime.pictureOk?.(name, windowMs) ?? null;
  const rings = new Map<string, Array<number | null>>();
  let index: { list: StreamConfig[]; byName: Map<string, StreamConfig> } | undefined;
  const find = (name: string) => {
    const list = deps.monitor.streams();
    if (index?.list !== list) index = { list, byName: new Map(list.map((s) => [s.name, s])) };
    return index.byName.get(name);
  };

  const ring = (name: string) => {
    let r = rings.get(name);
    if (!r) {
      // Seeded once from the store (newest first there), then fed by results. A store that
      // answers later seeds it in the background: the sparkline is empty until then.
      const seeded = r = [] as Array<number | null>;
      rings.set(name, r);
      const fill = (rows: CheckRecord[]) => {
        const fed = seeded.splice(0);
        seeded.push(...rows.slice().reverse().map(latencyOf), ...fed);
        if (seeded.length > SPARK_POINTS) seeded.splice(0, seeded.length - SPARK_POINTS);
      };
      const rows = deps.store.history(name, { limit: SPARK_POINTS });
      if (rows instanceof Promise) rows.then(fill, () => rings.delete(name));
      else fill(rows);
    }
    return r;
  };
  const build = (s: StreamConfig): Row => {
    const st = deps.monitor.status(s.name);
    const last = st?.last;
    const pic = deps.picture?.(s.name);
    const snap = deps.snapshots?.(s.name);
    return {
      name: s.name,
      state: st?.state ?? "unknown",
      enabled: s.enabled,
      kind: st?.kind ?? s.kind ?? "",
      tags: s.tags,
      site: s.site,
      // host:port only (what alert grouping keys on): the URL with its credentials never leaves.
      host: hostKey(s.url),
      // A failed check's latency is mostly its timeout: show none rather than a fast "1 ms".
      latencyMs: last?.ok && Number.isFinite(last.latencyMs) ? Math.round(last.latencyMs) : null,
      lastTs: last?.ts ?? null,
      since: st?.since ?? now(),
      message: streamMessage(s, last),
      up24h: uptime.ratio(s.name, DAY),
      up7d: uptime.ratio(s.name, 7 * DAY),
      up30d: uptime.ratio(s.name, 30 * DAY),
      pic24h: pictureOk(s.name, DAY),
      pic7d: pictureOk(s.name, 7 * DAY),
      pic30d: pictureOk(s.name, 30 * DAY),
      spark: [...ring(s.name)],
      verifiedAt: pic?.verifiedAt ?? null,
      mediaOverdueAt: pic?.overdueAt ?? null,
      pictureProblem: pic?.unverified ?? null,
      snapLast: snap?.last?.at ?? null,
      snapFailure: snap?.failure?.at ?? null,
    };
  };
  return {
    all: () => deps.monitor.streams().map(build),
    one(name) {
      const s = find(name);
      return s ? build(s) : undefined;
    },
    record(name, rec) {
      const r = rings.get(name);
      if (!r) return; // seeded from the store (which already has this check) on first use
      r.push(latencyOf(rec));
      if (r.length > SPARK_POINTS) r.splice(0, r.length - SPARK_POINTS);
    },
    prune() {
      const names = new Set(deps.monitor.streams().map((s) => s.name));
      for (const n of rings.keys()) if (!names.has(n)) rings.delete(n);
    },
  };
}
