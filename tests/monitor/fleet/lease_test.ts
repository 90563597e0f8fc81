/** The node lease: renewals keep a node acting, a stall or a pause fences it before it is dead. */

import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  createLease,
  fleetLease,
  type Lease,
  LeaseConfigError,
  liveNodes,
  type NodeRow,
} from "../../../monitor/fleet/mod.ts";

const MAX_CHECK_MS = 2_000;
const SKEW_MS = 1_000;
const CONFIG = { ttlMs: 15_000, renewEveryMs: 5_000, safetyMs: MAX_CHECK_MS + SKEW_MS };

/** Renews like the real loop would when due; the store writes `at + ttl`. */
function tick(lease: Lease, now: number, ok = true): number | undefined {
  if (now < lease.nextRenewAt(now)) return undefined;
  if (!ok) {
    lease.onRenewFailed(now);
    return undefined;
  }
  lease.onRenewed(now, now + CONFIG.ttlMs);
  return now + CONFIG.ttlMs;
}

Deno.test("createLease() does not act before its first renewal and asks for one at once", () => {
  const lease = createLease(CONFIG);
  assertEquals(lease.mayAct(1_000), false);
  assertEquals(lease.nextRenewAt(1_000), 1_000);
  assertEquals(lease.status(1_000), {
    acting: false,
    failures: 0,
    actUntil: undefined,
    leaseUntil: undefined,
    renewedAt: undefined,
  });
});

Deno.test("createLease() keeps acting through a minute of on-time renewals", () => {
  const lease = createLease(CONFIG);
  let renewals = 0;
  for (let t = 0; t <= 60_000; t += 100) {
    if (tick(lease, t) !== undefined) renewals++;
    assert(lease.mayAct(t), `not acting at ${t} ms`);
  }
  assertEquals(renewals, 13); // at 0, 5 s, …, 60 s
});

Deno.test("createLease() stops a stalled node at leaseUntil - safetyMs, before others think it dead", () => {
  const lease = createLease(CONFIG);
  const leaseUntil = tick(lease, 0)!;
  // The node keeps running but its renewals fail (store unreachable).
  let lastActing = -1;
  for (let t = 100; t <= 20_000; t += 100) {
    tick(lease, t, false);
    if (lease.mayAct(t)) lastActing = t;
  }
  assertEquals(lastActing, leaseUntil - CONFIG.safetyMs - 100);
  assertEquals(lease.mayAct(leaseUntil - CONFIG.safetyMs - 1), true);
  assertEquals(lease.mayAct(leaseUntil - CONFIG.safetyMs), false);
  assert(lease.status(20_000).failures > 10);
  // Another node whose clock runs SKEW_MS ahead still sees the row alive while the last check
  // this node started can still be running: ownership overlaps by at most that one check.
  const rows: NodeRow[] = [{ name: "a", site: "default", leaseUntil }];
  for (let t = 0; t < leaseUntil; t += 50) {
    if (!lease.mayAct(t)) continue;
    const othersNow = t + MAX_CHECK_MS + SKEW_MS - 1;
    assertEquals(liveNodes(rows, othersNow), [{ name: "a", site: "default" }], `at ${t} ms`);
  }
  assertEquals(liveNodes(rows, leaseUntil), []);
});

Deno.test("createLease() fences at once after a pause longer than the TTL, until a renewal succeeds", () => {
  const lease = createLease(CONFIG);
  tick(lease, 0);
  assert(lease.mayAct(4_000));
  const wake = 40_000; // SIGSTOP at 4 s, SIGCONT at 40 s: the row expired at 15 s
  assertEquals(lease.mayAct(wake), false);
  assertEquals(lease.nextRenewAt(wake), wake);
  lease.onRenewFailed(wake);
  assertEquals(lease.mayAct(wake + 10), false);
  assertEquals(lease.nextRenewAt(wake + 10), wake + 10);
  lease.onRenewed(wake + 20, wake + 20 + CONFIG.ttlMs);
  assertEquals(lease.mayAct(wake + 30), true);
  assertEquals(lease.status(wake + 30).failures, 0);
});

