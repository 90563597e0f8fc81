/** Tests of the SQLite store's prune(): batches, yields, abort, cut-offs. */

import assert from "node:assert/strict";
import { BACKENDS, check, DAY, open, T0, withPath } from "./helpers.ts";

for (const backend of BACKENDS) {
  Deno.test(`prune() deletes old raw checks in batches and keeps rollups (${backend})`, () =>
    withPath(backend, async (path) => {
      const now = T0 + 600 * DAY;
      const store = open(path, { now: () => now });
      try {
        const days = [500, 100, 40, 31, 29, 1]; // days ago
        for (const d of days) {
          for (let i = 0; i < 24; i++) {
            store.recordCheck("cam", check(now - d * DAY + i * 1000, true));
          }
        }
        store.recordStateChange({
          name: "cam",
          from: "up",
          to: "down",
          ts: now - 501 * DAY,
          cause: "x",
        });
        store.recordStateChange({
          name: "cam",
          from: "down",
          to: "up",
          ts: now - 500 * DAY,
          cause: "y",
        });
        store.recordStateChange({
          name: "cam",
          from: "up",
          to: "down",
          ts: now - 2 * DAY,
          cause: "z",
        });
        store.flush();
        assert.equal((await store.prune({ signal: AbortSignal.abort() })).aborted, true);
        await assert.rejects(() => store.prune({ rollupDays: 30 }), /"rollupDays" is 30/);

        let yielded = false;
        setTimeout(() => yielded = true, 0);
        const res = await store.prune({ retentionDays: 30, batchSize: 10 });
        assert.ok(yielded, "prune() yields to the event loop between batches");
        // 500, 100, 40 and 31 days old: 4 × 24 raw checks; the 500-day rollups and the
        // incident that ended 500 days ago fall out of the default 400 days.
        assert.deepEqual(res, { checks: 96, rollups: 2, incidents: 1, aborted: false });
        assert.deepEqual(
          store.history("cam", { limit: 10_000 }).map((c) => Math.round((now - c.ts) / DAY)),
          [...Array(24).fill(1), ...Array(24).fill(29)],
        );
        assert.equal(store.uptime({ since: now - 450 * DAY }).get("cam")?.checks, 5 * 24);
        assert.deepEqual(store.incidents("cam").map((i) => i.cause), ["z"]);
        assert.deepEqual(await store.prune(), {
          checks: 0,
          rollups: 0,
          incidents: 0,
          aborted: false,
        });
      } finally {
        store.close();
      }
    }));
}
