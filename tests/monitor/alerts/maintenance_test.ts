/** Maintenance windows and mutes: spans, the SLA's intervals, what the engine holds back. */

import { assert, assertEquals, assertStringIncludes, assertThrows } from "../../assert.ts";
import { createAlertEngine, type Decision } from "../../../monitor/alerts/engine.ts";
import {
  alertTime,
  compileWindows,
  coveredUntil,
  maintenanceIntervals,
  type Span,
} from "../../../monitor/alerts/maintenance.ts";
import type {
  AlertRule,
  AlertsConfig,
  MaintenanceWindow,
} from "../../../monitor/config/alerts_types.ts";
import type { StreamConfig, StreamState } from "../../../monitor/types.ts";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
/** 2026-12-01 00:00 UTC (01:00 in Berlin, winter time). */
const DEC1 = Date.UTC(2026, 11, 1);

function stream(name: string, over: Partial<StreamConfig> = {}): StreamConfig {
  return {
    name,
    url: `rtsp://${name.toLowerCase()}.example/live`,
    enabled: true,
    intervalSeconds: 30,
    timeoutSeconds: 10,
    tags: [],
    tlsInsecure: false,
    ...over,
  };
}
function win(over: Partial<MaintenanceWindow>): MaintenanceWindow {
  return { name: "works", streams: [], tags: [], sites: [], ...over };
}
const RULE: AlertRule = {
  streams: [],
  tags: [],
  sites: [],
  channels: ["chat"],
  states: ["down"],
  afterSeconds: 30,
  resolved: true,
  remindMinutes: 0,
};
function engine(
  maintenance: MaintenanceWindow[],
  rule: Partial<AlertRule> = {},
  timeZone = "UTC",
) {
  const e = createAlertEngine({ timeZone });
  const a: AlertsConfig = {
    channels: [],
    rules: [{ ...RULE, ...rule }],
    groupSeconds: 10,
    maintenance,
  };
  e.configure([stream("Gate", { site: "HQ" }), stream("Yard")], a, timeZone);
  return e;
}
type Engine = ReturnType<typeof engine>;
function go(e: Engine, name: string, from: StreamState, to: StreamState, ts: number) {
  e.change({ name, from, to, ts, cause: to });
}
function run(e: Engine, from: number, to: number, step = S): Decision[] {
  const out: Decision[] = [];
  for (let t = from; t <= to; t += step) out.push(...e.tick(t));
  return out;
}
const keyTimes = (ds: Decision[]) => ds.map((d) => [d.alert.key, d.alert.ts]);

Deno.test("maintenanceIntervals() merges, sorts and clips the windows of one stream", () => {
  const windows = [
    win({ name: "b", from: DEC1 + 5 * H, to: DEC1 + 7 * H }),
    win({ name: "a", from: DEC1 + H, to: DEC1 + 3 * H }),
    win({ name: "a2", from: DEC1 + 2 * H, to: DEC1 + 4 * H }),
    win({ name: "touching", from: DEC1 + 4 * H, to: DEC1 + 4 * H + MIN }),
    win({ name: "other site", sites: ["Depot"], from: DEC1, to: DEC1 + 24 * H }),
    win({ name: "before", from: DEC1 - 5 * H, to: DEC1 - 4 * H }),
  ];
  const gate = stream("Gate", { site: "HQ" });
  assertEquals(maintenanceIntervals(windows, gate, DEC1, DEC1 + 6 * H, "UTC"), [
    [DEC1 + H, DEC1 + 4 * H + MIN],
    [DEC1 + 5 * H, DEC1 + 6 * H],
  ]);
  assertEquals(maintenanceIntervals(windows, gate, DEC1 + 2 * H, DEC1 + 2 * H + MIN, "UTC"), [
    [DEC1 + 2 * H, DEC1 + 2 * H + MIN],
  ]);
  assertEquals(maintenanceIntervals(windows, gate, DEC1 + 8 * H, DEC1 + 9 * H, "UTC"), []);
});

