/** Tests of the time-weighted SLA: the pure availability() and the cached reporter. */

import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { availability, overallSla, type StatePeriod } from "../../../monitor/status/sla.ts";
import { createSlaReporter, type SlaStore } from "../../../monitor/status/sla_report.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2025, 10, 30, 12, 0, 0);
const WINDOW_30D = { from: NOW - 30 * DAY, to: NOW };

const near = (a: number | null, b: number) =>
  assert(a !== null && Math.abs(a - b) < 1e-12, `expected ${b}, got ${a}`);

Deno.test("availability() gives 1 − 6/240 for a 6 h outage of a stream checked for 10 days", () => {
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 10 * DAY,
    periods: [{ state: "down", start: NOW - 5 * DAY, end: NOW - 5 * DAY + 6 * HOUR }],
  });
  near(f.ratio, 1 - 6 / 240);
  assertEquals(f.observedMs, 240 * HOUR);
  assertEquals(f.downMs, 6 * HOUR);
  assertEquals(f.availableMs, 234 * HOUR);
  assertEquals(f.degradedMs, 0);
});

Deno.test("availability() observes the whole window when the first check is older", () => {
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 90 * DAY,
    periods: [{ state: "down", start: NOW - DAY, end: NOW - DAY + 3 * HOUR }],
  });
  assertEquals(f.observedMs, 30 * DAY);
  near(f.ratio, 1 - 3 / 720);
});

Deno.test("availability() clips periods at both window edges", () => {
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 60 * DAY,
    periods: [
      // 2 h before the window, 4 h inside it.
      { state: "down", start: WINDOW_30D.from - 2 * HOUR, end: WINDOW_30D.from + 4 * HOUR },
      // 1 h inside, ended 5 h after the window's end.
      { state: "down", start: NOW - HOUR, end: NOW + 5 * HOUR },
      // Wholly outside.
      { state: "down", start: NOW - 40 * DAY, end: NOW - 35 * DAY },
    ],
  });
  assertEquals(f.downMs, 5 * HOUR);
  assertEquals(f.observedMs, 30 * DAY);
});

Deno.test("availability() counts an open incident until the window's end", () => {
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 2 * DAY,
    periods: [{ state: "down", start: NOW - 12 * HOUR, end: null }],
  });
  assertEquals(f.downMs, 12 * HOUR);
  near(f.ratio, 0.75);
});

Deno.test("availability() leaves out a period before the first check", () => {
  // An incident can only start after the first check; if it claims otherwise, unknown wins.
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 2 * DAY,
    periods: [{ state: "down", start: NOW - 3 * DAY, end: NOW - DAY }],
  });
  assertEquals(f.downMs, DAY);
  assertEquals(f.observedMs, 2 * DAY);
});

Deno.test("availability() counts degraded time as available and reports it separately", () => {
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 4 * DAY,
    periods: [
      { state: "degraded", start: NOW - 3 * DAY, end: NOW - 3 * DAY + 2 * HOUR },
      { state: "down", start: NOW - 2 * DAY, end: NOW - 2 * DAY + HOUR },
      { state: "degraded", start: NOW - 30 * 60_000, end: null },
    ],
  });
  assertEquals(f.degradedMs, 2.5 * HOUR);
  assertEquals(f.downMs, HOUR);
  assertEquals(f.availableMs, 4 * DAY - HOUR);
  near(f.ratio, 1 - 1 / 96);
});

Deno.test("availability() lets down win where periods overlap", () => {
  const periods: StatePeriod[] = [
    { state: "degraded", start: NOW - 4 * HOUR, end: NOW - HOUR },
    { state: "down", start: NOW - 3 * HOUR, end: NOW - 2 * HOUR },
    { state: "down", start: NOW - 2.5 * HOUR, end: NOW - 1.5 * HOUR },
  ];
  const f = availability(WINDOW_30D, { firstCheck: NOW - DAY, periods });
  assertEquals(f.downMs, 1.5 * HOUR);
  assertEquals(f.degradedMs, 1.5 * HOUR);
  assertEquals(f.observedMs, DAY);
});

