/**
 * Fleet mode end to end, part 3: a node frozen with SIGSTOP past its lease. The others take its
 * streams over; on SIGCONT the frozen node writes no result of the checks it had in flight (each
 * handshake goes through a slow proxy, so several are) and starts none before its lease is back.
 */

import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import {
  camNames,
  type Fleet,
  startFleet,
  startSlowProxy,
  streamEntry,
} from "../fixtures/fleet.ts";

const HEARTBEAT_S = 1;
const LEASE_S = 3;
const RENEW_S = 0.5;
const TIMEOUT_S = 2;
const SLACK_MS = 1500;

Deno.test("SIGSTOP of a fleet node past its lease: the others take over, and after SIGCONT it records nothing it found while fenced", async () => {
  const cams = await startReplayServer();
  // Each reply waits 250 ms: an OPTIONS + DESCRIBE handshake takes ~0.5 s of each 1 s heartbeat.
  const slow = startSlowProxy(cams.port, 250);
  const names = camNames(24);
  const url = (n: string) => `rtsp://127.0.0.1:${slow.port}/h264/moving/${n}`;
  const streams = names.map((n) => streamEntry(n, url(n))).join(""); // timeout_seconds: 2
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet({
      leaseSeconds: LEASE_S,
      renewSeconds: RENEW_S,
      shared: `heartbeat_seconds: ${HEARTBEAT_S}\ntimezone: UTC\nstreams:\n${streams}`,
    });
    const f = fleet;
    const owners = await f.settled(names);
    await f.allUp(names);
    // Freeze the node with the most streams: the most checks in flight.
    const count = (node: string) => names.filter((n) => owners[n] === node).length;
    const frozen = [...f.members].sort((a, b) => count(b.name) - count(a.name))[0];
    const others = f.members.map((m) => m.name).filter((n) => n !== frozen.name);
    const lost = names.filter((n) => owners[n] === frozen.name);
    const fenced = async () =>
      ((await frozen.health()).scheduler as { fenced?: number } | undefined)?.fenced ?? 0;
    const fencedBefore = await fenced();

    const tStop = Date.now();
    frozen.signal("SIGSTOP");
    const inFlight = slow.open();
    await delay(300); // a commit it sent just before lands now
    const idAtStop = await f.maxCheckId();
    const leaseAtStop = (await f.leaseUntil(frozen.name)) ?? 0;

    // The other two drop it and check its streams.
    await f.settled(names, { among: others, ms: 15_000 });
    const bound = (LEASE_S + RENEW_S + HEARTBEAT_S) * 1000;
    const firstByOthers = await f.firstChecks(lost, {
      since: tStop,
      by: others,
      ms: bound + 10_000,
    });
    const takeover = Math.max(...firstByOthers.values()) - tStop;
    console.log(
      `  ${frozen.name} frozen with ${lost.length} streams (${inFlight} handshakes in flight); ` +
        `taken over ${takeover} ms later (bound ${bound} ms)`,
    );
    assert(takeover <= bound + SLACK_MS, `takeover took ${takeover} ms`);
    await delay(2 * HEARTBEAT_S * 1000);

    // Wake it and catch the first renewal after the wake-up (its lease on the database's clock).
    const tCont = Date.now();
    frozen.signal("SIGCONT");
    let rejoinAt = Infinity;
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const l = await f.leaseUntil(frozen.name);
      if (l !== undefined && l > leaseAtStop) {
        rejoinAt = l - LEASE_S * 1000;
        break;
      }
      await delay(5);
    }
    assert(Number.isFinite(rejoinAt), `${frozen.name} never renewed its lease after SIGCONT`);
    await f.settled(names, { ms: 15_000 });
    await delay(2 * HEARTBEAT_S * 1000);
    const dropped = await fenced() - fencedBefore;

    const late = (await f.checks({ since: tStop - 10_000, node: frozen.name })).filter((r) =>
      r.id > idAtStop
    );
    const flushed = late.filter((r) => r.ts < tStop);
    const whileFenced = late.filter((r) => r.ts >= tStop && r.ts < rejoinAt);
    const stale = late.filter((r) => !r.ok || (r.latencyMs ?? 0) >= TIMEOUT_S * 1000);
    console.log(
      `  after SIGCONT: lease back ${rejoinAt - tCont} ms after the wake-up; ` +
        `${frozen.name} dropped ${dropped} fenced results, wrote ${flushed.length} rows of ` +
        `checks made before the freeze, ${whileFenced.length} started while fenced, ` +
        `${stale.length} failed or as slow as the freeze`,
    );
    assertEquals(whileFenced.map((r) => `${r.stream}@${r.ts}`), [], "checks started while fenced");
    assertEquals(
      stale.map((r) => `${r.stream}@${r.ts} ok=${r.ok} ${r.latencyMs} ms`),
      [],
      "results of checks in flight at the freeze",
    );
    // Nothing went down anywhere: no node published a failure of the frozen checks.
    for (const m of f.members) {
      const s = await m.status();
      assertEquals(names.filter((n) => s[n]?.state !== "up"), [], `${m.name}'s states`);
    }
  } finally {
    await fleet?.stop();
    await slow.stop();
    await cams.close();
  }
});
