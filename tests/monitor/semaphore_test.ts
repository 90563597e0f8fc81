/** Semaphore: permits, FIFO hand-over on release, and waiters that leave when their signal aborts. */

import { assertEquals } from "../assert.ts";
import { Semaphore } from "../../monitor/semaphore.ts";

/**
 * The state of `p` once every pending microtask has run (a 0 ms timer fires after them): the
 * semaphore settles its promises synchronously or in microtasks, never on a timer.
 */
async function state(p: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  let s: "pending" | "resolved" | "rejected" = "pending";
  p.then(() => s = "resolved", () => s = "rejected");
  await new Promise((r) => setTimeout(r, 0));
  return s;
}

Deno.test("Semaphore acquire() grants up to `permits` at once, then waits", async () => {
  const sem = new Semaphore(2);
  assertEquals(await state(sem.acquire()), "resolved");
  assertEquals(await state(sem.acquire()), "resolved");
  assertEquals(sem.waiting, 0);
  const third = sem.acquire();
  assertEquals(await state(third), "pending");
  assertEquals(sem.waiting, 1);
  sem.release();
  assertEquals(await state(third), "resolved");
  assertEquals(sem.waiting, 0);
});

Deno.test("Semaphore with zero permits waits until a release", async () => {
  const sem = new Semaphore(0);
  const p = sem.acquire();
  assertEquals(await state(p), "pending");
  sem.release();
  assertEquals(await state(p), "resolved");
});

Deno.test("Semaphore release() hands the slot to waiters in FIFO order", async () => {
  const sem = new Semaphore(1);
  await sem.acquire();
  const order: number[] = [];
  const waiters = [1, 2, 3].map((n) => sem.acquire().then(() => order.push(n)));
  assertEquals(sem.waiting, 3);
  for (let i = 0; i < 3; i++) sem.release();
  await Promise.all(waiters);
  assertEquals(order, [1, 2, 3]);
});

Deno.test("Semaphore release() hands over directly: a newcomer cannot overtake a waiter", async () => {
  const sem = new Semaphore(1);
  await sem.acquire();
  const waiter = sem.acquire();
  sem.release(); // goes to `waiter`, not back to the free count
  const newcomer = sem.acquire();
  assertEquals(await state(waiter), "resolved");
  assertEquals(await state(newcomer), "pending");
  sem.release();
  assertEquals(await state(newcomer), "resolved");
});

Deno.test("Semaphore release() without waiters frees a slot for the next acquire()", async () => {
  const sem = new Semaphore(1);
  await sem.acquire();
  sem.release();
  assertEquals(await state(sem.acquire()), "resolved");
  assertEquals(await state(sem.acquire()), "pending");
});

Deno.test("Semaphore acquire() with an aborted signal rejects at once with its reason", async () => {
  const sem = new Semaphore(1); // a slot is free, yet the aborted signal wins
  const reason = new Error("shutting down");
  const p = sem.acquire(AbortSignal.abort(reason));
  assertEquals(await state(p), "rejected");
  assertEquals(await p.catch((e) => e), reason);
  assertEquals(sem.waiting, 0);
  // No permit was taken.
  assertEquals(await state(sem.acquire()), "resolved");
});

Deno.test("Semaphore acquire() rejects and leaves the queue when its signal aborts", async () => {
  const sem = new Semaphore(1);
  await sem.acquire();
  const ctrl = new AbortController();
  const order: string[] = [];
  const first = sem.acquire().then(() => order.push("first"));
  const aborted = sem.acquire(ctrl.signal);
  const last = sem.acquire().then(() => order.push("last"));
  assertEquals(sem.waiting, 3);
  const reason = new Error("stream removed");
  ctrl.abort(reason);
  assertEquals(await aborted.catch((e) => e), reason);
  assertEquals(sem.waiting, 2);
  sem.release();
  sem.release(); // the aborted waiter is skipped: both slots go to the others
  await Promise.all([first, last]);
  assertEquals(order, ["first", "last"]);
  assertEquals(sem.waiting, 0);
  assertEquals(await state(sem.acquire()), "pending"); // nothing was left over
});

Deno.test("Semaphore acquire() ignores an abort after the slot was granted", async () => {
  const sem = new Semaphore(1);
  await sem.acquire();
  const ctrl = new AbortController();
  const p = sem.acquire(ctrl.signal);
  sem.release();
  assertEquals(await state(p), "resolved");
  ctrl.abort(new Error("too late"));
  assertEquals(await state(p), "resolved");
  assertEquals(sem.waiting, 0);
  // The granted holder still owns the slot.
  assertEquals(await state(sem.acquire()), "pending");
});

Deno.test("Semaphore acquire() with a signal that never aborts behaves like no signal", async () => {
  const sem = new Semaphore(1);
  const ctrl = new AbortController();
  assertEquals(await state(sem.acquire(ctrl.signal)), "resolved");
  const p = sem.acquire(ctrl.signal);
  assertEquals(await state(p), "pending");
  sem.release();
  assertEquals(await state(p), "resolved");
});
