import { assertEquals } from "../../assert.ts";
import { combineMedia, type MediaVerdict, nextState } from "../../../monitor/status/state.ts";
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

Deno.test("nextState() holds state and streak for a check that learnt nothing (unverified picture)", () => {
  for (const s of ["unknown", "down", "degraded", "up"] as const) {
    assertEquals(nextState(from(s, 3), { ok: true, hold: true }), {
      state: s,
      failStreak: 3,
      changed: false,
      recheck: false,
    });
  }
});

const media = (state: MediaVerdict["state"], verified?: false): MediaVerdict => ({
  state,
  message: verified === false ? "picture not verified: garbage RTP" : state,
  details: {},
  latencyMs: 1,
  ...(verified === false ? { verified } : {}),
});

Deno.test("combineMedia() folds verdicts in by its table; an unverified one only holds", () => {
  assertEquals(combineMedia(false, media("up"), true), { ok: false });
  assertEquals(combineMedia(true, undefined, false), { ok: true });
  assertEquals(combineMedia(true, media("up"), true), { ok: true });
  assertEquals(combineMedia(true, media("degraded"), false), { ok: true, degraded: true });
  assertEquals(combineMedia(true, media("down"), true), { ok: false, confirmed: true });
  assertEquals(combineMedia(true, media("down"), false), { ok: false, confirmed: false });
  assertEquals(combineMedia(true, media("degraded", false), true), { ok: true, hold: true });
  assertEquals(combineMedia(false, media("degraded", false), true), { ok: false, hold: true });
  // Passed along with a handshake (the monitor never does), it counts as no verdict.
  assertEquals(combineMedia(true, media("degraded", false), false), { ok: true });
});
