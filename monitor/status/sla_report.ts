/** SLA reports of the configured streams: reads incidents from the store, caches briefly. */

import { availability, overallSla, type SlaFigures, type StatePeriod } from "./sla.ts";

/** What the SLA report reads (a slice of monitor/store/'s Store). */
export interface SlaStore {
  /** Incidents overlapping [from, to], newest first, at most `limit` (the store allows 10,000). */
  incidents(
    name: string,
    q: { from: number; to: number; limit: number },
  ): Array<StatePeriod & { id: number }>;
  /**
   * When the stream's history begins: its first check (to the hour once raw checks are pruned),
   * undefined when it was never checked. Time before it is 'unknown' and left out of the SLA.
   */
  firstCheckAt(name: string): number | undefined;
}

/** One SLA report. */
export interface SlaReport {
  /** Length of the window in days. */
  days: number;
  /** The window, ms since the epoch. */
  from: number;
  to: number;
  /** Every configured stream, in config order. */
  streams: Map<string, SlaFigures>;
  /** Sum over the enabled streams (see {@link overallSla}). */
  overall: SlaFigures;
}

/** Dependencies of {@link createSlaReporter}. */
export interface SlaReporterDeps {
  store: SlaStore;
  /** The configured streams. */
  streams: () => ReadonlyArray<{ name: string; enabled: boolean }>;
  /** Maintenance windows of a stream within [from, to] (absent: none): reported apart. */
  maintenance?: (name: string, from: number, to: number) => [number, number][];
  now?: () => number;
  /** How long a report is reused (default 30 s): /metrics scrapes must stay cheap. */
  cacheMs?: number;
}

/** Builds (or reuses) SLA reports. */
export interface SlaReporter {
  /** The report of the last `days` days up to now. */
  report(days: number): SlaReport;
}

const DAY = 86_400_000;
const PAGE = 10_000;
const MAX_CACHED = 8;

/** Every incident of `name` overlapping the window, paging past the store's row limit. */
function allIncidents(store: SlaStore, name: string, from: number, to: number): StatePeriod[] {
  const seen = new Map<number, StatePeriod>();
  let upper = to;
  while (true) {
    const page = store.incidents(name, { from, to: upper, limit: PAGE });
    const before = seen.size;
    for (const i of page) seen.set(i.id, i);
    // A full page may hide older rows: continue from its oldest start (ids dedupe the overlap).
    if (page.length < PAGE || seen.size === before) break;
    upper = page[page.length - 1].start;
  }
  return [...seen.values()];
}

/**
 * Creates the reporter. Disabled streams are listed, but left out of `overall`: nothing checks
 * them, so their last state would otherwise count on forever. Streams no longer configured are
 * not reported. Reports are cached per `days` for `cacheMs`.
 */
export function createSlaReporter(deps: SlaReporterDeps): SlaReporter {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 30_000;
  const cache = new Map<number, { at: number; report: SlaReport }>();

  const build = (days: number, to: number): SlaReport => {
    const from = to - days * DAY;
    const streams = new Map<string, SlaFigures>();
    const enabled: SlaFigures[] = [];
    for (const s of deps.streams()) {
      const figures = availability({ from, to }, {
        firstCheck: deps.store.firstCheckAt(s.name),
        periods: allIncidents(deps.store, s.name, from, to),
        maintenance: deps.maintenance?.(s.name, from, to),
      });
      streams.set(s.name, figures);
      if (s.enabled) enabled.push(figures);
    }
    return { days, from, to, streams, overall: overallSla(enabled) };
  };

  return {
    report(days) {
      if (!Number.isFinite(days) || days <= 0) {
        throw new RangeError(`Cannot report SLA: "days" is ${days}, it must be above 0`);
      }
      const t = now();
      const hit = cache.get(days);
      if (hit && t - hit.at >= 0 && t - hit.at < cacheMs) return hit.report;
      const report = build(days, t);
      cache.delete(days);
      cache.set(days, { at: t, report });
      // Maps keep insertion order: the first key is the least recently built report.
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
      return report;
    },
  };
}
