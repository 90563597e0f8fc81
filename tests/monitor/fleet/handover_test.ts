/** Handover: a node starts what it gains and stops what it loses, nothing else. */

import { assertEquals } from "../../assert.ts";
import { handover, type Owners, owners } from "../../../monitor/fleet/mod.ts";

const map = (entries: [string, string | undefined][]): Owners => new Map(entries);

Deno.test("handover() starts gained streams and stops lost ones, keeping the rest", () => {
  const prev = map([["a", "n1"], ["b", "n1"], ["c", "n2"], ["d", undefined], ["e", "n1"]]);
  const next = map([["a", "n1"], ["b", "n2"], ["c", "n1"], ["d", "n1"], ["f", "n1"]]);
  assertEquals(handover(prev, next, "n1"), { start: ["c", "d", "f"], stop: ["b", "e"] });
  assertEquals(handover(prev, next, "n2"), { start: ["b"], stop: ["c"] });
  assertEquals(handover(prev, next, "n3"), { start: [], stop: [] });
});

Deno.test("handover() stops everything when the next map is empty (a fenced node)", () => {
  const prev = map([["b", "n1"], ["a", "n1"], ["c", "n2"]]);
  assertEquals(handover(prev, new Map(), "n1"), { start: [], stop: ["a", "b"] });
});

Deno.test("handover() on a real join: the old owners stop exactly what the new node starts", () => {
  const streams = Array.from({ length: 200 }, (_, i) => ({ name: `cam-${i}` }));
  const three = ["n1", "n2", "n3"].map((name) => ({ name, site: "default" }));
  const prev = owners(streams, three);
  const next = owners(streams, [...three, { name: "n4", site: "default" }]);
  const joined = handover(prev, next, "n4");
  const stopped = three.flatMap((n) => {
    const h = handover(prev, next, n.name);
    assertEquals(h.start, [], `${n.name} starts nothing`);
    return h.stop;
  });
  assertEquals(stopped.sort(), joined.start);
  assertEquals(joined.stop, []);
});
