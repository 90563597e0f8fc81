/** mergeRemote(): another node's view never steps a status back (the table in its JSDoc). */

import { assertEquals } from "../../assert.ts";
import { mergeRemote } from "../../../monitor/fleet/mod.ts";
import type { CheckRecord, StreamStatus } from "../../../monitor/types.ts";

const rec = (ts: number, ok = false): CheckRecord => ({
  ts,
  ok,
  state: ok ? "up" : "down",
  latencyMs: 1,
  message: ok ? "ok" : "refused",
  details: {},
});
const status = (last?: CheckRecord): StreamStatus => ({
  name: "cam",
  kind: "rtsp",
  state: last ? last.state : "unknown",
  since: 0,
  last,
  failStreak: 0,
});

Deno.test("mergeRemote() takes a newer check and its state", () => {
  const st = status(rec(100, true));
  const m = mergeRemote(st, { state: "down", since: 200, last: rec(200), failStreak: 2 });
  assertEquals(m, { stale: false, newer: true, from: "up", changed: true });
  assertEquals([st.state, st.since, st.last?.ts, st.failStreak], ["down", 200, 200, 2]);
});

Deno.test("mergeRemote() ignores an older view, or one without a check over a status with one", () => {
  for (const remote of [{ last: rec(50) }, {}]) {
    const st = status(rec(100, true));
    const m = mergeRemote(st, { state: "down", since: 40, failStreak: 1, ...remote });
    assertEquals(m, { stale: true, newer: false, from: "up", changed: false });
    assertEquals([st.state, st.last?.ts], ["up", 100]);
  }
});

Deno.test("mergeRemote() at the same check takes state and streak without a new result", () => {
  const st = status(rec(100));
  const m = mergeRemote(st, { state: "down", since: 90, last: rec(100), failStreak: 4 });
  assertEquals(m, { stale: false, newer: false, from: "down", changed: false });
  assertEquals([st.since, st.failStreak], [90, 4]);
});

Deno.test("mergeRemote() with no check on either side takes the state", () => {
  const st = status();
  const m = mergeRemote(st, { state: "down", since: 7, failStreak: 0 });
  assertEquals(m, { stale: false, newer: false, from: "unknown", changed: true });
  assertEquals(st.state, "down");
});
