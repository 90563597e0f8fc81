/** Tests of /metrics (parsed by a real Prometheus text parser) and /api/sla on a real store. */

import { Hono } from "hono";
import parsePrometheus from "parse-prometheus-text-format";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { createBus } from "../../monitor/bus.ts";
import { parseConfig } from "../../monitor/config/parse.ts";
import { createLogger } from "../../monitor/log.ts";
import { LATENESS_BUCKETS } from "../../monitor/media/cadence.ts";
import { createHistogram, createMetrics } from "../../monitor/metrics_registry.ts";
import { createMonitor } from "../../monitor/monitor.ts";
import { selectProbe } from "../../monitor/probes/mod.ts";
import { createSlaReporter } from "../../monitor/status/sla_report.ts";
import { openStore, type Store } from "../../monitor/store/mod.ts";
import type { CheckRecord, StreamState } from "../../monitor/types.ts";
import { metricsRoutes, type MetricsRoutesDeps } from "../../web/api/metrics.ts";
import { apiSlaRoutes, parseDays } from "../../web/api/sla.ts";
import { encodeText, escapeLabelValue } from "../../web/prom_text.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2025, 10, 30, 12, 0, 0);
/** Exercises label escaping: a double quote, a backslash and a line feed. */
const ODD = 'Yard "north"\\cam\nB';
const NAMES = ["cam-a", ODD, "cam-c", "cam-new", "cam-off"];

const rec = (ts: number, ok: boolean, state: StreamState, latencyMs: number): CheckRecord => ({
  ts,
  ok,
  state,
  latencyMs,
  message: ok ? "RTSP 200" : "timeout",
  details: {},
});

/** The constructed history; the expected SLA of each stream is noted beside it. */
function buildHistory(store: Store) {
  const change = (name: string, from: StreamState, to: StreamState, ts: number) =>
    store.recordStateChange({ name, from, to, ts, cause: to });
  // cam-a: first checked 10 days ago, one 6 h outage 5 days ago → 1 − 6/240.
  store.recordCheck("cam-a", rec(NOW - 10 * DAY, true, "up", 40));
  change("cam-a", "unknown", "up", NOW - 10 * DAY);
  store.recordCheck("cam-a", rec(NOW - 5 * DAY - 1000, false, "up", 3000));
  store.recordCheck("cam-a", rec(NOW - 5 * DAY, false, "down", 3000));
  change("cam-a", "up", "down", NOW - 5 * DAY);
  store.recordCheck("cam-a", rec(NOW - 5 * DAY + 6 * HOUR, true, "up", 45));
  change("cam-a", "down", "up", NOW - 5 * DAY + 6 * HOUR);
  store.recordCheck("cam-a", rec(NOW - 10_000, true, "up", 42));
  // ODD: first checked 2 days ago, down for the last hour (open incident) → 1 − 1/48.
  store.recordCheck(ODD, rec(NOW - 2 * DAY, true, "up", 30));
  change(ODD, "unknown", "up", NOW - 2 * DAY);
  store.recordCheck(ODD, rec(NOW - HOUR - 60_000, true, "up", 31));
  store.recordCheck(ODD, rec(NOW - HOUR - 1000, false, "up", 3000));
  store.recordCheck(ODD, rec(NOW - HOUR, false, "down", 3000));
  change(ODD, "up", "down", NOW - HOUR);
  store.recordCheck(ODD, rec(NOW - 30_000, false, "down", 2500));
  // cam-c: first checked 1 day ago, degraded for the last 3 h → 1, 3 h degraded.
  store.recordCheck("cam-c", rec(NOW - DAY, true, "up", 50));
  change("cam-c", "unknown", "up", NOW - DAY);
  store.recordCheck("cam-c", rec(NOW - 3 * HOUR, true, "degraded", 52));
  change("cam-c", "up", "degraded", NOW - 3 * HOUR);
  store.recordCheck("cam-c", rec(NOW - 60_000, true, "degraded", 55));
  // cam-off (disabled): down since 1 day ago → 0, left out of overall. cam-new: never checked.
  store.recordCheck("cam-off", rec(NOW - DAY, false, "down", 3000));
  change("cam-off", "unknown", "down", NOW - DAY);
}

