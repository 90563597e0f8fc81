/** `GET /metrics`: Prometheus text, the Python 2.1.1 names plus streampulse_*. */

import { Hono } from "hono";
import {
  type MetricFamily,
  type Metrics,
  type Monitor,
  type Sample,
  STREAM_STATES,
  type StreamState,
  type StreamStatus,
} from "../../monitor/mod.ts";
import type { SlaReporter } from "../../monitor/status/mod.ts";
import type { Awaitable } from "../../monitor/store/mod.ts";
import { encodeText, PROM_CONTENT_TYPE } from "../prom_text.ts";

/** Dependencies of {@link metricsRoutes}. */
export interface MetricsRoutesDeps {
  monitor: Pick<Monitor, "statuses">;
  /** StreamPulse's own counters (monitor/metrics_registry.ts). */
  metrics: Pick<Metrics, "families" | "lastPassed">;
  /** SLA reports for `system_sla_ratio_30d` (cached, so scrapes stay cheap with 1,000 streams). */
  sla: Pick<SlaReporter, "report" | "prepare">;
  /** Finds the newest passed check of a stream failing since before the process started. */
  store: {
    history(
      name: string,
      q: { to?: number; limit?: number },
    ): Awaitable<Array<{ ts: number; ok: boolean }>>;
  };
  /**
   * Fleet mode (`database:` set): this node's name and each stream's owner (undefined while no
   * live node owns it). Absent: a single StreamPulse, no `node` label anywhere.
   */
  fleet?: MetricsFleet;
  now?: () => number;
}

/** What /metrics needs to know about the fleet; see {@link MetricsRoutesDeps.fleet}. */
export interface MetricsFleet {
  /** This node's name (`node.name`). */
  node: string;
  /** The node that checks the stream now, or undefined while none does. */
  ownerOf(name: string): string | undefined;
}

/** Reachable states: `stream_up` is 1 and the stream counts in `system_ok_streams`. */
const REACHABLE = new Set<StreamState>(["up", "degraded"]);

const gauge = (name: string, help: string, samples: Sample[]): MetricFamily => ({
  name,
  help,
  type: "gauge",
  samples,
});

/**
 * The `GET /metrics` route. Stream metrics, labelled `stream="<name>"`,
 * cover every configured stream (in a fleet every stream the node shows, its own and mirrored):
 * - `stream_up`: 1 when the state is up or degraded (reachable), 0 when down or unknown;
 * - `stream_latency_seconds`: latency of the last check (absent before the first), and the same
 *   in `stream_latency_ms`, the Python release's name, kept for its dashboards;
 * - `stream_last_seen_age_seconds`: seconds since the last passed check, `+Inf` when none is known
 *   (never up, or no pass in the store before the current outage), so every stream has a sample;
 * - `stream_uptime_streak_seconds`: seconds in the current `up` state, 0 in any other state;
 * - `system_ok_streams` counts up and degraded streams, `system_fail_streams` down ones (unknown
 *   streams are in neither, only in `system_total_streams`);
 * - `system_sla_ratio_30d`: time-weighted availability of the enabled streams over 30 days
 *   (no sample while nothing was observed).
 *
 * In a fleet (`deps.fleet`) every node shows the whole fleet, so the gauges above are the same on
 * each node, and every per-stream series also carries `node="<owner>"` (empty while unowned): a
 * takeover starts a new series. StreamPulse's own families (`streampulse_checks_total`, the check
 * histogram, reloads, MQTT, media, alerts) count what this process did, so each of their samples
 * carries `node="<this node>"`: summed over the fleet's nodes, every check counts once.
 */
