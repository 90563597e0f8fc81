/** The media-check cadence rules on a fake clock: due times, lateness, overdue, verified pictures. */

import { assert, assertEquals } from "../../assert.ts";
import {
  type Cadence,
  endCheck,
  graceOf,
  isOverdue,
  MIN_GRACE_MS,
  newCadence,
  overdueAt,
  pictureVerified,
  startCheck,
} from "../../../monitor/media/cadence.ts";
import type { MediaVerdict } from "../../../monitor/status/mod.ts";

const S = 1000;
const T0 = Date.UTC(2025, 0, 1);

/** A fake clock and the loop's steps on it. */
function clock(c: Cadence) {
  let now = T0;
  let cadence = c;
  const late: Array<number | null> = [];
  return {
    at: (ms: number) => now = T0 + ms,
    start() {
      const r = startCheck(cadence, now);
      cadence = r.cadence;
      late.push(r.latenessMs);
    },
    end: () => cadence = endCheck(cadence, now),
    overdue: () => isOverdue(cadence, now),
    get cadence() {
      return cadence;
    },
    late,
  };
}

Deno.test("graceOf() is a quarter of the cadence, at least 10 s", () => {
  assertEquals(graceOf(60 * S), 15 * S);
  assertEquals(graceOf(10 * S), MIN_GRACE_MS);
  assertEquals(graceOf(2 * S, 500), 500);
});

Deno.test("startCheck() measures lateness from the due time; the next is due one cadence later", () => {
  const c = clock(newCadence({ everyMs: 60 * S, addedAt: T0, offsetMs: 2 * S }));
  assertEquals(c.cadence.due, T0 + 2 * S);
  c.at(2 * S);
  c.start();
  c.at(7 * S);
  c.end();
  assertEquals(c.cadence.due, T0 + 62 * S, "start-anchored, not end-anchored");
  c.at(65 * S); // the pool made it wait 3 s
  c.start();
  assertEquals(c.late, [0, 3 * S]);
  assertEquals(c.cadence.due, T0 + 125 * S);
});

Deno.test("startCheck() after a long check starts at once, late by the overrun, slots not made up", () => {
  const c = clock(newCadence({ everyMs: 10 * S, addedAt: T0 }));
  c.start();
  c.at(35 * S); // the check took 35 s: slots at 10, 20 and 30 s were missed
  c.end();
  c.start();
  assertEquals(c.late, [0, 25 * S]);
  assertEquals(c.cadence.due, T0 + 45 * S, "one cadence after this start, no burst");
});

Deno.test("startCheck() of a check woken before its due time has no lateness", () => {
  const c = clock(newCadence({ everyMs: 60 * S, addedAt: T0 }));
  c.start();
  c.at(1 * S);
  c.end();
  c.at(20 * S); // the stream came back up: checked at once
  c.start();
  assertEquals(c.late, [0, null]);
  assertEquals(c.cadence.due, T0 + 80 * S);
  assertEquals(c.cadence.running, T0 + 20 * S);
});

Deno.test("isOverdue() before the first check ended: one cadence + grace after being added", () => {
  const c = clock(newCadence({ everyMs: 60 * S, addedAt: T0, offsetMs: 30 * S }));
  assertEquals(overdueAt(c.cadence), T0 + 75 * S);
  c.at(75 * S);
  assert(!c.overdue(), "at the limit is not yet overdue");
  c.at(75 * S + 1);
  assert(c.overdue(), "never started");
  c.at(76 * S);
  c.start(); // started 46 s late, and now waits for a process slot
  assertEquals(c.late, [46 * S]);
  assert(c.overdue(), "started is not done");
  c.at(80 * S);
  c.end();
  assert(!c.overdue(), "the first check ended: the next is due at 136 s");
  assertEquals(overdueAt(c.cadence), T0 + (136 + 75) * S);
});

Deno.test("isOverdue() when the next check is more than one cadence + grace late", () => {
  const c = clock(newCadence({ everyMs: 60 * S, addedAt: T0 }));
  c.start();
  c.at(5 * S);
  c.end(); // next due at 60 s, overdue from 135 s if it never starts
  c.at(135 * S);
  assert(!c.overdue());
  c.at(136 * S);
  assert(c.overdue());
  c.start();
  c.at(140 * S);
  c.end();
  assert(!c.overdue(), "caught up");
});

Deno.test("isOverdue() for a check stuck longer than one cadence + grace", () => {
  const c = clock(newCadence({ everyMs: 10 * S, addedAt: T0 }));
  c.start();
  c.end();
  c.at(10 * S);
  c.start(); // due at 10 s: overdue from 10 + 10 + 10 s while it runs
  c.at(30 * S);
  assert(!c.overdue());
  c.at(31 * S);
  assert(c.overdue());
  c.end();
  assert(!c.overdue(), "ended: the next check, due at 20 s, is overdue from 40 s");
  assertEquals(overdueAt(c.cadence), T0 + 40 * S);
});

const verdict = (state: MediaVerdict["state"], picture?: unknown): MediaVerdict => ({
  state,
  message: "m",
  details: picture === undefined ? {} : { picture },
  latencyMs: 1,
});

Deno.test("pictureVerified() is true only for an up verdict with a picture judged from frames", () => {
  assert(pictureVerified(verdict("up", { frames: 20, moving: true })));
  assert(!pictureVerified(verdict("up")), "no picture at all");
  assert(!pictureVerified(verdict("up", { frames: 0 })), "no frame: picture not verified");
  assert(!pictureVerified(verdict("up", { frames: 0, error: "ffmpeg exited 1" })));
  assert(!pictureVerified(verdict("up", { frames: 3, error: "cut short" })));
  assert(!pictureVerified(verdict("up", { frames: 3, verified: false })));
  assert(!pictureVerified(verdict("degraded", { frames: 20, frozen: true })));
  assert(!pictureVerified(verdict("down", { frames: 0 })));
});
