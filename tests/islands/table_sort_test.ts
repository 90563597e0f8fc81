/** The dashboard table's pure parts: broken-first order, sorting, groups, outages, URL state. */

import { assertEquals } from "../assert.ts";
import type { Row } from "../../islands/types.ts";
import {
  categoryOf,
  groupRows,
  hostOutages,
  parseSort,
  sortRows,
  sortText,
} from "../../islands/table_sort.ts";
import { matchesSearch, parseQuery, queryString } from "../../islands/table_query.ts";
import { formatClock } from "../../islands/format.ts";

const NOW = 1_700_000_000_000;
const row = (name: string, over: Partial<Row> = {}): Row => ({
  name,
  state: "up",
  enabled: true,
  kind: "rtsp",
  tags: [],
  host: "10.0.0.5:554",
  latencyMs: 10,
  lastTs: NOW - 1000,
  since: NOW - 60_000,
  message: "RTSP 200",
  up24h: 1,
  up7d: 1,
  up30d: 1,
  spark: [],
  verifiedAt: null,
  mediaOverdueAt: null,
  pictureProblem: null,
  ...over,
});
const names = (rows: Row[]) => rows.map((r) => r.name);

Deno.test("categoryOf() files disabled streams as paused and late media checks as overdue", () => {
  assertEquals(categoryOf(row("a", { enabled: false, state: "unknown" }), NOW), "paused");
  assertEquals(categoryOf(row("a", { enabled: false, state: "down" }), NOW), "paused");
  assertEquals(categoryOf(row("a", { mediaOverdueAt: NOW - 1 }), NOW), "overdue");
  assertEquals(categoryOf(row("a", { mediaOverdueAt: NOW + 1 }), NOW), "up");
  assertEquals(categoryOf(row("a", { state: "down", mediaOverdueAt: NOW - 1 }), NOW), "down");
  assertEquals(categoryOf(row("a", { state: "unknown" }), NOW), "unknown");
});

Deno.test("sortRows() puts broken first: down, degraded, overdue, unknown, paused, up, then name", () => {
  const rows = [
    row("up b"),
    row("cam 10", { state: "down" }),
    row("paused", { enabled: false, state: "unknown" }),
    row("up a"),
    row("new", { state: "unknown" }),
    row("late", { mediaOverdueAt: NOW - 5 }),
    row("frozen", { state: "degraded" }),
    row("cam 2", { state: "down" }),
  ];
  assertEquals(names(sortRows(rows, parseSort(""), NOW)), [
    "cam 2",
    "cam 10",
    "frozen",
    "late",
    "new",
    "paused",
    "up a",
    "up b",
  ]);
});

Deno.test("sortRows() sorts by a column either way, missing figures last both ways", () => {
  const rows = [
    row("b", { latencyMs: 30 }),
    row("a", { latencyMs: null, state: "down" }),
    row("c", { latencyMs: 5 }),
  ];
  assertEquals(names(sortRows(rows, parseSort("latency"), NOW)), ["c", "b", "a"]);
  assertEquals(names(sortRows(rows, parseSort("-latency"), NOW)), ["b", "c", "a"]);
  assertEquals(names(sortRows(rows, parseSort("name"), NOW)), ["a", "b", "c"]);
  assertEquals(names(sortRows(rows, parseSort("-name"), NOW)), ["c", "b", "a"]);
});

Deno.test("parseSort() falls back to broken first; sortText() leaves the default out", () => {
  assertEquals(parseSort("-up7d"), { key: "up7d", desc: true });
  assertEquals(parseSort("<script>"), { key: "status", desc: false });
  assertEquals(sortText(parseSort("")), "");
  assertEquals(sortText(parseSort("-name")), "-name");
});

Deno.test("groupRows() groups by host, site and tag, worst group first, no-key group last", () => {
  const rows = sortRows(
    [
      row("a", { host: "h1:554", tags: ["yard", "gate"], site: "north" }),
      row("b", { host: "h2:554", state: "down", tags: ["gate"] }),
      row("c", { host: "", tags: [] }),
      row("d", { host: "h1:554", enabled: false, site: "north" }),
    ],
    parseSort(""),
    NOW,
  );
  const host = groupRows(rows, "host", NOW);
  assertEquals(host.map((g) => [g.key, g.names, g.worst]), [
    ["h2:554", ["b"], "down"],
    ["h1:554", ["d", "a"], "paused"],
    ["", ["c"], "up"],
  ]);
  assertEquals(host[1].counts.paused, 1);
  assertEquals(host[1].counts.up, 1);
  assertEquals(
    groupRows(rows, "tag", NOW).map((g) => [g.key, g.names]),
    [["gate", ["b", "a"]], ["yard", ["a"]], ["", ["d", "c"]]],
  );
  assertEquals(groupRows(rows, "site", NOW).map((g) => g.key), ["north", ""]);
  assertEquals(groupRows(rows, "", NOW).map((g) => g.names), [["b", "d", "a", "c"]]);
});

Deno.test("hostOutages() names hosts with three or more enabled streams down, earliest time", () => {
  const rows = [
    row("a", { state: "down", since: NOW - 3000 }),
    row("b", { state: "down", since: NOW - 5000 }),
    row("c", { state: "down", since: NOW - 1000 }),
    row("d", { state: "down", enabled: false, since: NOW - 9000 }),
    row("e", { state: "down", host: "other:554" }),
    row("f", { state: "down", host: "" }),
    row("g", { state: "down", host: "" }),
    row("h", { state: "down", host: "" }),
  ];
  assertEquals(hostOutages(rows), [{ host: "10.0.0.5:554", count: 3, since: NOW - 5000 }]);
  assertEquals(hostOutages(rows.slice(1)), []);
});

Deno.test("parseQuery() and queryString() round-trip the table state and drop bad values", () => {
  const q = parseQuery("?state=down&q=gate&sort=name&group=host");
  assertEquals(q, {
    q: "gate",
    state: "down",
    tag: "",
    sort: { key: "name", desc: false },
    group: "host",
  });
  assertEquals(queryString(q), "?state=down&q=gate&sort=name&group=host");
  assertEquals(parseQuery({ state: "paused", group: "nope", sort: "x" }).state, "paused");
  assertEquals(queryString(parseQuery({ state: "bogus", group: "nope", sort: "x" })), "");
  assertEquals(parseQuery(new URLSearchParams({ q: "x".repeat(500) })).q.length, 200);
});

Deno.test("matchesSearch() matches name, tag, site and host in any case, and the tag filter", () => {
  const r = row("Front Gate", { tags: ["Yard"], site: "North", host: "10.0.0.5:554" });
  for (const q of ["gate", "yard", "north", "10.0.0.5", ""]) {
    assertEquals(matchesSearch(r, q, ""), true);
  }
  assertEquals(matchesSearch(r, "back", ""), false);
  assertEquals(matchesSearch(r, "", "Yard"), true);
  assertEquals(matchesSearch(r, "", "lobby"), false);
});

Deno.test("formatClock() gives the time in the configured zone, with the date on other days", () => {
  const t = Date.UTC(2024, 4, 1, 3, 12);
  assertEquals(formatClock(t, "UTC", t + 60_000), "03:12");
  assertEquals(formatClock(t, "Europe/Berlin", t + 60_000), "05:12");
  assertEquals(formatClock(t, "UTC", t + 2 * 86_400_000), "2024-05-01 03:12");
  assertEquals(formatClock(t, "Not/AZone", t), "03:12");
});