export function metricsRoutes(deps: MetricsRoutesDeps): Hono {
  const now = deps.now ?? Date.now;
  const app = new Hono();
  // Last passed check of streams failing since before start, looked up in the store once each.
  const looked = new Map<string, number | null>();
  const lastPassed = (st: StreamStatus): number | undefined => {
    const seen = deps.metrics.lastPassed(st.name);
    if (seen !== undefined || !st.last) return seen;
    if (st.last.ok) return st.last.ts;
    if (!looked.has(st.name)) {
      // Down began at the confirming failure, so the last pass is just before `since`.
      const to = st.state === "down" ? st.since : st.last.ts;
      const take = (rows: Array<{ ts: number; ok: boolean }>) =>
        looked.set(st.name, rows.find((r) => r.ok)?.ts ?? null);
      const rows = deps.store.history(st.name, { to, limit: 20 });
      // A store that answers later is read once in the background; this scrape shows none.
      if (rows instanceof Promise) {
        looked.set(st.name, null);
        rows.then(take, () => looked.delete(st.name));
      } else take(rows);
    }
    return looked.get(st.name) ?? undefined;
  };

  /** A stream's labels: its name, and its owner in a fleet. */
  const labelsOf = (name: string): Record<string, string> =>
    deps.fleet ? { stream: name, node: deps.fleet.ownerOf(name) ?? "" } : { stream: name };
  /** This process's own families, each sample labelled with this node in a fleet. */
  const ownFamilies = (): MetricFamily[] => {
    const fams = deps.metrics.families();
    const node = deps.fleet?.node;
    if (node === undefined) return fams;
    return fams.map((f) => ({
      ...f,
      samples: f.samples.map((s) => ({ ...s, labels: { node, ...s.labels } })),
    }));
  };

  const streamFamilies = (statuses: StreamStatus[], t: number): MetricFamily[] => {
    const up: Sample[] = [];
    const latency: Sample[] = [];
    const latencyMs: Sample[] = [];
    const age: Sample[] = [];
    const streak: Sample[] = [];
    const state: Sample[] = [];
    const counts = { ok: 0, fail: 0 };
    for (const st of statuses) {
      const labels = labelsOf(st.name);
      const reachable = REACHABLE.has(st.state);
      up.push({ labels, value: reachable ? 1 : 0 });
      if (reachable) counts.ok++;
      else if (st.state === "down") counts.fail++;
      if (st.last && Number.isFinite(st.last.latencyMs)) {
        latencyMs.push({ labels, value: st.last.latencyMs });
        latency.push({ labels, value: st.last.latencyMs / 1000 });
      }
      const passed = lastPassed(st);
      age.push({ labels, value: passed === undefined ? Infinity : Math.max(0, t - passed) / 1000 });
      streak.push({ labels, value: st.state === "up" ? Math.max(0, t - st.since) / 1000 : 0 });
      for (const s of STREAM_STATES) {
        state.push({ labels: { ...labels, state: s }, value: st.state === s ? 1 : 0 });
      }
    }
    if (looked.size > 0) {
      const names = new Set(statuses.map((s) => s.name));
      for (const name of looked.keys()) if (!names.has(name)) looked.delete(name);
    }
    const ratio = deps.sla.report(30).overall.ratio;
    return [
      gauge(
        "stream_up",
        "1 when the stream is up or degraded (reachable), 0 when down or unknown.",
        up,
      ),
      gauge(
        "stream_latency_seconds",
        "Duration of the stream's last check in seconds (absent before its first check).",
        latency,
      ),
      gauge(
        "stream_latency_ms",
        "Deprecated, use stream_latency_seconds: the last check's duration in milliseconds.",
        latencyMs,
      ),
      gauge(
        "stream_last_seen_age_seconds",
        "Seconds since the stream's last passed check; +Inf when no passed check is known " +
          "(never up, or none stored before the current outage).",
        age,
      ),
      gauge(
        "stream_uptime_streak_seconds",
        "Seconds since the stream's current up period began, 0 when not up.",
        streak,
      ),
      gauge("system_total_streams", "Configured streams, enabled or not.", [{
        value: statuses.length,
      }]),
      gauge("system_ok_streams", "Streams up or degraded.", [{ value: counts.ok }]),
      gauge("system_fail_streams", "Streams down (unknown ones are in neither count).", [{
        value: counts.fail,
      }]),
      gauge(
        "system_sla_ratio_30d",
        "Time-weighted availability of the enabled streams over 30 days, 0 to 1 " +
          "(degraded time counts as available; absent while nothing was observed).",
        ratio === null ? [] : [{ value: ratio }],
      ),
      gauge(
        "streampulse_stream_state",
        "1 for the stream's current state (up, degraded, down, unknown), 0 for the other three.",
        state,
      ),
    ];
  };

  app.get("/metrics", async (c) => {
    await deps.sla.prepare(30);
    const t = now();
    const statuses = deps.monitor.statuses();
    const body = encodeText([...streamFamilies(statuses, t), ...ownFamilies()]);
    return c.body(body, 200, { "Content-Type": PROM_CONTENT_TYPE });
  });
  return app;
}
