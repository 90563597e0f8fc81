/** The islands' state list against the server's, and the rule that keeps islands browser-only. */

import { assertEquals } from "../assert.ts";
import { STATES } from "../../islands/types.ts";
import { STREAM_STATES } from "../../monitor/mod.ts";

Deno.test("STATES names every StreamState exactly once", () => {
  assertEquals([...STATES].sort(), [...STREAM_STATES].sort());
});

/**
 * The import and re-export statements of `source` that reach outside its folder (`../`) and are
 * not type-only. `import { type A }` counts as a value import: it leaves `import "…"` behind.
 */
function outsideValueImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const patterns = [
    /\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*(?:\(\s*)?["']([^"']+)["']/g,
  ];
  const out: string[] = [];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) {
      if (m[1].startsWith("../") && !/^(?:import|export)\s+type\b/.test(m[0])) {
        out.push(m[0].replace(/\s+/g, " "));
      }
    }
  }
  return out;
}

Deno.test("outsideValueImports() tells type-only imports from value imports", () => {
  const source = [
    'import type { A } from "../monitor/mod.ts";',
    'export type { B } from "../monitor/mod.ts";',
    'import { h } from "preact";',
    'import { C } from "./c.ts";',
    'import { type D } from "../monitor/mod.ts";',
    'export { E } from "../web/mod.ts";',
    'const f = await import("../monitor/mod.ts");',
    '// import { G } from "../monitor/mod.ts";',
  ].join("\n");
  assertEquals(outsideValueImports(source), [
    'import { type D } from "../monitor/mod.ts"',
    'export { E } from "../web/mod.ts"',
    'import("../monitor/mod.ts"',
  ]);
});

Deno.test("islands/ imports nothing from outside it but types, which the bundler erases", async () => {
  const dir = new URL("../../islands/", import.meta.url);
  const bad: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!/\.tsx?$/.test(e.name)) continue;
    const source = await Deno.readTextFile(new URL(e.name, dir));
    bad.push(...outsideValueImports(source).map((s) => `islands/${e.name}: ${s}`));
  }
  assertEquals(bad, []);
});
