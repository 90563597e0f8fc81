/** createHealth(): what /api/health says, and what makes the process unhealthy. */

import { assertEquals } from "../assert.ts";
import { createHealth, type HealthDeps } from "../../monitor/mod.ts";
import type { TaskHealth } from "../../monitor/supervisor.ts";

const task = (state: TaskHealth["state"]): TaskHealth => ({ state, restarts: 0, startedAt: 0 });

/** Healthy deps: two running tasks, a store without write trouble, three streams. */
function deps(over: Partial<HealthDeps> = {}): HealthDeps {
  return {
    version: "9.9.9",
    tasks: () => ({ monitor: task("running"), web: task("running") }),
    db: () => ({ writeError: null, queued: 0, path: "streams.db" }),
    statuses: () => [{ state: "up" }, { state: "up" }, { state: "down" }],
    streamCount: () => 4,
    config: () => ({ file: "ok" }),
    mqtt: () => ({ enabled: true, connected: false }),
    media: () => ({ checks: 3, overdue: 1 }),
    ...over,
  };
}

Deno.test("createHealth() reports tasks, config, db, counts per state, MQTT and media", () => {
  // A broker that is down (connected: false) shows but leaves the process ok.
  const h = createHealth(deps())();
  assertEquals(h, {
    ok: true,
    version: "9.9.9",
    tasks: { monitor: task("running"), web: task("running") },
    config: { file: "ok" },
    db: { writeError: null, queued: 0, path: "streams.db" },
    // One stream not checked yet counts in `total` only.
    streams: { total: 4, up: 2, degraded: 0, down: 1, unknown: 0 },
    mqtt: { enabled: true, connected: false },
    // Overdue media checks show but never make the process unhealthy.
    media: { checks: 3, overdue: 1 },
  });
});

Deno.test("createHealth() is not ok while a task restarts, store writes fail or the store throws", () => {
  const restarting = createHealth(deps({
    tasks: () => ({ monitor: task("running"), web: task("restarting") }),
  }))();
  assertEquals(restarting.ok, false);
  const locked = createHealth(deps({ db: () => ({ writeError: "database is locked" }) }))();
  assertEquals([locked.ok, locked.db], [false, { writeError: "database is locked" }]);
  const broken = createHealth(deps({
    db: () => {
      throw new Error("database is closed");
    },
  }))();
  assertEquals([broken.ok, broken.db], [false, { error: "Error: database is closed" }]);
});

Deno.test("createHealth() reads its sources on every call", () => {
  let n = 1;
  const health = createHealth(deps({ streamCount: () => n }));
  assertEquals(health().streams.total, 1);
  n = 7;
  assertEquals(health().streams.total, 7);
});
