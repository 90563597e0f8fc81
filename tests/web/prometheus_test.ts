/** The shipped alert rules and Grafana dashboard, loaded into real promtool and a real Prometheus. */

import { parse, stringify } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { freePort } from "../fixtures/rtsp.ts";
import { startStreamPulse } from "../fixtures/streampulse.ts";
import {
  dashboardExprs,
  fillGrafanaVariables,
  type GrafanaDashboard,
  metricNames,
  sampleNames,
} from "../fixtures/prometheus/promql.ts";
import { type PromAlert, promtool, startPrometheus } from "../fixtures/prometheus/server.ts";

const path = (p: string) => decodeURIComponent(new URL(`../../${p}`, import.meta.url).pathname);
const RULES = path("deploy/prometheus/alerts.yml");
const RULE_TESTS = path("tests/fixtures/prometheus/alerts_test.yml");
const DASHBOARD = path("deploy/grafana/streampulse.json");

type Rule = { alert: string; expr: string; for?: string };
type RuleFile = { groups: Array<{ name: string; rules: Rule[] }> };
const rulesOf = (text: string) => (parse(text) as RuleFile).groups.flatMap((g) => g.rules);
const dashboard = async () => JSON.parse(await Deno.readTextFile(DASHBOARD)) as GrafanaDashboard;

Deno.test("promtool check rules accepts deploy/prometheus/alerts.yml", async () => {
  const run = await promtool(["check", "rules", RULES]);
  assertEquals(run.code, 0, run.output);
  const rules = rulesOf(await Deno.readTextFile(RULES));
  assertStringIncludes(run.output, `SUCCESS: ${rules.length} rules found`);
  assertEquals(rules.map((r) => r.alert), [
    "StreamPulseStreamDown",
    "StreamPulseStreamDegraded",
    "StreamPulseMediaChecksOverdue",
    "StreamPulseDown",
    "StreamPulseAbsent",
    "StreamPulseAlertDeliveryFailing",
  ]);
});

