/** Which streams a rule covers, what it counts as failing, and when its outage began. */

import { assertEquals } from "../../assert.ts";
import {
  failsFor,
  isFailing,
  matchesFilter,
  outageStart,
  ruleId,
  rulesFor,
} from "../../../monitor/alerts/rules.ts";
import type { AlertRule, StreamFilter } from "../../../monitor/config/alerts_types.ts";
import type { StreamConfig } from "../../../monitor/types.ts";

function stream(name: string, over: Partial<StreamConfig> = {}): StreamConfig {
  return {
    name,
    url: `rtsp://${name}.example/live`,
    enabled: true,
    intervalSeconds: 30,
    timeoutSeconds: 10,
    tags: [],
    tlsInsecure: false,
    ...over,
  };
}
const filter = (over: Partial<StreamFilter> = {}): StreamFilter => ({
  streams: [],
  tags: [],
  sites: [],
  ...over,
});
const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  ...filter(),
  channels: ["chat"],
  states: ["down"],
  afterSeconds: 0,
  resolved: true,
  remindMinutes: 0,
  ...over,
});

Deno.test("matchesFilter() covers every stream with an empty filter", () => {
  assertEquals(matchesFilter(filter(), stream("gate")), true);
  assertEquals(matchesFilter(filter(), stream("yard", { tags: ["x"], site: "HQ" })), true);
});

Deno.test("matchesFilter() needs every non-empty part to match (names, tags any-of, sites any-of)", () => {
  const gate = stream("gate", { tags: ["door", "outdoor"], site: "HQ" });
  assertEquals(matchesFilter(filter({ streams: ["gate", "yard"] }), gate), true);
  assertEquals(matchesFilter(filter({ streams: ["yard"] }), gate), false);
  assertEquals(matchesFilter(filter({ tags: ["indoor", "door"] }), gate), true);
  assertEquals(matchesFilter(filter({ tags: ["indoor"] }), gate), false);
  assertEquals(matchesFilter(filter({ sites: ["Depot", "HQ"] }), gate), true);
  assertEquals(matchesFilter(filter({ sites: ["Depot"] }), gate), false);
  assertEquals(matchesFilter(filter({ sites: ["HQ"] }), stream("nosite")), false);
  assertEquals(
    matchesFilter(filter({ streams: ["gate"], tags: ["door"], sites: ["HQ"] }), gate),
    true,
  );
  assertEquals(
    matchesFilter(filter({ streams: ["gate"], tags: ["door"], sites: ["X"] }), gate),
    false,
  );
});

Deno.test("matchesFilter() compares names and tags exactly", () => {
  assertEquals(matchesFilter(filter({ streams: ["Gate"] }), stream("gate")), false);
  assertEquals(matchesFilter(filter({ tags: ["Door"] }), stream("g", { tags: ["door"] })), false);
});

Deno.test("rulesFor() lists every covering rule in order, none for a disabled stream", () => {
  const rules = [
    rule({ channels: ["a"] }),
    rule({ tags: ["cam"], channels: ["b"] }),
    rule({
      streams: ["other"],
      channels: ["c"],
    }),
  ];
  const cam = stream("gate", { tags: ["cam"] });
  assertEquals(rulesFor(rules, cam, (r) => r).map((r) => r.channels[0]), ["a", "b"]);
  assertEquals(rulesFor(rules, { ...cam, enabled: false }, (r) => r), []);
  const held = rules.map((r) => ({ rule: r }));
  assertEquals(rulesFor(held, cam, (h) => h.rule).length, 2);
});

Deno.test("failsFor() counts only the rule's states; unknown and up never fail", () => {
  const both = rule({ states: ["down", "degraded"] });
  assertEquals(["up", "degraded", "down", "unknown"].map((s) => failsFor(both, s as never)), [
    false,
    true,
    true,
    false,
  ]);
  assertEquals(failsFor(rule(), "degraded"), false);
  assertEquals([isFailing("down"), isFailing("degraded"), isFailing("unknown")], [
    true,
    true,
    false,
  ]);
});

Deno.test("outageStart() counts a down-and-degraded rule from the first failure", () => {
  const live = { since: 2000, failingSince: 1000 };
  assertEquals(outageStart(rule({ states: ["down", "degraded"] }), live), 1000);
  assertEquals(outageStart(rule({ states: ["down"] }), live), 2000);
});

Deno.test("ruleId() is the same for equal rules and differs when any field changes", () => {
  assertEquals(ruleId(rule()), ruleId(rule()));
  for (
    const change of [
      { channels: ["pager"] },
      { afterSeconds: 5 },
      { remindMinutes: 1 },
      { resolved: false },
      { states: ["degraded" as const] },
      { tags: ["x"] },
      { sites: ["x"] },
      { streams: ["x"] },
    ]
  ) {
    assertEquals(ruleId(rule(change)) === ruleId(rule()), false, JSON.stringify(change));
  }
});