const CONFIG_YAML = `streams:\n${
  NAMES.map((n) =>
    `  - name: ${JSON.stringify(n)}\n    url: rtsp://127.0.0.1:8554/x\n    enabled: ${
      n !== "cam-off"
    }\n`
  ).join("")
}`;

/** A store with the history, a real bus and monitor (not running), and the routes. */
function setup(over: Partial<MetricsRoutesDeps> = {}) {
  const store = openStore(":memory:", { now: () => NOW, flushIntervalMs: 60_000 });
  buildHistory(store);
  const config = parseConfig(CONFIG_YAML);
  const bus = createBus((err) => {
    throw err;
  });
  const monitor = createMonitor({
    store,
    bus,
    logger: createLogger({ write: () => {} }),
    selectProbe,
    maxConcurrent: 4,
    now: () => NOW,
  });
  monitor.applyStreams(config.streams);
  // The media task's cadence: two streams overdue, three check starts 0.1, 3 and 400 s late.
  const lateness = createHistogram(LATENESS_BUCKETS);
  [0.1, 3, 400].forEach((s) => lateness.observe(s));
  const metrics = createMetrics({
    bus,
    mqttConnected: () => true,
    media: () => ({ overdue: 2, lateness }),
    alerts: () => ({ counts: new Map([["hook", { sent: 4, retry: 2, failed: 1 }]]), pending: 3 }),
  });
  const sla = createSlaReporter({
    store,
    streams: () => monitor.streams(),
    now: () => NOW,
  });
  const app = new Hono()
    .route("/", metricsRoutes({ monitor, metrics, sla, store, now: () => NOW, ...over }))
    .route("/", apiSlaRoutes({ sla }));
  return { store, bus, monitor, metrics, app, config };
}