Deno.test("maintenanceIntervals() reads cron windows in the config's time zone", () => {
  const nightly = [win({ cron: "0 3 * * *", minutes: 60 })];
  const gate = stream("Gate");
  // 03:00 in Berlin is 02:00 UTC in winter, 01:00 UTC in summer.
  assertEquals(maintenanceIntervals(nightly, gate, DEC1, DEC1 + 48 * H, "Europe/Berlin"), [
    [DEC1 + 2 * H, DEC1 + 3 * H],
    [DEC1 + 26 * H, DEC1 + 27 * H],
  ]);
  const jul1 = Date.UTC(2026, 6, 1);
  assertEquals(maintenanceIntervals(nightly, gate, jul1, jul1 + 24 * H, "Europe/Berlin"), [
    [jul1 + H, jul1 + 2 * H],
  ]);
  // A window that began before the range and still lasts is clipped, not lost.
  assertEquals(
    maintenanceIntervals(nightly, gate, DEC1 + 2 * H + 30 * MIN, DEC1 + 4 * H, "Europe/Berlin"),
    [[DEC1 + 2 * H + 30 * MIN, DEC1 + 3 * H]],
  );
});

Deno.test("compileWindows() names the window whose cron cannot be used", () => {
  const err = assertThrows(
    () => compileWindows([win({ name: "nightly", cron: "not cron", minutes: 5 })], "UTC"),
    Error,
  );
  assertStringIncludes(err.message, 'Maintenance window "nightly": cron "not cron"');
});

Deno.test("alertTime() restarts the wait at the end of a suppression that overlaps it", () => {
  const spans = (list: Span[]) => (from: number, to: number) =>
    list.filter(([s, e]) => s <= to && e > from);
  assertEquals(alertTime(spans([]), 100, 30), { start: 100, due: 130 });
  assertEquals(alertTime(spans([[110, 200]]), 100, 30), { start: 200, due: 230 }); // in the wait
  assertEquals(alertTime(spans([[50, 200], [200, 250]]), 100, 30).due, 280); // back to back
  assertEquals(alertTime(spans([[131, 200]]), 100, 30).due, 130); // after the alert
  assertEquals(alertTime(spans([[-Infinity, 400]]), 100, 0).due, 400); // a mute
  // Endless back-to-back spans: a provisional answer, and asking again walks on.
  const endless = (from: number, to: number): Span[] => {
    const out: Span[] = [];
    for (let s = Math.floor(from / 10) * 10; s <= to; s += 10) out.push([s, s + 10]);
    return out;
  };
  const first = alertTime(endless, 0, 5);
  const next = alertTime(endless, first.start, 5);
  assert(first.start > 0 && next.start > first.start && next.due > first.due);
  assertEquals(coveredUntil(spans([[50, 200], [200, 250]]), 120), 250);
  assertEquals(coveredUntil(spans([[50, 200]]), 200), 200);
});

Deno.test("tick() sends nothing for a stream in a one-off window and counts from its end", () => {
  const w = win({ name: "rewiring", streams: ["Gate"], from: DEC1, to: DEC1 + H });
  const e = engine([w]);
  assertEquals(e.inMaintenance("Gate", DEC1 + MIN)?.name, "rewiring");
  assertEquals(e.inMaintenance("Yard", DEC1 + MIN), undefined);
  assertEquals(e.inMaintenance("Gate", DEC1 + H), undefined);
  // Down and up inside the window: nothing at all.
  go(e, "Gate", "up", "down", DEC1 + 5 * MIN);
  go(e, "Gate", "down", "up", DEC1 + 10 * MIN);
  assertEquals(run(e, DEC1, DEC1 + 20 * MIN, 10 * S), []);
  // Down inside, still down at the end: after_seconds from the end.
  go(e, "Gate", "up", "down", DEC1 + 30 * MIN);
  assertEquals(e.nextDue(), DEC1 + H + 30 * S);
  const out = run(e, DEC1 + 20 * MIN, DEC1 + H + MIN, 10 * S);
  assertEquals(keyTimes(out), [[`Gate@${DEC1 + 30 * MIN}:down`, DEC1 + H + 30 * S]]);
  assertEquals(out[0].alert.since, DEC1 + 30 * MIN);
});