Deno.test("availability() reports maintenance time apart: an outage inside a window is not down", () => {
  const periods: StatePeriod[] = [
    // 2 h down, of which the last hour falls in the window; 2 h degraded, 1 h of it planned.
    { state: "down", start: NOW - 6 * HOUR, end: NOW - 4 * HOUR },
    { state: "degraded", start: NOW - 4 * HOUR, end: NOW - 2 * HOUR },
  ];
  const maintenance: [number, number][] = [
    [NOW - 5 * HOUR, NOW - 3 * HOUR],
    [NOW - 4.5 * HOUR, NOW - 3.5 * HOUR], // overlapping windows count once
  ];
  const f = availability(WINDOW_30D, { firstCheck: NOW - DAY, periods, maintenance });
  assertEquals(f.maintenanceMs, 2 * HOUR);
  assertEquals(f.downMs, HOUR);
  assertEquals(f.degradedMs, HOUR);
  assertEquals(f.observedMs, DAY - 2 * HOUR);
  assertEquals(f.availableMs, DAY - 3 * HOUR);
  const none = availability(WINDOW_30D, { firstCheck: NOW - DAY, periods });
  assertEquals([none.downMs, none.maintenanceMs], [2 * HOUR, 0]);
});

Deno.test("availability() returns a null ratio without data", () => {
  const none = availability(WINDOW_30D, { firstCheck: undefined, periods: [] });
  assertEquals(none, {
    availableMs: 0,
    downMs: 0,
    degradedMs: 0,
    observedMs: 0,
    maintenanceMs: 0,
    ratio: null,
    pictureOkRatio: null,
  });
  const later = availability(WINDOW_30D, { firstCheck: NOW + HOUR, periods: [] });
  assertEquals(later.ratio, null);
});

Deno.test("availability() is 0 for a stream failing from its first check (firstUp null)", () => {
  const first = NOW - 2 * HOUR;
  const periods: StatePeriod[] = [{ state: "down", start: first + 5000, end: null }];
  const before = availability(WINDOW_30D, { firstCheck: first, periods });
  assert(before.ratio! > 0, "not looked up: the seconds before the incident count as up");
  const f = availability(WINDOW_30D, { firstCheck: first, periods, firstUp: null });
  assertEquals([f.ratio, f.downMs, f.observedMs], [0, 2 * HOUR, 2 * HOUR]);
  const open = availability(WINDOW_30D, { firstCheck: first, periods: [], firstUp: null });
  assertEquals(open.ratio, 0, "checked, never up, not yet confirmed down: still 0");
  // Up from its second check: the first failed one's time is unknown, not down.
  const later = availability(WINDOW_30D, { firstCheck: first, periods: [], firstUp: first + HOUR });
  assertEquals([later.ratio, later.observedMs], [1, HOUR]);
});

Deno.test("availability() gives picture OK apart from reachable: degraded time left out", () => {
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 10 * HOUR,
    periods: [
      { state: "degraded", start: NOW - 4 * HOUR, end: NOW - 2 * HOUR },
      { state: "down", start: NOW - HOUR, end: null },
    ],
  });
  near(f.ratio, 9 / 10);
  near(f.pictureOkRatio, 7 / 10);
});

Deno.test("availability() does not observe a disabled stream after observedUntil", () => {
  const f = availability(WINDOW_30D, {
    firstCheck: NOW - 10 * HOUR,
    periods: [{ state: "down", start: NOW - 6 * HOUR, end: null }],
    observedUntil: NOW - 5 * HOUR,
  });
  assertEquals([f.observedMs, f.downMs], [5 * HOUR, HOUR]);
  near(f.ratio, 4 / 5);
  const gone = availability(WINDOW_30D, {
    firstCheck: NOW - DAY,
    periods: [],
    observedUntil: NOW - 40 * DAY,
  });
  assertEquals(gone.ratio, null);
});

