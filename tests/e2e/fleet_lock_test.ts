/**
 * Fleet mode end to end, part 5: a node frozen (SIGSTOP) in the middle of a write batch, while
 * its transaction holds the database's current-state advisory lock. A frozen client never sends
 * COMMIT and its connection stays open, so the server keeps the lock; the other nodes must still
 * get their checks (and the frozen node's streams, once they take them over) into the database.
 */

import { assert } from "../assert.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import {
  camNames,
  type Fleet,
  type FleetMember,
  startFleet,
  streamEntry,
} from "../fixtures/fleet.ts";

const HEARTBEAT_S = 1;
const LEASE_S = 3;
const RENEW_S = 0.5;

/**
 * SIGSTOPs `m` at a moment its session holds an advisory lock (a write batch between
 * pg_advisory_xact_lock and COMMIT): polls pg_locks, stops the process, and keeps it stopped only
 * if the lock is still held then (else SIGCONT and try again). True once caught.
 */
async function freezeHoldingLock(f: Fleet, m: FleetMember, ms: number): Promise<boolean> {
  const app = `streampulse ${m.name}`;
  const held = async () =>
    (await f.sql`
      SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = ${app}`).length > 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!await held()) continue;
    m.signal("SIGSTOP");
    if (await held()) return true;
    m.signal("SIGCONT");
  }
  return false;
}

// The server ends a session left idle inside a transaction after 2 s (IDLE_IN_TRANSACTION_MS in
// monitor/store/postgres/store.ts): before that, n2 and n3 waited on Lock/advisory for as long as
// n1 stayed frozen, and nothing of theirs was stored. Still failing (3 runs of 3, 16:07–16:10):
// a freeze that lands inside the UPDATE's extended-protocol exchange leaves n1's session
// `active` (wait Client/ClientRead) with the lock held, which that timeout does not cover; the
// failure message lists n1's sessions and their states.
Deno.test({
  name:
    "a fleet node frozen while its write batch holds the current-state lock does not stop the others' writes",

  fn: async () => {
    const cams = await startReplayServer();
    const names = camNames(24);
    const streams = names.map((n) => streamEntry(n, cams.url(`/h264/moving/${n}`))).join("");
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
      const frozen = f.member("n1");
      const others = ["n2", "n3"];
      const lost = names.filter((n) => owners[n] === "n1");
      const tStop = Date.now();
      assert(await freezeHoldingLock(f, frozen, 20_000), "n1 never caught holding the lock");
      console.log(`  n1 frozen holding the lock ${Date.now() - tStop} ms into the attempt`);

      // The others' own streams keep reaching the database, and n1's once they take them over.
      const t0 = Date.now();
      const theirs = names.filter((n) => owners[n] !== "n1");
      await f.firstChecks(theirs, { since: t0, by: others, ms: 10_000 }).catch(async (err) => {
        const waiting = await f.sql<{ application_name: string; wait_event: string }[]>`
        SELECT application_name, wait_event_type || '/' || wait_event AS wait_event
        FROM pg_stat_activity WHERE wait_event_type = 'Lock'`;
        const who = waiting.map((w) => `${w.application_name} waits on ${w.wait_event}`);
        const n1 = await f.sql<{ state: string; wait: string | null; q: string; age: number }[]>`
        SELECT state, wait_event_type || '/' || wait_event AS wait, left(query, 60) AS q,
               extract(epoch FROM now() - state_change)::float8 AS age
        FROM pg_stat_activity WHERE application_name = 'streampulse n1'`;
        who.push(
          ...n1.map((r) => `n1 session ${r.state} (${r.wait}) ${r.age.toFixed(1)} s: ${r.q}`),
        );
        throw new Error(`${who.join(", ") || "no session waits on a lock"}\n${err.message}`);
      });
      const bound = (LEASE_S + RENEW_S + HEARTBEAT_S) * 1000;
      const first = await f.firstChecks(lost, { since: t0, by: others, ms: bound + 10_000 });
      console.log(
        `  n2 and n3 wrote on; n1's ${lost.length} streams stored from the others ` +
          `${Math.max(...first.values()) - t0} ms after the freeze`,
      );
      for (const name of others) {
        const m = f.member(name);
        await m.sp.until(async () => (await m.health()).db.queued === 0, 10_000, `${name} drained`);
      }
    } finally {
      await fleet?.stop();
      await cams.close();
    }
  },
});
