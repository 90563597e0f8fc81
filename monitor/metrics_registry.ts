/** StreamPulse's own metrics, fed from the bus: check durations and results, config reloads, media cadence. */

import type { Bus } from "./bus.ts";

/** The Prometheus metric types StreamPulse exposes. */
export type MetricType = "counter" | "gauge" | "histogram";

/** One sample of a family. */
export interface Sample {
  /** Appended to the family name (`_bucket`, `_sum`, `_count` of a histogram). */
  suffix?: "_bucket" | "_sum" | "_count";
  /** Label names to (unescaped) values. */
  labels?: Record<string, string>;
  value: number;
}

/** A metric family: one HELP, one TYPE, its samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** Bucket upper bounds of `streampulse_check_duration_seconds`, in seconds. */
export const CHECK_DURATION_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** A Prometheus histogram: observations counted in cumulative buckets, with their sum and count. */
export interface Histogram {
  /** Counts one observation (seconds); NaN and infinities are ignored. */
  observe(value: number): void;
  /** The `_bucket` samples (`le` ascending, then `+Inf`), `_sum` and `_count`. */
  samples(): Sample[];
}

/** Creates a {@link Histogram} with the given bucket upper bounds, ascending. */
export function createHistogram(bounds: readonly number[]): Histogram {
  const les = [...bounds];
  const counts = new Array<number>(les.length).fill(0);
  let count = 0;
  let sum = 0;
  return {
    observe(value) {
      if (!Number.isFinite(value)) return;
      count++;
      sum += value;
      const i = les.findIndex((le) => value <= le);
      if (i >= 0) counts[i]++;
    },
    samples() {
      let cumulative = 0;
      const out: Sample[] = les.map((le, i) => ({
        suffix: "_bucket",
        labels: { le: String(le) },
        value: cumulative += counts[i],
      }));
      out.push({ suffix: "_bucket", labels: { le: "+Inf" }, value: count });
      out.push({ suffix: "_sum", value: sum }, { suffix: "_count", value: count });
      return out;
    },
  };
}

/** What the media task tells {@link createMetrics} about its cadence. */
export interface MediaCadenceFigures {
  /** Streams whose media checks are overdue now (see monitor/media/cadence.ts). */
  overdue: number;
  /** Seconds between a media check's due time and its start. */
  lateness: Pick<Histogram, "samples">;
}

/** Dependencies of {@link createMetrics}. */
export interface MetricsDeps {
  bus: Pick<Bus, "on">;
  /** True/false while MQTT is enabled; undefined when it is off (the gauge is then omitted). */
  mqttConnected?: () => boolean | undefined;
  /** The media task's cadence figures (absent: no `streampulse_media_*` families). */
  media?: () => MediaCadenceFigures;
  /** The alert outbox's figures (absent: no `streampulse_alerts_*` families). */
  alerts?: () => AlertFigures;
  /** Histogram bucket bounds in seconds, ascending (default {@link CHECK_DURATION_BUCKETS}). */
  buckets?: readonly number[];
}

/** What the alerts task tells {@link createMetrics}. */
export interface AlertFigures {
  /** Delivery attempts since start by channel name and result. */
  counts: Map<string, { sent: number; retry: number; failed: number }>;
  /** Deliveries waiting in the outbox now. */
  pending: number;
}

/** Counters kept since the process started. */
export interface Metrics {
  /** Current families of StreamPulse's own metrics (`streampulse_*`). */
  families(): MetricFamily[];
  /** When the stream's newest passed check ran (ms), if one was seen on the bus since start. */
  lastPassed(name: string): number | undefined;
  /** Unsubscribes from the bus. */
  close(): void;
}

/**
 * Creates the counters and subscribes them to the bus. Every `result` event counts, including
 * results folded in from media checks; a result without a finite latency is counted in
 * `checks_total` but not observed by the duration histogram.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const durations = createHistogram(deps.buckets ?? CHECK_DURATION_BUCKETS);
  const results = { ok: 0, fail: 0 };
  let reloads = 0;
  let configErrors = 0;
  const passed = new Map<string, number>();

  const offs = [
    deps.bus.on("result", ({ name, record, origin }) => {
      if (record.ok) passed.set(name, record.ts);
      if (origin !== undefined) return; // another fleet node's check: counted there
      results[record.ok ? "ok" : "fail"]++;
      if (Number.isFinite(record.latencyMs)) {
        durations.observe(Math.max(0, record.latencyMs) / 1000);
      }
    }),
    deps.bus.on("config-reloaded", ({ config }) => {
      reloads++;
      const names = new Set(config.streams.map((s) => s.name));
      for (const name of passed.keys()) if (!names.has(name)) passed.delete(name);
    }),
    deps.bus.on("config-error", () => configErrors++),
  ];

  return {
    families() {
      const fams: MetricFamily[] = [
        {
          name: "streampulse_check_duration_seconds",
          help:
            "Wall time of finished stream checks in seconds, including results from media checks.",
          type: "histogram",
          samples: durations.samples(),
        },
        {
          name: "streampulse_checks_total",
          help: "Stream checks finished since start, by result.",
          type: "counter",
          samples: (["ok", "fail"] as const).map((r) => ({
            labels: { result: r },
            value: results[r],
          })),
        },
        {
          name: "streampulse_config_reloads_total",
          help: "Config changes applied since start.",
          type: "counter",
          samples: [{ value: reloads }],
        },
        {
          name: "streampulse_config_errors_total",
          help: "Config changes rejected since start (the last good config kept running).",
          type: "counter",
          samples: [{ value: configErrors }],
        },
      ];
      const mqtt = deps.mqttConnected?.();
      if (mqtt !== undefined) {
        fams.push({
          name: "streampulse_mqtt_connected",
          help: "1 while connected to the MQTT broker, 0 while not (absent when MQTT is off).",
          type: "gauge",
          samples: [{ value: mqtt ? 1 : 0 }],
        });
      }
      const media = deps.media?.();
      if (media) {
        fams.push({
          name: "streampulse_media_overdue_streams",
          help: "Streams whose media checks are now more than one cadence plus grace late.",
          type: "gauge",
          samples: [{ value: media.overdue }],
        }, {
          name: "streampulse_media_check_lateness_seconds",
          help: "Seconds between a media check's due time and its start.",
          type: "histogram",
          samples: media.lateness.samples(),
        });
      }
      const alerts = deps.alerts?.();
      if (alerts) {
        const samples: Sample[] = [];
        for (const [channel, c] of alerts.counts) {
          for (const result of ["sent", "retry", "failed"] as const) {
            samples.push({ labels: { channel, result }, value: c[result] });
          }
        }
        fams.push({
          name: "streampulse_alerts_total",
          help: "Alert delivery attempts since start, by channel and result " +
            "(sent; retry: will be tried again; failed: given up).",
          type: "counter",
          samples,
        }, {
          name: "streampulse_alerts_pending",
          help: "Alert deliveries waiting in the outbox.",
          type: "gauge",
          samples: [{ value: alerts.pending }],
        });
      }
      return fams;
    },
    lastPassed: (name) => passed.get(name),
    close() {
      for (const off of offs) off();
    },
  };
}
