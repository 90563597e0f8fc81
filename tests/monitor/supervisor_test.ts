import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { createLogger } from "../../monitor/log.ts";
import { createSupervisor } from "../../monitor/supervisor.ts";

Deno.test("createSupervisor() restarts a crashed task with backoff while others keep running", async () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });
  const sup = createSupervisor({ logger, initialBackoffMs: 50, maxBackoffMs: 100 });
  let crashes = 0;
  let ticks = 0;
  sup.add("flaky", async (signal) => {
    if (crashes++ < 2) throw new Error("boom");
    await delay(10_000, { signal });
  });
  sup.add("steady", async (signal) => {
    while (!signal.aborted) {
      ticks++;
      await delay(20, { signal });
    }
  });
  const ctrl = new AbortController();
  const p = sup.run(ctrl.signal);
  await delay(400);
  const h = sup.health();
  assertEquals(h.flaky.state, "running");
  assertEquals(h.flaky.restarts, 2);
  assertEquals(h.flaky.lastError, "boom");
  assertEquals(h.steady.restarts, 0);
  assert(ticks > 10);
  const t = Date.now();
  ctrl.abort();
  await p;
  assert(Date.now() - t < 100, "stop is prompt");
  assertEquals(sup.health().flaky.state, "stopped");
  assert(lines.some((l) => l.includes('ERROR task "flaky" failed: boom; restarting in 50 ms')));
});
