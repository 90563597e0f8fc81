/**
 * Fleet mode end to end, part 2: kill -9 of a node. Its streams are checked again by the other two
 * within lease + renewal + one heartbeat, history has no other gap, and a stream that went down
 * just before alerts once (and recovers once) across the failover, counted by a webhook receiver.
 */

import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import { startWebhookReceiver } from "../fixtures/webhook_receiver.ts";
import { camNames, type Fleet, startFleet, streamEntry } from "../fixtures/fleet.ts";

const HEARTBEAT_S = 1;
const LEASE_S = 3;
const RENEW_S = 0.5;
/** CI jitter allowed on top of a timing bound (2 cores, three nodes, PostgreSQL, the tests). */
const SLACK_MS = 1500;

/** The check times of `name` from a node's history API (timezone UTC: ISO with +00:00). */
async function historyTimes(fleet: Fleet, node: string, name: string, from: number) {
  const m = fleet.member(node);
  const res = await m.sp.get(
    `/api/streams/${encodeURIComponent(name)}/history?from=${from}&limit=10000`,
  );
  assertEquals(res.status, 200, res.text.slice(0, 300));
  return (res.body as { ts: string }[]).map((e) => Date.parse(e.ts)).sort((a, b) => a - b);
}

const maxGap = (ts: number[]) => ts.slice(1).reduce((g, t, i) => Math.max(g, t - ts[i]), 0);

Deno.test("kill -9 of a fleet node: the others take its streams over in time, no other history gap, one alert per event", async () => {
  const cams = await startReplayServer();
  let doomed = await startReplayServer();
  const doomedPort = doomed.port;
  const hook = startWebhookReceiver();
  const names = camNames(24);
  const all = [...names, "doomed"];
  let streams = names.map((n) => streamEntry(n, cams.url(`/h264/moving/${n}`))).join("");
  streams += streamEntry("doomed", doomed.url("/h264/moving/doomed"));
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet({
      leaseSeconds: LEASE_S,
      renewSeconds: RENEW_S,
      shared: `heartbeat_seconds: ${HEARTBEAT_S}
timezone: UTC
alerts:
  group_seconds: 0
  channels:
    - {name: hook, type: webhook, url: "${hook.url()}"}
  rules:
    - {channels: [hook], states: [down]}
streams:
${streams}`,
    });
    const f = fleet;
    const owners = await f.settled(all);
    await f.allUp(all);

    // "doomed" goes down while its owner runs; its alert is delivered before the owner dies.
    const victim = owners.doomed;
    const survivors = f.members.filter((m) => m.name !== victim).map((m) => m.name);
    await doomed.close();
    await hook.until(
      (r) => r.some((x) => x.body.event === "down" && x.body.stream === "doomed"),
      20_000,
      "doomed's down alert",
    );
    const tKill = Date.now();
    await f.kill(victim);
    const lost = all.filter((n) => owners[n] === victim);
    console.log(`  killed ${victim} (owned ${lost.length}: ${lost.join(" ")})`);

    const after = await f.settled(all, { ms: 20_000 });
    for (const n of all) assert(survivors.includes(after[n]), `${n} is owned by ${after[n]}`);
    // Every stream of the dead node is checked again by a survivor; one round after that, too.
    const bound = (LEASE_S + RENEW_S + HEARTBEAT_S) * 1000;
    const firstBySurvivor = await f.firstChecks(lost, {
      since: tKill,
      by: survivors,
      ms: bound + 10_000,
    });
    const takeover = Math.max(...firstBySurvivor.values()) - tKill;
    console.log(`  all its streams checked again ${takeover} ms after kill -9 (bound ${bound} ms)`);
    assert(takeover <= bound + SLACK_MS, `takeover took ${takeover} ms`);

    // The recovery is sent once, by the new owner.
    doomed = await startReplayServer({ port: doomedPort });
    await hook.until(
      (r) => r.some((x) => x.body.event === "resolved" && x.body.stream === "doomed"),
      20_000,
      "doomed's recovery",
    );
    await delay(3 * HEARTBEAT_S * 1000); // anything doubled arrives too
    const events = hook.received.map((r) => `${r.body.event} ${r.body.stream}`);
    assertEquals(events, ["down doomed", "resolved doomed"]);
    const perKey = new Map<string, number>();
    for (const r of hook.received) {
      const key = `${r.body.key ?? r.body.stream}|${r.body.event}`;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    for (const [k, n] of perKey) assertEquals(n, 1, `deliveries of ${k}`);

    // History, read through a survivor's API: the takeover gap is the only one, and it is bounded.
    const from = tKill - 5_000;
    let worstSteady = 0;
    let worstAfter = 0;
    let worstTakeover = 0;
    for (const n of names) {
      const ts = await historyTimes(f, survivors[0], n, from);
      assert(ts.length >= 5, `${n}: ${ts.length} checks in history since ${from}`);
      if (lost.includes(n)) {
        const first = firstBySurvivor.get(n)!;
        const before = ts.filter((t) => t < first);
        const since = ts.filter((t) => t >= first);
        worstTakeover = Math.max(worstTakeover, first - (before.at(-1) ?? from));
        worstAfter = Math.max(worstAfter, maxGap(since));
      } else {
        worstSteady = Math.max(worstSteady, maxGap(ts));
      }
    }
    console.log(
      `  history gaps: takeover ${worstTakeover} ms (bound ${bound} ms), ` +
        `after it ${worstAfter} ms, other streams ${worstSteady} ms (heartbeat ${
          HEARTBEAT_S * 1000
        } ms)`,
    );
    assert(worstTakeover <= bound + SLACK_MS, `takeover gap ${worstTakeover} ms`);
    assert(worstSteady <= HEARTBEAT_S * 1000 + SLACK_MS, `a gap of ${worstSteady} ms`);
    assert(worstAfter <= HEARTBEAT_S * 1000 + SLACK_MS, `a gap of ${worstAfter} ms after takeover`);

    // Doubled checks: one stream checked by two live nodes less than half a heartbeat apart (a
    // new owner's at-once check followed by its own random slot is one node: not a double).
    let doubled = 0;
    const rows = await f.checks({ since: tKill - 5_000 });
    const last = new Map<string, { ts: number; node: string | null }>();
    for (const r of rows) {
      const prev = last.get(r.stream);
      const twoLive = prev && prev.node !== r.node && prev.node !== victim;
      if (twoLive && r.ts - prev.ts < HEARTBEAT_S * 500) doubled++;
      last.set(r.stream, r);
    }
    console.log(`  checks doubled (two nodes, < ½ heartbeat apart) around the kill: ${doubled}`);
    assertEquals(doubled, 0, "a stream checked by two nodes at once");

    // The dead node comes back on its data dir: the same three nodes, the same owners, no alert.
    await f.restart(victim);
    assertEquals(await f.settled(all), owners);
    await delay(2 * HEARTBEAT_S * 1000);
    assertEquals(hook.received.length, 2, "alerts after the rejoin");
  } finally {
    await fleet?.stop();
    await hook.stop();
    await Promise.all([cams.close(), doomed.close()]);
  }
});