Deno.test("promtool test rules proves each shipped rule fires on its series, and bites", async () => {
  const run = await promtool(["test", "rules", RULE_TESTS]);
  assertEquals(run.code, 0, run.output);
  assertStringIncludes(run.output, "SUCCESS");
  // Every rule has a case where it fires and one where it stays quiet.
  const cases = (parse(await Deno.readTextFile(RULE_TESTS)) as {
    tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
  }).tests.flatMap((t) => t.alert_rule_test);
  for (const { alert } of rulesOf(await Deno.readTextFile(RULES))) {
    const mine = cases.filter((c) => c.alertname === alert);
    assert(mine.some((c) => c.exp_alerts.length > 0), `${alert} is never expected to fire`);
    assert(mine.some((c) => c.exp_alerts.length === 0), `${alert} is never expected to be quiet`);
  }
  // The same cases against rules without their `for:` must fail: the timing is really tested.
  const dir = await Deno.makeTempDir({ prefix: "streampulse-rules-" });
  try {
    const file = parse(await Deno.readTextFile(RULES)) as RuleFile;
    for (const g of file.groups) for (const r of g.rules) delete r.for;
    await Deno.writeTextFile(`${dir}/alerts.yml`, stringify(file));
    const tests = parse(await Deno.readTextFile(RULE_TESTS)) as { rule_files: string[] };
    tests.rule_files = ["alerts.yml"];
    await Deno.writeTextFile(`${dir}/alerts_test.yml`, stringify(tests));
    const bad = await promtool(["test", "rules", "alerts_test.yml"], { cwd: dir });
    assertEquals(bad.code, 1, bad.output);
    for (const name of ["StreamPulseStreamDown", "StreamPulseDown", "StreamPulseAbsent"]) {
      assertStringIncludes(bad.output, `alertname: ${name}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deploy/grafana/streampulse.json is a portable Grafana dashboard model", async () => {
  const dash = await dashboard() as GrafanaDashboard & Record<string, unknown>;
  assertEquals([typeof dash.uid, typeof dash.title, typeof dash.schemaVersion], [
    "string",
    "string",
    "number",
  ]);
  const ds = dash.templating.list.find((v) => v.name === "DS_PROMETHEUS");
  assertEquals([ds?.type, ds?.query], ["datasource", "prometheus"]);
  // No datasource uid of one installation: every reference goes through the variable.
  const raw = await Deno.readTextFile(DASHBOARD);
  for (const m of raw.matchAll(/"uid":\s*"([^"]*)"/g)) {
    assert(["${DS_PROMETHEUS}", "-- Grafana --", dash.uid].includes(m[1]), `uid "${m[1]}"`);
  }
  const ids = new Set<number>();
  const cells = new Set<string>();
  for (const p of dash.panels) {
    assert(!ids.has(p.id), `panel id ${p.id} twice`);
    ids.add(p.id);
    const { x, y, w, h } = p.gridPos;
    assert(
      x >= 0 && w > 0 && h > 0 && x + w <= 24,
      `${p.title}: gridPos ${JSON.stringify(p.gridPos)}`,
    );
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        assert(!cells.has(`${i},${j}`), `${p.title} overlaps another panel at ${i},${j}`);
        cells.add(`${i},${j}`);
      }
    }
    if (p.type === "row") continue;
    assertEquals(p.datasource?.uid, "${DS_PROMETHEUS}", p.title);
    assert((p.targets ?? []).length > 0, `${p.title} has no query`);
    for (const t of p.targets!) assertEquals(t.datasource?.uid, "${DS_PROMETHEUS}", p.title);
  }
  const used = new Set(dashboardExprs(dash).flatMap((e) => metricNames(e.expr)));
  for (
    const name of [
      "streampulse_stream_state",
      "stream_latency_seconds",
      "system_sla_ratio_30d",
      "streampulse_media_overdue_streams",
      "streampulse_alerts_total",
      "up",
    ]
  ) assert(used.has(name), `the dashboard shows nothing of ${name}`);
});

Deno.test("metricNames() finds selected names, not functions, labels or keywords", () => {
  assertEquals(
    metricNames(
      'histogram_quantile(0.95, sum by (le) (rate(a_bucket{x="y z"}[5m]))) + on(s) b > bool 1',
    ),
    ["a_bucket", "b"],
  );
  assertEquals(metricNames('absent(up{job="streampulse"})'), ["up"]);
});

Deno.test("a real Prometheus scraping StreamPulse fires the down rule for a dead stream and runs every dashboard query", async () => {
  const dead = freePort(); // nothing listens there: the stream is down from its first check
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 1
api: {port: {{API_PORT}}, host: 127.0.0.1}
web: {port: {{WEB_PORT}}, host: 127.0.0.1}
streams:
  - {name: dead-cam, url: "rtsp://127.0.0.1:${dead}/x"}
alerts:
  channels:
    - {name: hook, type: webhook, url: "http://127.0.0.1:${freePort()}/hook"}
  rules:
    - {channels: [hook]}
`,
  });
  let spRunning = true;
  // The shipped rules with every `for:` at 0 s, so the test needs no minutes of waiting.
  const file = parse(await Deno.readTextFile(RULES)) as RuleFile;
  for (const g of file.groups) for (const r of g.rules) r.for = "0s";
  const prom = await startPrometheus({
    config: `global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
rule_files: ["{{DIR}}/alerts.yml"]
scrape_configs:
  - job_name: streampulse
    static_configs: [{targets: ["127.0.0.1:${sp.apiPort}"]}]
`,
    files: { "alerts.yml": stringify(file) },
  }).catch(async (err) => {
    await sp.stop();
    throw err;
  });
  const firing = (name: string, labels: Record<string, string> = {}) => async () =>
    (await prom.alerts()).find((a: PromAlert) =>
      a.state === "firing" && a.labels.alertname === name &&
      Object.entries(labels).every(([k, v]) => a.labels[k] === v)
    );
  try {
    const down = await sp.until(
      firing("StreamPulseStreamDown", { stream: "dead-cam" }),
      40_000,
      `StreamPulseStreamDown firing\n--- prometheus ---\n${prom.logs()}`,
    );
    assertEquals(down.labels.job, "streampulse");
    assertEquals(down.annotations.summary, "Stream dead-cam is down");
    const now = await prom.alerts();
    for (const quiet of ["StreamPulseDown", "StreamPulseAbsent", "StreamPulseStreamDegraded"]) {
      assert(!now.some((a) => a.labels.alertname === quiet), `${quiet}: ${JSON.stringify(now)}`);
    }

    // Every dashboard query parses and runs on the real server; every name it uses is scraped.
    const dash = await dashboard();
    const scraped = sampleNames((await sp.get("/metrics")).text);
    scraped.add("up"); // Prometheus's own series of each target
    const exprs = [
      ...dashboardExprs(dash),
      ...file.groups.flatMap((g) => g.rules.map((r) => ({ panel: r.alert, expr: r.expr }))),
    ];
    for (const { panel, expr } of exprs) {
      const q = fillGrafanaVariables(expr, dash);
      const res = await prom.query(q);
      assertEquals(
        [res.status, res.body.status],
        [200, "success"],
        `${panel}: ${q}: ${JSON.stringify(res.body)}`,
      );
      for (const name of metricNames(q)) {
        assert(scraped.has(name), `${panel}: "${name}" is not in StreamPulse's /metrics`);
      }
    }
    // The state timeline's encoding: 1 is down.
    const state = exprs.find((e) => e.panel === "State")!;
    const res = await prom.query(fillGrafanaVariables(state.expr, dash));
    const result = (res.body.data as { result: Array<{ metric: unknown; value: unknown[] }> })
      .result;
    assertEquals(result.map((r) => [r.metric, r.value[1]]), [[{ stream: "dead-cam" }, "1"]]);

    // StreamPulse stopped: the scrape fails and StreamPulseDown fires.
    await sp.stop();
    spRunning = false;
    await sp.until(firing("StreamPulseDown", { instance: `127.0.0.1:${sp.apiPort}` }), 30_000);
  } finally {
    if (spRunning) await sp.stop();
    await prom.stop();
    await Deno.remove(sp.dir, { recursive: true }).catch(() => {});
  }
});
