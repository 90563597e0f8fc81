/** assignStreams(): owners by stream name, with the disabled and no-site-node rules. */

import { assert, assertEquals } from "../../assert.ts";
import { assignStreams, owners } from "../../../monitor/fleet/mod.ts";

const nodes = [
  { name: "a1", site: "a" },
  { name: "a2", site: "a" },
  { name: "b1", site: "b" },
];

Deno.test("assignStreams() gives each enabled stream a node of its own site, as owners() does", () => {
  const streams = Array.from({ length: 100 }, (_, i) => ({
    name: `cam-${i}`,
    site: i % 2 ? "a" : "b",
    enabled: true,
  }));
  const got = assignStreams(streams, nodes);
  const want = owners(streams, nodes);
  for (const s of streams) assertEquals(got.get(s.name), want.get(s.name));
  for (const s of streams) assert(got.get(s.name)!.startsWith(s.site), s.name);
});

Deno.test("assignStreams() leaves disabled streams to nobody and keys by id", () => {
  const got = assignStreams([
    { name: "off", enabled: false, site: "a" },
    { name: "renamed", id: "cam-7", enabled: true, site: "a" },
  ], nodes);
  assertEquals(got.get("off"), undefined);
  const byId = owners([{ name: "x", id: "cam-7", site: "a" }], nodes).get("cam-7");
  assertEquals(got.get("renamed"), byId);
});

Deno.test("assignStreams() spreads a site without live nodes over the whole fleet", () => {
  const streams = Array.from(
    { length: 90 },
    (_, i) => ({ name: `c-${i}`, site: "c", enabled: true }),
  );
  const got = assignStreams(streams, nodes);
  const counts = new Map<string, number>();
  for (const o of got.values()) counts.set(o!, (counts.get(o!) ?? 0) + 1);
  assertEquals([...counts.keys()].sort(), ["a1", "a2", "b1"]);
  for (const n of counts.values()) assert(n > 15, `uneven: ${[...counts]}`);
  // The same answer on every node, and nobody at all without live nodes.
  assertEquals(assignStreams(streams, [...nodes].reverse()), got);
  assertEquals([...assignStreams(streams, []).values()].every((o) => o === undefined), true);
});