Deno.test("tick() holds back a nightly cron window in Europe/Berlin", () => {
  const e = engine([win({ name: "nightly", cron: "0 3 * * *", minutes: 60 })], {}, "Europe/Berlin");
  assertEquals(e.inMaintenance("Gate", DEC1 + 2 * H + MIN)?.name, "nightly");
  assertEquals(e.inMaintenance("Gate", DEC1 + 3 * H + MIN), undefined);
  go(e, "Gate", "up", "down", DEC1 + 2 * H + 10 * MIN); // 03:10 in Berlin
  go(e, "Yard", "up", "down", DEC1 + 2 * H - 10 * S); // 02:59:50: its wait runs into the window
  const out = run(e, DEC1 + H + 50 * MIN, DEC1 + 3 * H + 5 * MIN, 10 * S);
  assertEquals(keyTimes(out), [
    [`Gate@${DEC1 + 2 * H + 10 * MIN}:down`, DEC1 + 3 * H + 30 * S],
    [`Yard@${DEC1 + 2 * H - 10 * S}:down`, DEC1 + 3 * H + 30 * S],
  ]);
});

Deno.test("tick() skips reminders in a window but sends the resolved of an alert sent before it", () => {
  const w = win({ from: DEC1 + H, to: DEC1 + 2 * H });
  const e = engine([w], { remindMinutes: 20 });
  go(e, "Gate", "up", "down", DEC1);
  const out = run(e, DEC1, DEC1 + 90 * MIN, 10 * S);
  assertEquals(out.map((d) => d.alert.key), [
    `Gate@${DEC1}:down`,
    `Gate@${DEC1}:reminder#1`,
    `Gate@${DEC1}:reminder#2`, // 00:40; #3 at 01:00 and #4 at 01:20 fall in the window
  ]);
  go(e, "Gate", "down", "up", DEC1 + 90 * MIN);
  assertEquals(e.tick(DEC1 + 90 * MIN).map((d) => d.alert.key), [`Gate@${DEC1}:resolved`]);
});

Deno.test("tick() never alerts inside back-to-back windows, and walks them a part at a time", () => {
  const always = [win({ name: "always", cron: "*/5 * * * *", minutes: 5 })];
  const e = engine(always);
  go(e, "Gate", "up", "down", DEC1 + 30 * S);
  assertEquals(run(e, DEC1, DEC1 + 24 * H, MIN), []);
  const next = e.nextDue();
  assert(next !== undefined && next > DEC1 + 24 * H - 6 * H, `next due ${next}`);
  // Without the window the outage alerts at once: its wait counts from its start again.
  e.configure([stream("Gate", { site: "HQ" }), stream("Yard")], {
    channels: [],
    rules: [RULE],
    groupSeconds: 10,
    maintenance: [],
  }, "UTC");
  assertEquals(keyTimes(e.tick(DEC1 + 24 * H)), [[`Gate@${DEC1 + 30 * S}:down`, DEC1 + 24 * H]]);
});

Deno.test("mute() holds a stream's alerts back; unmuting counts after_seconds from then", () => {
  const e = engine([]);
  e.tick(DEC1);
  e.mute("Gate", DEC1 + H);
  go(e, "Gate", "up", "down", DEC1 + MIN);
  assertEquals(run(e, DEC1, DEC1 + 10 * MIN, 10 * S), []);
  e.mute("Gate", null); // at the latest time seen: 00:10
  const out = run(e, DEC1 + 10 * MIN, DEC1 + 20 * MIN, 10 * S);
  assertEquals(keyTimes(out), [[`Gate@${DEC1 + MIN}:down`, DEC1 + 10 * MIN + 30 * S]]);

  // A mute that runs out while the stream is still down: after_seconds from its end.
  e.mute("Yard", DEC1 + 30 * MIN);
  go(e, "Yard", "up", "down", DEC1 + 21 * MIN);
  const yard = run(e, DEC1 + 20 * MIN, DEC1 + 40 * MIN, 10 * S);
  assertEquals(keyTimes(yard), [[`Yard@${DEC1 + 21 * MIN}:down`, DEC1 + 30 * MIN + 30 * S]]);
});

Deno.test("mute() given at startup covers a restored outage until it ends", () => {
  const e = engine([]);
  e.restore([{ name: "Gate", state: "down", since: DEC1 - H, cause: "timeout" }], DEC1);
  e.mute("Gate", DEC1 + 5 * MIN);
  assertEquals(e.tick(DEC1), []);
  const out = run(e, DEC1, DEC1 + 10 * MIN, 10 * S);
  assertEquals(keyTimes(out), [[`Gate@${DEC1 - H}:down`, DEC1 + 5 * MIN + 30 * S]]);
  assert(e.nextDue() === undefined);
});