Deno.test("createLease() retries a failed renewal after a quarter of the interval, window unchanged", () => {
  const lease = createLease(CONFIG);
  tick(lease, 0);
  assertEquals(lease.nextRenewAt(1_000), 5_000);
  lease.onRenewFailed(5_000);
  assertEquals(lease.nextRenewAt(5_000), 6_250);
  assertEquals(lease.status(5_000).actUntil, 12_000);
  assert(lease.mayAct(11_999));
});

Deno.test("createLease() does not let a store clock running ahead lengthen the window", () => {
  const lease = createLease(CONFIG);
  lease.onRenewed(1_000, 1_000 + CONFIG.ttlMs + 30_000);
  assertEquals(lease.status(1_000).actUntil, 1_000 + CONFIG.ttlMs - CONFIG.safetyMs);
  lease.onRenewed(2_000, 2_000 + CONFIG.ttlMs - 4_000); // a store clock behind: its own expiry rules
  assertEquals(lease.status(2_000).actUntil, 2_000 + CONFIG.ttlMs - 4_000 - CONFIG.safetyMs);
});

Deno.test("createLease() stops when the clock steps back past the last renewal and renews at once", () => {
  const lease = createLease(CONFIG);
  tick(lease, 10_000);
  assertEquals(lease.mayAct(9_000), false);
  assertEquals(lease.nextRenewAt(9_000), 9_000);
  lease.onRenewed(9_000, 9_000 + CONFIG.ttlMs);
  assertEquals(lease.mayAct(9_000), true);
});

Deno.test("createLease() rejects times that are not finite", () => {
  const lease = createLease(CONFIG);
  assertThrows(() => lease.onRenewed(0, NaN), RangeError);
  assertThrows(() => lease.onRenewFailed(Infinity), RangeError);
  assertThrows(() => lease.nextRenewAt(NaN), RangeError);
});

Deno.test("createLease() names every impossible setting", () => {
  const bad = (c: Partial<typeof CONFIG>) =>
    assertThrows(() => createLease({ ...CONFIG, ...c }), LeaseConfigError);
  let err = bad({ ttlMs: 0, renewEveryMs: NaN, safetyMs: -1 });
  assertEquals(err.problems.map((p) => p.field), ["ttlMs", "renewEveryMs", "safetyMs"]);
  assert(err.message.includes('ttlMs must be a positive number of ms, got "0"'), err.message);
  err = bad({ safetyMs: 15_000 });
  assertEquals(err.problems, [{
    field: "safetyMs",
    message: "safetyMs (15000) must be below ttlMs (15000): the node could never act",
  }]);
  err = bad({ renewEveryMs: 12_000 });
  assertEquals(err.problems[0].field, "renewEveryMs");
  assert(err.message.includes("must be below ttlMs - safetyMs (12000)"), err.message);
  createLease({ ttlMs: 15_000, renewEveryMs: 11_999, safetyMs: 3_000 });
  createLease({ ttlMs: 1, renewEveryMs: 0.5, safetyMs: 0 });
});

Deno.test("liveNodes() keeps rows alive strictly before leaseUntil, once per name, sorted", () => {
  const rows = [
    { name: "c", site: "north", leaseUntil: 2_000 },
    { name: "a", site: "default", leaseUntil: 1_000 },
    { name: "b", site: "default", leaseUntil: 999 },
    { name: "c", site: "north", leaseUntil: 5_000 },
    { name: "", site: "default", leaseUntil: 9_000 },
    { name: "d", site: "default", leaseUntil: NaN },
  ];
  assertEquals(liveNodes(rows, 999), [
    { name: "a", site: "default" },
    { name: "c", site: "north" },
  ]);
  assertEquals(liveNodes(rows, 1_000), [{ name: "c", site: "north" }]);
  assertEquals(liveNodes(rows, 5_000), []);
});

Deno.test("fleetLease() keeps one second of safety, less for a TTL too short for it", () => {
  assertEquals(fleetLease({ leaseMs: 5000, renewMs: 1000 }), {
    ttlMs: 5000,
    renewEveryMs: 1000,
    safetyMs: 1000,
  });
  // The shortest the config allows (lease above twice the renewal, both at least 0.2 s).
  assertEquals(fleetLease({ leaseMs: 500, renewMs: 200 }).safetyMs, 150);
  createLease(fleetLease({ leaseMs: 401, renewMs: 200 }));
  assertThrows(() => fleetLease({ leaseMs: 200, renewMs: 200 }), LeaseConfigError);
});