type Family = {
  name: string;
  help: string;
  type: string;
  metrics: Array<{
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
};

/** One sample's value by family and labels (undefined when absent). */
function value(fams: Family[], name: string, labels: Record<string, string> = {}) {
  const fam = fams.find((f) => f.name === name);
  assert(fam, `family ${name} is missing`);
  const m = fam.metrics.find((x) => JSON.stringify(x.labels ?? {}) === JSON.stringify(labels));
  if (m?.value === undefined) return undefined;
  // Go's ParseFloat spellings, as Prometheus reads them.
  const special: Record<string, number> = { "+Inf": Infinity, "-Inf": -Infinity, "Inf": Infinity };
  return special[m.value] ?? Number(m.value);
}

/** The Python-compatible SLA fields of one `/api/sla` entry (fields added beside them are allowed). */
const slaFields = (f: Record<string, unknown>) =>
  Object.fromEntries(
    [
      "ratio",
      "available_seconds",
      "down_seconds",
      "degraded_seconds",
      "observed_seconds",
      "maintenance_seconds",
    ].map((k) => [k, f[k]]),
  );

const near = (a: number | undefined, b: number, msg?: string) =>
  assert(a !== undefined && Math.abs(a - b) < 1e-9, `${msg ?? ""} expected ${b}, got ${a}`);

/**
 * Lints the exposition with Prometheus's own promtool (`check metrics`): it must parse, and the
 * only complaint allowed is the Python project's `stream_latency_ms` name, kept for its users.
 */
async function promtoolAccepts(text: string) {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const problems = said.split("\n").filter((l) => l.trim() && !l.startsWith("stream_latency_ms "));
  assertEquals(problems, [], `promtool: ${said}`);
  assert(out.code === 0 || out.code === 3, `promtool exited ${out.code}: ${said}`);
}

Deno.test("GET /metrics serves every family, parsed by a real Prometheus parser", async () => {
  const { store, bus, monitor, metrics, app, config } = setup();
  try {
    const event = (name: string, ok: boolean, latencyMs: number) =>
      bus.emit("result", {
        name,
        record: rec(NOW - 10_000, ok, ok ? "up" : "down", latencyMs),
        status: monitor.status(name)!,
      });
    event("cam-a", true, 3);
    event("cam-a", true, 42);
    event("cam-a", true, 700);
    event(ODD, false, 20_000);
    event(ODD, false, NaN);
    bus.emit("config-reloaded", { config });
    bus.emit("config-reloaded", { config });
    bus.emit("config-error", { message: "bad" });

    const res = await app.request("/metrics");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const fams = parsePrometheus(text) as Family[];
    for (const f of fams) {
      assert(text.includes(`# HELP ${f.name} `) && text.includes(`# TYPE ${f.name} `), f.name);
      assert(f.help.length > 0, `${f.name} has HELP`);
    }
    const typeOf = (n: string) => fams.find((f) => f.name === n)?.type;
    assertEquals(typeOf("streampulse_check_duration_seconds"), "HISTOGRAM");
    assertEquals(typeOf("streampulse_checks_total"), "COUNTER");
    assertEquals(typeOf("stream_up"), "GAUGE");

    const s = (stream: string) => ({ stream });
    assertEquals(NAMES.map((n) => value(fams, "stream_up", s(n))), [1, 0, 1, 0, 0]);
    assertEquals(value(fams, "stream_latency_ms", s("cam-a")), 42);
    assertEquals(value(fams, "stream_latency_ms", s(ODD)), 2500);
    assertEquals(value(fams, "stream_latency_ms", s("cam-new")), undefined);
    assertEquals(value(fams, "stream_latency_seconds", s("cam-a")), 0.042);
    assertEquals(value(fams, "stream_latency_seconds", s(ODD)), 2.5);
    assertEquals(value(fams, "stream_latency_seconds", s("cam-new")), undefined);
    assertEquals(value(fams, "stream_last_seen_age_seconds", s("cam-a")), 10);
    assertEquals(value(fams, "stream_last_seen_age_seconds", s(ODD)), 3660); // from the store
    assertEquals(value(fams, "stream_last_seen_age_seconds", s("cam-c")), 60);
    // No passed check known: never up (cam-new never checked, cam-off only failed) → +Inf.
    assertEquals(value(fams, "stream_last_seen_age_seconds", s("cam-off")), Infinity);
    assertEquals(value(fams, "stream_last_seen_age_seconds", s("cam-new")), Infinity);
    assertEquals(
      fams.find((f) => f.name === "stream_last_seen_age_seconds")!.metrics.length,
      NAMES.length,
    );
    assert(text.includes('stream_last_seen_age_seconds{stream="cam-new"} +Inf\n'), "+Inf spelled");
    assertEquals(
      value(fams, "stream_uptime_streak_seconds", s("cam-a")),
      (5 * DAY - 6 * HOUR) / 1000,
    );
    assertEquals(value(fams, "stream_uptime_streak_seconds", s(ODD)), 0);
    assertEquals(value(fams, "stream_uptime_streak_seconds", s("cam-c")), 0);
    assertEquals(value(fams, "system_total_streams"), 5);
    assertEquals(value(fams, "system_ok_streams"), 2);
    assertEquals(value(fams, "system_fail_streams"), 2);
    near(value(fams, "system_sla_ratio_30d"), (234 + 47 + 24) / (240 + 48 + 24));
    assertEquals(value(fams, "streampulse_stream_state", { stream: ODD, state: "down" }), 1);
    assertEquals(value(fams, "streampulse_stream_state", { stream: ODD, state: "up" }), 0);
    assertEquals(
      value(fams, "streampulse_stream_state", { stream: "cam-new", state: "unknown" }),
      1,
    );

    assertEquals(value(fams, "streampulse_checks_total", { result: "ok" }), 3);
    assertEquals(value(fams, "streampulse_checks_total", { result: "fail" }), 2);
    assertEquals(value(fams, "streampulse_config_reloads_total"), 2);
    assertEquals(value(fams, "streampulse_config_errors_total"), 1);
    assertEquals(value(fams, "streampulse_mqtt_connected"), 1);
    const hist = fams.find((f) => f.name === "streampulse_check_duration_seconds")!.metrics[0];
    assertEquals(hist.count, "4");
    near(Number(hist.sum), 20.745);
    assertEquals(
      Object.fromEntries(Object.entries(hist.buckets!).map(([k, v]) => [k, Number(v)])),
      {
        "0.005": 1,
        "0.01": 1,
        "0.025": 1,
        "0.05": 2,
        "0.1": 2,
        "0.25": 2,
        "0.5": 2,
        "1": 3,
        "2.5": 3,
        "5": 3,
        "10": 3,
        "+Inf": 4,
      },
    );
    assertEquals(typeOf("streampulse_media_overdue_streams"), "GAUGE");
    assertEquals(value(fams, "streampulse_media_overdue_streams"), 2);
    assertEquals(typeOf("streampulse_media_check_lateness_seconds"), "HISTOGRAM");
    const late = fams.find((f) => f.name === "streampulse_media_check_lateness_seconds")!
      .metrics[0];
    assertEquals([late.count, Number(late.sum)], ["3", 403.1]);
    assertEquals(
      Object.fromEntries(Object.entries(late.buckets!).map(([k, v]) => [k, Number(v)])),
      {
        "0.5": 1,
        "1": 1,
        "2": 1,
        "5": 2,
        "10": 2,
        "30": 2,
        "60": 2,
        "120": 2,
        "300": 2,
        "+Inf": 3,
      },
    );
    assertEquals(typeOf("streampulse_alerts_total"), "COUNTER");
    assertEquals(value(fams, "streampulse_alerts_total", { channel: "hook", result: "failed" }), 1);
    assertEquals(value(fams, "streampulse_alerts_pending"), 3);
    await promtoolAccepts(text);
  } finally {
    metrics.close();
    store.close();
  }
});

/** Every sample of a parsed family with its labels. */
const samplesOf = (fams: Family[], name: string) =>
  fams.find((f) => f.name === name)?.metrics ?? [];

/** The owners in the fleet tests: ODD is another node's, cam-new and cam-off nobody's. */
const OWNERS: Record<string, string> = { "cam-a": "node-a", [ODD]: "node-b", "cam-c": "node-a" };
const FLEET = { node: "node-a", ownerOf: (name: string) => OWNERS[name] };

Deno.test("GET /metrics in a fleet labels each stream with its owner and own families with this node", async () => {
  const { store, bus, monitor, metrics, app } = setup({ fleet: FLEET });
  try {
    bus.emit("result", {
      name: "cam-a",
      record: rec(NOW - 10_000, true, "up", 42),
      status: monitor.status("cam-a")!,
    });
    const text = await (await app.request("/metrics")).text();
    const fams = parsePrometheus(text) as Family[];
    const perStream = [
      "stream_up",
      "stream_latency_seconds",
      "stream_latency_ms",
      "stream_last_seen_age_seconds",
      "stream_uptime_streak_seconds",
      "streampulse_stream_state",
    ];
    for (const name of perStream) {
      const samples = samplesOf(fams, name);
      assert(samples.length > 0, name);
      for (const m of samples) {
        assertEquals(m.labels!.node, OWNERS[m.labels!.stream] ?? "", `${name} ${m.labels!.stream}`);
      }
    }
    assertEquals(value(fams, "stream_up", { stream: ODD, node: "node-b" }), 0);
    assertEquals(value(fams, "stream_up", { stream: "cam-new", node: "" }), 0);
    assertEquals(value(fams, "system_total_streams"), 5, "fleet-wide figures carry no node");
    const own = fams.filter((f) =>
      f.name.startsWith("streampulse_") && !perStream.includes(f.name)
    );
    assert(own.length >= 6, own.map((f) => f.name).join());
    // From the text: the parser drops a histogram's labels.
    const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
    for (const f of own) {
      const mine = lines.filter((l) => l.startsWith(`${f.name}{`) || l.startsWith(`${f.name}_`));
      assert(mine.length > 0, f.name);
      for (const l of mine) assertStringIncludes(l, '{node="node-a"', f.name);
    }
    assertEquals(value(fams, "streampulse_checks_total", { node: "node-a", result: "ok" }), 1);
    await promtoolAccepts(text);
  } finally {
    metrics.close();
    store.close();
  }
});

Deno.test("GET /metrics in a fleet counts a mirrored check on its owner only, not on every node", async () => {
  const { store, bus, monitor, metrics, app } = setup({ fleet: FLEET });
  try {
    const status = monitor.status(ODD)!;
    bus.emit("result", {
      name: ODD,
      record: rec(NOW - 5000, true, "up", 30),
      status,
      origin: "node-b",
    });
    const text = await (await app.request("/metrics")).text();
    const fams = parsePrometheus(text) as Family[];
    const checks = ["ok", "fail"].map((r) =>
      value(fams, "streampulse_checks_total", { node: "node-a", result: r })
    );
    assertEquals(checks, [0, 0], "node-b counts it; node-a's counter would count it twice");
    // From the text: the parser drops a labelled histogram's count.
    assertStringIncludes(text, '\nstreampulse_check_duration_seconds_count{node="node-a"} 0\n');
    // The gauges still see it: its last pass is the mirrored one.
    assertEquals(value(fams, "stream_last_seen_age_seconds", { stream: ODD, node: "node-b" }), 5);
  } finally {
    metrics.close();
    store.close();
  }
});

Deno.test("GET /api/sla?days=30 gives time-weighted figures of the constructed history", async () => {
  const { store, metrics, app } = setup();
  try {
    const res = await app.request("/api/sla?days=30");
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.days, 30);
    assertEquals(Object.keys(body.streams), NAMES);
    assertEquals(slaFields(body.streams["cam-a"]), {
      ratio: 1 - 6 / 240,
      available_seconds: 234 * 3600,
      down_seconds: 6 * 3600,
      degraded_seconds: 0,
      observed_seconds: 240 * 3600,
      maintenance_seconds: 0,
    });
    near(body.streams[ODD].ratio, 1 - 1 / 48);
    assertEquals(body.streams[ODD].down_seconds, 3600);
    assertEquals(body.streams["cam-c"].ratio, 1);
    assertEquals(body.streams["cam-c"].degraded_seconds, 3 * 3600);
    assertEquals(slaFields(body.streams["cam-new"]), {
      ratio: null,
      available_seconds: 0,
      down_seconds: 0,
      degraded_seconds: 0,
      observed_seconds: 0,
      maintenance_seconds: 0,
    });
    assertEquals(body.streams["cam-off"].ratio, 0);
    near(body.overall.ratio, 305 / 312);
    assertEquals(body.overall.observed_seconds, 312 * 3600);
    // A 1-day window: cam-a is fully up, ODD lost 1 h of 24.
    const day = await (await app.request("/api/sla?days=1")).json();
    assertEquals(day.streams["cam-a"].ratio, 1);
    near(day.streams[ODD].ratio, 23 / 24);
    const dflt = await (await app.request("/api/sla")).json();
    assertEquals(dflt.days, 30);
  } finally {
    metrics.close();
    store.close();
  }
});

