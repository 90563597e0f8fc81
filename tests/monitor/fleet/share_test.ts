/** createShare(): when a node gives a stream up and when it takes one (the handoff table). */

import { assertEquals } from "../../assert.ts";
import { createShare } from "../../../monitor/fleet/mod.ts";

const node = (name: string) => ({ name, site: "default" });
const map = (entries: Record<string, string | undefined>) => new Map(Object.entries(entries));

Deno.test("createShare() takes everything at once while no other node is live", () => {
  const s = createShare("a", { handoffMs: 1000 });
  s.update(map({ x: "a", y: "a" }), [node("a")], true, 0);
  assertEquals(s.step(0), { owned: new Set(["x", "y"]), gained: ["x", "y"], lost: [] });
  assertEquals(s.step(5), undefined);
});

Deno.test("createShare() waits handoffMs for a stream that moves to it from a live node (a join)", () => {
  const s = createShare("b", { handoffMs: 1000 });
  // b joins: a owned x and y; now y is b's, and a is still live.
  s.update(map({ x: "a", y: "b" }), [node("a"), node("b")], true, 0);
  assertEquals(s.step(999), undefined);
  assertEquals(s.step(1000), { owned: new Set(["y"]), gained: ["y"], lost: [] });
});

Deno.test("createShare() takes a dead node's streams at once", () => {
  const s = createShare("a", { handoffMs: 1000 });
  s.update(map({ x: "a", y: "c", z: "b" }), [node("a"), node("b"), node("c")], true, 0);
  s.step(0);
  s.step(1000);
  // c's row expired: y moves to a; b is still live.
  s.update(map({ x: "a", y: "a", z: "b" }), [node("a"), node("b")], true, 2000);
  assertEquals(s.step(2000), { owned: new Set(["x", "y"]), gained: ["y"], lost: [] });
});

Deno.test("createShare() gives everything up at once when it may not act, and waits on its return", () => {
  const s = createShare("a", { handoffMs: 1000 });
  const owners = map({ x: "a", y: "b" });
  const live = [node("a"), node("b")];
  s.update(owners, live, true, 0);
  assertEquals(s.step(1000)?.owned, new Set(["x"]));
  s.update(owners, live, false, 2000); // fenced: its lease does not hold
  assertEquals(s.step(2000), { owned: new Set<string>(), gained: [], lost: ["x"] });
  // Back: x was "its own" only by a stale map; b may have checked it meanwhile.
  s.update(owners, live, true, 5000);
  assertEquals(s.step(5999), undefined);
  assertEquals(s.step(6000)?.gained, ["x"]);
});

Deno.test("createShare() drops a planned stream the map takes away before it was due", () => {
  const s = createShare("b", { handoffMs: 1000 });
  s.update(map({ x: "b" }), [node("a"), node("b")], true, 0);
  s.update(map({ x: "a" }), [node("a"), node("b")], true, 500);
  assertEquals(s.step(2000), undefined);
  assertEquals(s.owned(), new Set());
});

Deno.test("createShare() rename() carries owned and planned streams over, even a swap", () => {
  const s = createShare("a", { handoffMs: 1000 });
  s.update(map({ p: "a", q: "b" }), [node("a")], true, 0);
  s.step(0);
  s.rename([["p", "q"], ["q", "p"]]);
  assertEquals(s.owned(), new Set(["q"]));
  // The next map (by new names) keeps q owned: nothing to change.
  s.update(map({ q: "a", p: "b" }), [node("a"), node("b")], true, 10);
  assertEquals(s.step(5000), undefined);
});
