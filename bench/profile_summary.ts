/** Summarises a V8 .cpuprofile (from `deno task bench --profile DIR`): where the CPU went. */

// Usage: deno run --allow-read bench/profile_summary.ts FILE.cpuprofile [--top 25]
// Prints self time by function and by file, and inclusive time of the heaviest functions, as a
// share of the busy (non-idle) samples. JS only: time spent inside Rust ops (sockets, SQLite)
// shows up under the JS function that called the op, or under "(program)".

import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = new URL("../", import.meta.url).href;

function short(url: string): string {
  if (!url) return "(native)";
  if (url.startsWith(ROOT)) return url.slice(ROOT.length);
  const npm = url.match(/registry\.npmjs\.org\/([^/]+(?:\/[^/@][^/]*)?)\/[^/]+\/(.*)$/);
  if (npm) return `npm:${npm[1]}/${npm[2]}`;
  return url.replace(/^.*\/(ext|node|runtime)\//, "deno:$1/");
}

const label = (f: CallFrame) =>
  `${f.functionName || "(anonymous)"} ${short(f.url)}:${f.lineNumber + 1}`;

function top(map: Map<string, number>, busy: number, n: number, title: string): void {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(
      `  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${
        (us / 1000).toFixed(0).padStart(7)
      } ms  ${k}`,
    );
  }
}

/**
 * Prints the longest stretches of back-to-back busy samples (the event loop blocked that long),
 * each with the project functions most present in its stacks.
 */
function longTasks(
  p: Profile,
  byId: Map<number, ProfileNode>,
  parent: Map<number, number>,
  minMs: number,
): void {
  const idle = (id: number) => byId.get(id)!.callFrame.functionName === "(idle)";
  const found: { at: number; us: number; ids: number[] }[] = [];
  let t = 0;
  let cur: { at: number; us: number; ids: number[] } | undefined;
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i] ?? 0;
    if (idle(id)) {
      if (cur && cur.us >= minMs * 1000) found.push(cur);
      cur = undefined;
      return;
    }
    cur ??= { at: t, us: 0, ids: [] };
    cur.us += p.timeDeltas[i + 1] ?? 0;
    cur.ids.push(id);
  });
  console.log(`\nBusy stretches of ${minMs} ms or more: ${found.length}`);
  for (const s of found.sort((a, b) => b.us - a.us).slice(0, 12)) {
    const count = new Map<string, number>();
    for (const id of s.ids) {
      const seen = new Set<string>();
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const f = byId.get(n)!.callFrame;
        if (!f.url.startsWith(ROOT) && !f.url.includes("npm")) continue;
        const k = label(f);
        if (!seen.has(k)) count.set(k, (count.get(k) ?? 0) + 1), seen.add(k);
      }
    }
    const topK = [...count].sort((a, b) => b[1] - a[1]).slice(0, 4)
      .map(([k, c]) => `${k} ${Math.round((c / s.ids.length) * 100)}%`);
    console.log(
      `  ${(s.us / 1000).toFixed(0).padStart(5)} ms at ${(s.at / 1e6).toFixed(1)} s: ${
        topK.join("; ")
      }`,
    );
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      top: { type: "string", default: "25" },
      "long-ms": { type: "string", default: "15" },
    },
    allowPositionals: true,
  });
  const n = Number(values.top);
  const p: Profile = JSON.parse(await Deno.readTextFile(positionals[0]));
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") {
      idle += us;
      continue;
    }
    busy += us;
    byFn.set(label(f), (byFn.get(label(f)) ?? 0) + us);
    const file = f.url ? short(f.url) : f.functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    // Each function counted once per stack, however deep its recursion.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  console.log(`busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s (JS thread)`);
  longTasks(p, byId, parent, Number(values["long-ms"]));
  top(byFile, busy, n, "Self time by file");
  top(byFn, busy, n, "Self time by function");
  inclusive.delete(label({ functionName: "(root)", url: "", lineNumber: -1 }));
  top(inclusive, busy, n, "Inclusive time by function");
}
