/** Rendezvous ownership: even, minimal moves on join and death, order-free, sites apart, stable. */

import { assert, assertEquals } from "../../assert.ts";
import {
  type FleetNode,
  type FleetStream,
  ownerLabel,
  owners,
  rendezvousWeight,
  streamKey,
} from "../../../monitor/fleet/mod.ts";

const cams = (n: number, site?: string): FleetStream[] =>
  Array.from({ length: n }, (_, i) => ({ name: `cam-${i + 1}`, site }));
const nodes = (names: string[], site = "default"): FleetNode[] =>
  names.map((name) => ({ name, site }));

function counts(map: Map<string, string | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const owner of map.values()) out[ownerLabel(owner)] = (out[ownerLabel(owner)] ?? 0) + 1;
  return out;
}

/** A seeded shuffle (mulberry32), so the test is the same on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

Deno.test("owners() splits 1,000 streams over 3 nodes within ±10 % of a third each", () => {
  const c = counts(owners(cams(1000), nodes(["node-a", "node-b", "node-c"])));
  assertEquals(Object.keys(c).sort(), ["node-a", "node-b", "node-c"]);
  for (const [node, n] of Object.entries(c)) {
    assert(n >= 300 && n <= 367, `${node} owns ${n} of 1,000`);
  }
});

Deno.test("owners() moves about 1/(n+1) of the streams on a join, all to the new node", () => {
  const streams = cams(1000);
  const before = owners(streams, nodes(["node-a", "node-b", "node-c"]));
  const after = owners(streams, nodes(["node-a", "node-b", "node-c", "node-d"]));
  let moved = 0;
  for (const [key, owner] of after) {
    if (owner === before.get(key)) continue;
    moved++;
    assertEquals(owner, "node-d", `${key} moved from ${before.get(key)} to ${owner}`);
  }
  assert(moved >= 200 && moved <= 300, `${moved} of 1,000 moved (expected ≈ 250)`);
});

Deno.test("owners() moves only the dead node's streams on a death", () => {
  const streams = cams(1000);
  const before = owners(streams, nodes(["node-a", "node-b", "node-c"]));
  const after = owners(streams, nodes(["node-a", "node-c"]));
  let orphans = 0;
  for (const [key, owner] of before) {
    if (owner === "node-b") {
      orphans++;
      assert(after.get(key) === "node-a" || after.get(key) === "node-c");
    } else assertEquals(after.get(key), owner, `${key} moved although ${owner} lives`);
  }
  assert(orphans > 250, `node-b owned only ${orphans}`);
});

Deno.test("owners() does not depend on the order of streams or nodes, nor on duplicate nodes", () => {
  const streams = cams(300);
  const fleet = nodes(["n1", "n2", "n3", "n4", "n5"]);
  const want = owners(streams, fleet);
  for (let seed = 1; seed <= 5; seed++) {
    const got = owners(shuffled(streams, seed), shuffled([...fleet, fleet[2]], seed * 31));
    assertEquals(new Map([...got].sort()), new Map([...want].sort()), `seed ${seed}`);
  }
});

Deno.test("owners() keeps sites apart and leaves a site without a live node unowned", () => {
  const streams = [
    ...cams(50, "north"),
    ...cams(50, "south").map((s) => ({ ...s, id: `s-${s.name}` })),
    ...cams(10, "east").map((s) => ({ ...s, id: `e-${s.name}` })),
  ];
  const fleet = [...nodes(["n1", "n2"], "north"), ...nodes(["s1", "s2"], "south")];
  const map = owners(streams, fleet);
  for (const s of streams) {
    const owner = map.get(streamKey(s));
    if (s.site === "north") assert(owner === "n1" || owner === "n2", `${s.name} → ${owner}`);
    if (s.site === "south") assert(owner === "s1" || owner === "s2", `${s.id} → ${owner}`);
    if (s.site === "east") assertEquals(owner, undefined);
  }
  assertEquals(ownerLabel(map.get("e-cam-1")), "unowned");
});

Deno.test("owners() puts a stream with no site in the default site", () => {
  const map = owners([{ name: "lobby" }, { name: "yard", site: "default" }], [
    { name: "n1", site: "default" },
    { name: "x1", site: "elsewhere" },
  ]);
  assertEquals([...map], [["lobby", "n1"], ["yard", "n1"]]);
});

Deno.test("owners() keys a stream by its id, so a rename keeps its owner", () => {
  const fleet = nodes(["node-a", "node-b", "node-c"]);
  for (let i = 0; i < 30; i++) {
    const before = owners([{ id: `id-${i}`, name: `old-${i}` }], fleet);
    const after = owners([{ id: `id-${i}`, name: `renamed-${i}` }], fleet);
    assertEquals([...after], [...before]);
    assertEquals([...before.keys()], [`id-${i}`]);
  }
});

Deno.test("rendezvousWeight() and owners() give the same fixed vectors in every process", () => {
  assertEquals(rendezvousWeight("node-a", "cam-1"), "d9cd9ea87be3d5ba");
  assertEquals(rendezvousWeight("node-b", "cam-1"), "64a68ba6d48268e5");
  assertEquals(rendezvousWeight("node-c", "cam-1"), "e8a8caa6b8020257");
  assertEquals(rendezvousWeight("node-a", "lobby"), "3ed32f8918239c7f");
  const map = owners(cams(10), nodes(["node-a", "node-b", "node-c"]));
  assertEquals([...map.values()], [
    "node-c",
    "node-a",
    "node-b",
    "node-b",
    "node-a",
    "node-a",
    "node-b",
    "node-b",
    "node-a",
    "node-a",
  ]);
});

Deno.test("owners() with no streams or no nodes returns what it can", () => {
  assertEquals(owners([], nodes(["n1"])).size, 0);
  assertEquals([...owners(cams(2), [])], [["cam-1", undefined], ["cam-2", undefined]]);
});
