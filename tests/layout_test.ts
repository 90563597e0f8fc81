/** The source tree's import rules: every folder's public face is its mod.ts, and no cycles. */

import { assert, assertEquals } from "./assert.ts";
import { importGraph, layoutProblems } from "./import_graph.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("importGraph() finds every kind of specifier and no source file imports a deep file of another folder", async () => {
  const graph = await importGraph(ROOT);
  assert(graph.size > 80, `only ${graph.size} source files found`);
  const main = graph.get("main.ts");
  assert(main && main.length > 3, "main.ts imports nothing?");
  assertEquals(layoutProblems(graph).deep, []);
});

Deno.test("layoutProblems() finds nothing in monitor/ that imports web/, mqtt/, islands/ or cli/", async () => {
  assertEquals(layoutProblems(await importGraph(ROOT)).edges, []);
});

Deno.test("layoutProblems() finds no import cycle between source files", async () => {
  assertEquals(layoutProblems(await importGraph(ROOT)).cycles, []);
});

Deno.test("layoutProblems() names a deep import and a cycle in a made-up graph", () => {
  const g = new Map<string, string[]>([
    ["main.ts", ["monitor/mod.ts", "monitor/store/sqlite/queue.ts"]],
    ["monitor/mod.ts", ["monitor/monitor.ts"]],
    ["monitor/monitor.ts", ["monitor/status/mod.ts", "monitor/bus.ts"]],
    ["monitor/bus.ts", ["monitor/monitor.ts"]],
    ["monitor/status/mod.ts", ["monitor/status/state.ts"]],
    ["monitor/status/state.ts", []],
    ["monitor/store/sqlite/queue.ts", ["web/mod.ts"]],
    ["web/mod.ts", []],
  ]);
  const p = layoutProblems(g);
  assertEquals(p.deep, [
    "main.ts imports monitor/store/sqlite/queue.ts: import monitor/store/sqlite/mod.ts instead",
  ]);
  assertEquals(p.cycles, ["monitor/bus.ts → monitor/monitor.ts → monitor/bus.ts"]);
  assertEquals(p.edges, [
    "monitor/store/sqlite/queue.ts imports web/mod.ts: monitor/ must not depend on its edges",
  ]);
});

Deno.test("the README's tree map names every source folder", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const graph = await importGraph(ROOT);
  const folders = new Set([...graph.keys()].map((f) => f.split("/").slice(0, -1).join("/")));
  folders.delete("");
  const missing = [...folders].filter((d) => !readme.includes("`" + d + "/`")).sort();
  assertEquals(missing, []);
});