Deno.test("GET /api/sla rejects a bad days value with a 400 naming it", async () => {
  const { store, metrics, app } = setup();
  try {
    for (const bad of ["0", "401", "abc", "7.5", "-3", "1e2"]) {
      const res = await app.request(`/api/sla?days=${encodeURIComponent(bad)}`);
      assertEquals(res.status, 400, bad);
      const body = await res.json();
      assert(body.error.includes(`"${bad}"`), body.error);
    }
    assertEquals(parseDays("400"), 400);
    assertEquals(parseDays(undefined), 30);
  } finally {
    metrics.close();
    store.close();
  }
});

Deno.test("encodeText() escapes label values and omits nothing a parser needs", () => {
  assertEquals(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const text = encodeText([{
    name: "x",
    help: "multi\nline \\ help",
    type: "gauge",
    samples: [{ labels: { stream: ODD }, value: Infinity }, { value: NaN }],
  }]);
  assertEquals(
    text,
    '# HELP x multi\\nline \\\\ help\n# TYPE x gauge\nx{stream="Yard \\"north\\"\\\\cam\\nB"} +Inf\nx NaN\n',
  );
  const [fam] = parsePrometheus(text) as Family[];
  assertEquals(fam.metrics[0].labels, { stream: ODD });
});

Deno.test("createMetrics() omits the MQTT gauge while MQTT is off and stops on close()", () => {
  const bus = createBus();
  let mqtt: boolean | undefined = undefined;
  const metrics = createMetrics({ bus, mqttConnected: () => mqtt });
  const names = () => metrics.families().map((f) => f.name);
  assert(!names().includes("streampulse_mqtt_connected"));
  mqtt = false;
  assertEquals(
    metrics.families().find((f) => f.name === "streampulse_mqtt_connected")?.samples,
    [{ value: 0 }],
  );
  metrics.close();
  bus.emit("config-error", { message: "x" });
  const errors = metrics.families().find((f) => f.name === "streampulse_config_errors_total");
  assertEquals(errors?.samples, [{ value: 0 }]);
});