Deno.test("overallSla() weighs streams by observed time, not by a mean of ratios", () => {
  const a = availability(WINDOW_30D, { firstCheck: NOW - 30 * DAY, periods: [] });
  const b = availability(WINDOW_30D, {
    firstCheck: NOW - DAY,
    periods: [{ state: "down", start: NOW - DAY, end: NOW }],
  });
  const none = availability(WINDOW_30D, { firstCheck: undefined, periods: [] });
  const o = overallSla([a, b, none]);
  near(o.ratio, 30 / 31);
  assertEquals(o.observedMs, 31 * DAY);
  assertEquals(overallSla([]).ratio, null);
});

/** A store serving `incidents` per name with the real store's paging contract. */
function fakeStore(data: Record<string, { first?: number; incidents: StatePeriod[] }>) {
  const calls = { incidents: 0, firstCheckAt: 0 };
  const store: SlaStore = {
    incidents(name, { from, to, limit }) {
      calls.incidents++;
      return (data[name]?.incidents ?? [])
        .map((p, id) => ({ ...p, id }))
        .filter((p) => p.start <= to && (p.end === null || p.end >= from))
        .sort((x, y) => y.start - x.start || y.id - x.id)
        .slice(0, limit);
    },
    firstCheckAt(name) {
      calls.firstCheckAt++;
      return data[name]?.first;
    },
  };
  return { store, calls };
}

Deno.test("createSlaReporter() leaves disabled streams out of overall", () => {
  const { store } = fakeStore({
    a: { first: NOW - 10 * DAY, incidents: [{ state: "down", start: NOW - DAY, end: null }] },
    off: {
      first: NOW - 10 * DAY,
      incidents: [{ state: "down", start: NOW - 10 * DAY, end: null }],
    },
  });
  const r = createSlaReporter({
    store,
    streams: () => [{ name: "a", enabled: true }, { name: "off", enabled: false }, {
      name: "new",
      enabled: true,
    }],
    now: () => NOW,
  }).report(30);
  assertEquals([...r.streams.keys()], ["a", "off", "new"]);
  near(r.streams.get("a")!.ratio, 0.9);
  assertEquals(r.streams.get("off")!.ratio, 0);
  assertEquals(r.streams.get("new")!.ratio, null);
  near(r.overall.ratio, 0.9);
  assertEquals([r.from, r.to, r.days], [NOW - 30 * DAY, NOW, 30]);
});

Deno.test("createSlaReporter() reuses a report for cacheMs, per number of days", () => {
  let t = NOW;
  const { store, calls } = fakeStore({ a: { first: NOW - DAY, incidents: [] } });
  const sla = createSlaReporter({
    store,
    streams: () => [{ name: "a", enabled: true }],
    now: () => t,
    cacheMs: 30_000,
  });
  const first = sla.report(30);
  t += 29_999;
  assert(sla.report(30) === first);
  assertEquals(calls.firstCheckAt, 1);
  sla.report(7);
  assertEquals(calls.firstCheckAt, 2);
  t += 1;
  assert(sla.report(30) !== first);
  assertEquals(calls.firstCheckAt, 3);
  assertThrows(() => sla.report(0), RangeError);
});

Deno.test("createSlaReporter() pages past the store's 10,000-incident limit", () => {
  // 25,000 one-minute outages every two minutes: half of the observed time is down.
  const incidents: StatePeriod[] = [];
  for (let i = 0; i < 25_000; i++) {
    const start = NOW - 50_000 * 60_000 + i * 120_000;
    incidents.push({ state: "down", start, end: start + 60_000 });
  }
  const { store, calls } = fakeStore({ a: { first: NOW - 50_000 * 60_000, incidents } });
  const r = createSlaReporter({
    store,
    streams: () => [{ name: "a", enabled: true }],
    now: () => NOW,
  })
    .report(400);
  assertEquals(r.streams.get("a")!.downMs, 25_000 * 60_000);
  near(r.streams.get("a")!.ratio, 0.5);
  assertEquals(calls.incidents, 3);
});
