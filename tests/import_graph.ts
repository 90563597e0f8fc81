/** Reads the import graph of the source tree and checks its two rules: mod.ts faces, no cycles. */

import { dirname, join, normalize, relative } from "node:path";

/** Folders (and root files) that make up the program; tests, bench and scripts are outside it. */
export const SOURCE_ROOTS = ["main.ts", "monitor", "web", "islands", "mqtt", "cli"];
/** Generated or static files that are not source. */
const SKIP = ["web/static/"];

/**
 * Every relative specifier of one file: `import … from`, `export … from`, side-effect
 * `import "…"` and `import("…")`, type-only ones included. Comments are stripped first so a
 * JSDoc example is not taken for an import.
 */
export function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return [...new Set(out)].filter((s) => s.startsWith("./") || s.startsWith("../"));
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (/\.tsx?$/.test(e.name)) yield p;
  }
}

/**
 * The graph of the source tree under `root`: file → the files it imports, all as paths relative
 * to `root` with `/` separators.
 */
export async function importGraph(root: URL): Promise<Map<string, string[]>> {
  const base = decodeURIComponent(root.pathname);
  const files: string[] = [];
  for (const r of SOURCE_ROOTS) {
    const p = join(base, r);
    if ((await Deno.stat(p)).isDirectory) { for await (const f of walk(p)) files.push(f); }
    else files.push(p);
  }
  const graph = new Map<string, string[]>();
  for (const abs of files.sort()) {
    const file = relative(base, abs);
    if (SKIP.some((s) => file.startsWith(s))) continue;
    const deps = specifiers(await Deno.readTextFile(abs)).map((s) =>
      normalize(relative(base, join(dirname(abs), s)))
    );
    graph.set(file, deps);
  }
  return graph;
}

/** What breaks the layout rules, as sentences. */
export interface LayoutProblems {
  /** Imports of a file that is not the mod.ts of its folder, from outside that folder. */
  deep: string[];
  /** Import cycles, each as `a → b → a`. */
  cycles: string[];
  /** Imports from monitor/ of anything outside it (the core knows nothing of its edges). */
  edges: string[];
}

/**
 * Checks the rules: a file outside folder D may import only `D/mod.ts` of the folder D that
 * holds the target (sub-folders have faces of their own); monitor/ imports nothing outside
 * monitor/; and no cycle exists between files (type-only imports count too).
 */
export function layoutProblems(graph: Map<string, string[]>): LayoutProblems {
  const deep: string[] = [];
  const edges: string[] = [];
  for (const [from, deps] of graph) {
    for (const to of deps) {
      const dir = dirname(to);
      const inside = dir === "." || from.startsWith(dir + "/");
      if (!inside && !to.endsWith("/mod.ts")) {
        deep.push(`${from} imports ${to}: import ${dir}/mod.ts instead`);
      }
      if (from.startsWith("monitor/") && !to.startsWith("monitor/")) {
        edges.push(`${from} imports ${to}: monitor/ must not depend on its edges`);
      }
    }
  }
  return { deep, cycles: findCycles(graph), edges };
}

/** Every elementary cycle found by a depth-first search, each reported once. */
function findCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  const stack: string[] = [];
  const found = new Set<string>();
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 1) {
        const loop = stack.slice(stack.indexOf(d));
        // Start each cycle at its smallest name so the same loop is reported once.
        const i = loop.indexOf([...loop].sort()[0]);
        const rotated = [...loop.slice(i), ...loop.slice(0, i)];
        found.add([...rotated, rotated[0]].join(" → "));
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return [...found].sort();
}
