import { assertEquals } from "../../assert.ts";
import { nextState } from "../../../monitor/status/state.ts";
import type { StreamState } from "../../../monitor/types.ts";

const from = (state: StreamState, failStreak = 0) => ({ state, failStreak });

Deno.test("nextState() turns up on the first success from any state", () => {
  for (const s of ["unknown", "down", "degraded", "up"] as const) {
    const t = nextState(from(s, 5), { ok: true });
    assertEquals(t, { state: "up", failStreak: 0, changed: s !== "up", recheck: false });
  }
});

Deno.test("nextState() asks for a re-check before going down", () => {
  assertEquals(nextState(from("up"), { ok: false }), {
    state: "up",
    failStreak: 1,
    changed: false,
    recheck: true,
  });
  assertEquals(nextState(from("up", 1), { ok: false }), {
    state: "down",
    failStreak: 2,
    changed: true,
    recheck: false,
  });
});

Deno.test("nextState() confirms the first failure of an unknown stream too", () => {
  assertEquals(nextState(from("unknown"), { ok: false }).recheck, true);
  assertEquals(nextState(from("unknown", 1), { ok: false }).state, "down");
});

Deno.test("nextState() keeps a down stream down without re-checks", () => {
  assertEquals(nextState(from("down", 4), { ok: false }), {
    state: "down",
    failStreak: 5,
    changed: false,
    recheck: false,
  });
});

Deno.test("nextState() marks a reachable but wrong picture degraded", () => {
  assertEquals(nextState(from("up"), { ok: true, degraded: true }).state, "degraded");
  assertEquals(nextState(from("degraded"), { ok: true, degraded: true }).changed, false);
});
