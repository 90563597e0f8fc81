/** createMirror() with an in-test store: paging, full re-reads, own rows, failures. */

import { assert, assertEquals } from "../../assert.ts";
import { createMirror, type MirrorRow } from "../../../monitor/fleet/mod.ts";

const row = (name: string, seq: number, node: string | null = "b"): MirrorRow => ({
  name,
  state: "up",
  since: 0,
  failStreak: 0,
  node,
  seq,
  last: { ts: 1000 + seq, ok: true, state: "up", latencyMs: 1, message: "ok", details: {} },
});

/** A store holding `rows`; records every sinceSeq asked. */
function store(rows: MirrorRow[], pageSize: number) {
  const asked: number[] = [];
  let fail: Error | undefined;
  let onListen: (() => void) | undefined;
  let notify: ((node: string) => void) | undefined;
  return {
    asked,
    rows,
    failWith: (e: Error | undefined) => fail = e,
    reconnect: () => onListen?.(),
    notify: (node: string) => notify?.(node),
    readCurrent: (since: number) => {
      asked.push(since);
      if (fail) return Promise.reject(fail);
      const page = rows.filter((r) => r.seq > since).sort((a, b) => a.seq - b.seq).slice(
        0,
        pageSize,
      );
      return Promise.resolve({ seq: page.at(-1)?.seq ?? since, rows: page });
    },
    listenCurrent: (n: (node: string) => void, l: () => void) => {
      notify = n;
      onListen = l;
      l();
      return Promise.resolve(() => Promise.resolve());
    },
  };
}

async function until(what: string, ok: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function mirrorOf(s: ReturnType<typeof store>, pageSize: number, pollMs = 10_000) {
  const seen: string[] = [];
  const warnings: string[] = [];
  const m = createMirror({
    self: "a",
    readCurrent: s.readCurrent,
    listenCurrent: s.listenCurrent,
    observe: (r) => void seen.push(`${r.name}@${r.node}#${r.seq}`),
    logger: { info: () => {}, warn: (l) => void warnings.push(l) },
    pollMs,
    fullReadMs: 60_000,
    pageSize,
  });
  const ctrl = new AbortController();
  const done = m.run(ctrl.signal);
  return { m, seen, warnings, stop: () => (ctrl.abort(), done) };
}

Deno.test("createMirror() follows full pages, skips its own rows and goes on from the last seq", async () => {
  const s = store([row("x", 1), row("y", 2, "a"), row("z", 3), row("w", 4, null)], 2);
  const { m, seen, stop } = mirrorOf(s, 2);
  try {
    await until("first read", () => s.asked.length >= 3);
    assertEquals(s.asked.slice(0, 3), [0, 2, 4]); // two full pages, then a short one
    assertEquals(seen, ["x@b#1", "z@b#3"]); // its own (a) and nameless rows are not observed
    assertEquals(m.row("y")?.seq, 2); // but cached, for a takeover
    s.rows.push(row("x", 5));
    s.notify("a"); // its own write: nothing to read
    s.notify("b");
    await until("x again", () => seen.length === 3);
    assertEquals(seen[2], "x@b#5");
    assertEquals(s.asked.at(-1), 4);
    await m.catchUp(); // goes on after what it has seen
    assertEquals(s.asked.at(-1), 5);
    assert(m.lagMs().b >= 0 && Object.keys(m.lagMs()).length === 1);
  } finally {
    await stop();
  }
});

Deno.test("createMirror() reads everything again after the LISTEN reconnects", async () => {
  const s = store([row("x", 1)], 100);
  const { seen, stop } = mirrorOf(s, 100);
  try {
    await until("first read", () => seen.length === 1);
    s.reconnect();
    await until("full read", () => s.asked.filter((n) => n === 0).length === 2);
    await until("observed again", () => seen.length === 2);
    assertEquals(seen, ["x@b#1", "x@b#1"]);
  } finally {
    await stop();
  }
});

Deno.test("createMirror() reports a failed read once, redacted, and recovers", async () => {
  const s = store([row("x", 1)], 100);
  s.failWith(new Error("connect to postgres://sp:s3cret@db:5432/sp refused"));
  const { m, seen, warnings, stop } = mirrorOf(s, 100, 20);
  try {
    await until("a few failures", () => s.asked.length >= 3);
    assertEquals(warnings.length, 1);
    assert(!warnings[0].includes("s3cret") && !m.lastError()!.includes("s3cret"), warnings[0]);
    s.failWith(undefined);
    await until("recovered", () => seen.length === 1 && m.lastError() === undefined);
  } finally {
    await stop();
  }
});
