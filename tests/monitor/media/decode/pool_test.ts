/** The decode pool's slots: sized to the cores, a bounded line, abort, close. */

import { assert, assertEquals } from "../../../assert.ts";
import { createSlots } from "../../../../monitor/media/decode/mod.ts";

Deno.test("createSlots() has as many slots as cores by default", () => {
  assertEquals(createSlots().stats().size, navigator.hardwareConcurrency);
});

Deno.test("createSlots() refuses at once when the line is full, with a clear problem", async () => {
  const slots = createSlots({ size: 1, maxQueue: 1 });
  const first = await slots.acquire();
  assert(first.ok);
  const waiting = slots.acquire();
  const refused = await slots.acquire();
  assertEquals(refused, {
    ok: false,
    why: "the decode queue is full (1 waiting for 1 decoders)",
  });
  assertEquals(slots.stats().refused, 1);
  first.release();
  const second = await waiting;
  assert(second.ok);
  second.release();
  assertEquals(slots.stats().busy, 0);
});

Deno.test("createSlots() ends a wait on abort and refuses waiters on close", async () => {
  const slots = createSlots({ size: 1 });
  const held = await slots.acquire();
  const ac = new AbortController();
  const aborted = slots.acquire(ac.signal);
  ac.abort();
  assertEquals(await aborted, { ok: false, why: "stopped" });
  const closing = slots.acquire();
  slots.close();
  assertEquals(await closing, { ok: false, why: "the decode pool is closed" });
  if (held.ok) held.release();
});
