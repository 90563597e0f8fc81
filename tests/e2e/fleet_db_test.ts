/**
 * Fleet mode end to end, part 4: PostgreSQL restarted under three running nodes. Nothing
 * committed before is lost, the checks queued during the outage reach the database, every node's
 * queue drains (health `db.queued` back to 0) and the fleet checks on.
 */

import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import {
  camNames,
  type Fleet,
  type NodeHealth,
  startFleet,
  streamEntry,
} from "../fixtures/fleet.ts";

const DOWN_MS = 3000;

Deno.test("PostgreSQL restarted under a fleet: nothing committed lost, the queues drain, the nodes resume", async () => {
  const cams = await startReplayServer();
  const names = camNames(15);
  const streams = names.map((n) => streamEntry(n, cams.url(`/h264/moving/${n}`))).join("");
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet({
      shared: `heartbeat_seconds: 1\ntimezone: UTC\nstreams:\n${streams}`,
    });
    const f = fleet;
    await f.settled(names);
    await f.allUp(names);
    await delay(2000);
    const before = await f.countChecks();
    const maxBefore = await f.maxCheckId();
    assert(before > 0, "no checks before the restart");

    // While the server is down each node keeps its checks in its queue and says so in health.
    const seen = new Map<string, NodeHealth["db"]>();
    let tDown = 0;
    let tUp = 0;
    await f.pg.restart({
      whileDown: async () => {
        tDown = Date.now();
        while (Date.now() - tDown < DOWN_MS) {
          for (const m of f.members) {
            const h = await m.health().catch(() => undefined);
            if ((h?.db.queued ?? 0) > 0 && !seen.has(m.name)) seen.set(m.name, h!.db);
          }
          await delay(200);
        }
      },
    });
    tUp = Date.now();
    console.log(
      `  during the outage: ${[...seen].map(([n, db]) => `${n} ${JSON.stringify(db)}`).join("; ")}`,
    );
    assert(seen.size > 0, "no node reported queued checks while the database was down");

    // The queues drain and the fleet is whole again.
    const drained: Record<string, number> = {};
    await Promise.all(f.members.map((m) =>
      m.sp.until(
        async () => {
          const h = await m.health();
          if (h.db.queued !== 0 || h.db.writeError) return false;
          drained[m.name] = Date.now() - tUp;
          return true;
        },
        30_000,
        `${m.name}'s queue drained`,
      )
    ));
    console.log(`  queues drained after the restart: ${JSON.stringify(drained)} ms`);
    await f.settled(names, { ms: 20_000 });

    // Nothing committed before is lost, and what was checked while it was down arrived.
    const [kept] = await f.sql<{ n: number }[]>`
      SELECT count(*)::float8 AS n FROM sp_check WHERE id <= ${maxBefore}`;
    assertEquals(kept.n, before);
    const duringOutage = (await f.checks({ since: tDown })).filter((r) => r.ts < tUp);
    console.log(`  checks made while the database was down, now stored: ${duringOutage.length}`);
    assert(duringOutage.length > 0, "the checks queued during the outage were lost");

    // Every node checks (and writes) again.
    const tResume = Date.now();
    await f.member("n1").sp.until(
      async () => {
        const rows = await f.checks({ since: tResume });
        return f.members.every((m) => rows.some((r) => r.node === m.name));
      },
      15_000,
      "new checks from every node",
    );
    await f.allUp(names, { ms: 15_000, what: "after the restart" });
  } finally {
    await fleet?.stop();
    await cams.close();
  }
});
