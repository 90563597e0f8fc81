/** SLA reports of the configured streams, built from the one availability source. */

import {
  type AvailabilityDeps,
  type AvailabilitySource,
  type AvailabilityStore,
  createAvailability,
} from "./availability.ts";
import { overallSla, type SlaFigures } from "./sla.ts";

/** What the SLA report reads (a slice of monitor/store/'s Store). */
export type SlaStore = AvailabilityStore;

/** One SLA report. */
export interface SlaReport {
  /** Length of the window in days. */
  days: number;
  /** The window, ms since the epoch. */
  from: number;
  to: number;
  /** Every configured stream, in config order. */
  streams: Map<string, SlaFigures>;
  /** Sum over the enabled streams (see overallSla in sla.ts). */
  overall: SlaFigures;
}

/** Dependencies of {@link createSlaReporter}. */
export interface SlaReporterDeps extends AvailabilityDeps {
  /**
   * The availability source to share with the status view and the dashboard (then `store`,
   * `maintenance` and `cacheMs` are that source's business); absent: one is made from these deps.
   */
  availability?: AvailabilitySource;
}

/** Builds (or reuses) SLA reports. */
export interface SlaReporter {
  /** The report of the last `days` days up to now. */
  report(days: number): SlaReport;
  /**
   * Waits until every configured stream's figures for `days` are read (a store that answers
   * later is read in the background otherwise): await it before report() in a one-off request.
   */
  prepare(days: number): Promise<void>;
  /** The source the reports are built from (share it: one store read per stream and window). */
  availability: AvailabilitySource;
}

const DAY = 86_400_000;
const MAX_CACHED = 8;

/**
 * Creates the reporter. Disabled streams are listed, but left out of `overall` (their time since
 * their last check is not observed at all, see createAvailability). Streams no longer configured
 * are not reported. A report is reused per `days` for `cacheMs`; its streams' figures come from
 * the availability source, so `/api/sla?days=1` and the status API's `uptime_24h` are one figure.
 */
export function createSlaReporter(deps: SlaReporterDeps): SlaReporter {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 30_000;
  const source = deps.availability ?? createAvailability(deps);
  const cache = new Map<number, { at: number; report: SlaReport }>();

  let incomplete = false;
  const build = (days: number, to: number): SlaReport => {
    incomplete = false;
    const streams = new Map<string, SlaFigures>();
    const enabled: SlaFigures[] = [];
    for (const s of deps.streams()) {
      const figures = source.of(s.name, days * DAY);
      if (!figures) {
        incomplete = true; // still being read from a store that answers later: not cached
        continue;
      }
      streams.set(s.name, figures);
      if (s.enabled) enabled.push(figures);
    }
    return { days, from: to - days * DAY, to, streams, overall: overallSla(enabled) };
  };

  return {
    async prepare(days) {
      if (!Number.isFinite(days) || days <= 0) return; // report() says why
      const hit = cache.get(days);
      const t = now();
      if (hit && t - hit.at >= 0 && t - hit.at < cacheMs) return;
      await Promise.all(deps.streams().map((s) => source.load(s.name, days * DAY)));
    },
    report(days) {
      if (!Number.isFinite(days) || days <= 0) {
        throw new RangeError(`Cannot report SLA: "days" is ${days}, it must be above 0`);
      }
      const t = now();
      const hit = cache.get(days);
      if (hit && t - hit.at >= 0 && t - hit.at < cacheMs) return hit.report;
      const report = build(days, t);
      cache.delete(days);
      if (incomplete) return report;
      cache.set(days, { at: t, report });
      // Maps keep insertion order: the first key is the least recently built report.
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
      return report;
    },
    availability: source,
  };
}
