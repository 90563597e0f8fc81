/** Tests of the retention task against a real store while another connection holds the lock. */

import { assert, assertEquals } from "../../assert.ts";
import { DatabaseSync } from "node:sqlite";
import { createRetentionTask } from "../../../monitor/store/mod.ts";
import { openSqliteStore } from "../../../monitor/store/sqlite/mod.ts";

const DAY = 86_400_000;

Deno.test("createRetentionTask() survives a locked database, warns once and prunes later", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sp_retention_" });
  const path = `${dir}/streams.db`;
  const store = openSqliteStore(path, { busyTimeoutMs: 20 });
  const other = new DatabaseSync(path);
  const lines: string[] = [];
  const logger = {
    info: (m: string) => lines.push(`I ${m}`),
    warn: (m: string) => lines.push(`W ${m}`),
  };
  let rounds = 0;
  const counted = {
    prune: (o?: Parameters<typeof store.prune>[0]) => (rounds++, store.prune(o)),
  };
  const ctrl = new AbortController();
  let failed: unknown;
  try {
    const old = Date.now() - 40 * DAY;
    for (let i = 0; i < 3; i++) {
      store.recordCheck("cam", {
        ts: old + i,
        ok: true,
        state: "up",
        latencyMs: 1,
        message: "",
        details: {},
      });
    }
    store.flush();
    other.exec("BEGIN IMMEDIATE");
    const task = createRetentionTask({
      store: counted,
      retentionDays: () => 30,
      logger,
      firstDelayMs: 0,
      intervalMs: 20,
    })(ctrl.signal).catch((err) => void (failed = err));
    while (rounds < 4 && failed === undefined) await new Promise((r) => setTimeout(r, 10));
    assertEquals(failed, undefined, `the task failed: ${failed}`);
    const warnings = lines.filter((l) => l.startsWith("W "));
    assertEquals(warnings.length, 1, lines.join("\n"));
    assert(warnings[0].includes("database is locked"), warnings[0]);
    other.exec("ROLLBACK");
    while (!lines.some((l) => l.includes("pruned 3 old checks"))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert(lines.some((l) => l.includes("retention: pruning works again")), lines.join("\n"));
    ctrl.abort();
    await task;
  } finally {
    ctrl.abort();
    other.close();
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
