/**
 * Two real engines (createMonitor) sharing a real PostgreSQL 15 through the PostgreSQL writer,
 * each driven by its own createFleetNode(): they split the streams, each shows the other's
 * through the mirror, and when one dies the other takes its streams over from their current
 * state — no second state change, no second incident, no gap beyond the takeover.
 */

import postgres from "postgres";
import type { Sql } from "postgres";
import { assert, assertEquals } from "../../assert.ts";
import { startPostgres } from "../../fixtures/postgres.ts";
import { type BusEvents, createBus } from "../../../monitor/bus.ts";
import { createLogger } from "../../../monitor/log.ts";
import { createMonitor, type Monitor } from "../../../monitor/monitor.ts";
import {
  createPgReads,
  createPostgresWriter,
  listenCurrent,
  migratePostgres,
  readCurrent,
} from "../../../monitor/store/postgres/mod.ts";
import {
  createFleetNode,
  type FleetRuntime,
  type LeaseConfig,
} from "../../../monitor/fleet/mod.ts";
import type { Probe, StreamConfig } from "../../../monitor/types.ts";

const LEASE: LeaseConfig = { ttlMs: 1500, renewEveryMs: 300, safetyMs: 400 };
const SILENT = { info: () => {}, warn: () => {} };

const STREAMS: StreamConfig[] = Array.from({ length: 20 }, (_, i) => ({
  name: `cam-${i}`,
  url: `rtsp://cam.test/${i}`,
  enabled: true,
  intervalSeconds: 1,
  timeoutSeconds: 1,
  tags: [],
  tlsInsecure: false,
}));

/** Every camera is unreachable: each stream goes down once and stays down. */
const refused: Probe = {
  kind: "rtsp",
  check: () => Promise.resolve({ ok: false, latencyMs: 2, message: "refused", details: {} }),
};

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Node {
  name: string;
  monitor: Monitor;
  fleet: FleetRuntime;
  changes: BusEvents["state-change"][];
  closeWriter(): Promise<void>;
  stopMonitor: AbortController;
  stopFleet: AbortController;
  done: Promise<unknown>;
}

async function startNode(sql: Sql, name: string): Promise<Node> {
  const writer = createPostgresWriter(sql, {
    now: Date.now,
    logger: SILENT,
    node: name,
    flushIntervalMs: 50,
  });
  const reads = createPgReads(sql, { beforeRead: async () => void await writer.flush() });
  const bus = createBus((err) => {
    throw err;
  });
  const changes: BusEvents["state-change"][] = [];
  bus.on("state-change", (e) => changes.push(e));
  // The engine asks the fleet node, which is made after it (it drives the engine).
  const late: { fleet?: FleetRuntime } = {};
  const monitor = createMonitor({
    store: {
      ensureStream: (n, kind, id) => writer.queueStream(n, kind, id),
      recordCheck: (n, r) => writer.recordCheck(n, r),
      recordStateChange: (c) => writer.recordStateChange(c),
      lastStates: () => reads.lastStates(),
    },
    bus,
    logger: createLogger({ level: "error", write: () => {} }),
    selectProbe: () => refused,
    maxConcurrent: 10,
    recheckDelayMs: 50,
    restored: await reads.lastStates(),
    owned: new Set(), // a fleet node owns nothing until its first split
    mayAct: () => late.fleet?.mayAct() ?? false,
    node: name,
  });
  monitor.applyStreams(STREAMS);
  const fleet = late.fleet = createFleetNode({
    sql,
    node: { name, site: "default" },
    lease: LEASE,
    streams: () => monitor.streams(),
    monitor,
    readCurrent: (seq) => readCurrent(sql, seq),
    listenCurrent: (onNotify, onListen) => listenCurrent(sql, onNotify, onListen),
    logger: SILENT,
  });
  const stopMonitor = new AbortController();
  const stopFleet = new AbortController();
  const done = Promise.all([monitor.run(stopMonitor.signal), fleet.run(stopFleet.signal)]);
  return {
    name,
    monitor,
    fleet,
    changes,
    closeWriter: () => writer.close(),
    stopMonitor,
    stopFleet,
    done,
  };
}

Deno.test("createFleetNode() with two real engines: split, mirror, and a takeover that continues the state", async () => {
  const pg = await startPostgres();
  const sql = postgres(pg.url, { max: 6, onnotice: () => {}, connect_timeout: 3 });
  const nodes: Node[] = [];
  try {
    await migratePostgres(sql);
    const a = await startNode(sql, "node-a");
    const b = await startNode(sql, "node-b");
    nodes.push(a, b);
    const allDown = async () =>
      (await sql`SELECT count(*)::int AS n FROM sp_stream WHERE state = 'down'`)[0].n === 20;
    const split = () =>
      STREAMS.every((s) => a.monitor.owns(s.name) !== b.monitor.owns(s.name)) &&
      STREAMS.some((s) => b.monitor.owns(s.name)) && STREAMS.some((s) => a.monitor.owns(s.name));
    await until("both nodes own a share", split);
    await until("every stream down in the database", allDown);
    const ofB = STREAMS.map((s) => s.name).filter((n) => b.monitor.owns(n));
    assert(ofB.length > 3 && ofB.length < 17, `node-b owns ${ofB.length}`);

    // Each stream went down once across the fleet: one incident, one state change decided by a
    // node itself (no origin); the other node heard it with the decider's name as origin.
    const incidents = async () =>
      await sql`SELECT s.name, i.node FROM sp_incident i JOIN sp_stream s ON s.id = i.stream_id
        ORDER BY s.name`;
    const before = await incidents();
    assertEquals(new Set(before.map((r) => r.name)).size, 20);
    assertEquals(before.length, 20);
    const own = (n: Node) => n.changes.filter((e) => e.origin === undefined).map((e) => e.name);
    assertEquals([...own(a), ...own(b)].sort(), STREAMS.map((s) => s.name).sort());
    await until(
      "node-a to show node-b's streams down, as node-b's",
      () =>
        ofB.every((n) => a.monitor.status(n)?.state === "down" && a.monitor.owner(n) === "node-b"),
    );

    // node-b dies (after its last flush): no more checks, no more renewals, no leave().
    b.stopMonitor.abort();
    await b.closeWriter();
    const [{ last }] = await sql`SELECT max(c.ts)::float8 AS last FROM sp_check c
      WHERE c.node = 'node-b'`;
    b.stopFleet.abort();
    await b.done;
    const died = Date.now();
    const changesBefore = a.changes.length;
    await until("node-a to own every stream", () => STREAMS.every((s) => a.monitor.owns(s.name)));
    const took = Date.now() - died;
    assert(took <= LEASE.ttlMs + LEASE.renewEveryMs + 500, `takeover took ${took} ms`);
    await until("node-a to check node-b's streams", async () => {
      const [r] = await sql`SELECT count(DISTINCT c.stream_id)::int AS n FROM sp_check c
        JOIN sp_stream s ON s.id = c.stream_id
        WHERE c.node = 'node-a' AND c.ts > ${last} AND s.name IN ${sql(ofB)}`;
      return r.n === ofB.length;
    });
    // node-a went on from node-b's state: still down, a growing fail streak, no new incident,
    // no state change of its own (nothing for alerts to send twice).
    assertEquals((await incidents()).length, 20);
    for (const n of ofB) {
      const st = a.monitor.status(n)!;
      assertEquals(st.state, "down");
      assert(st.failStreak >= 3, `${n}: fail streak ${st.failStreak}`);
    }
    const after = a.changes.slice(changesBefore);
    assertEquals(after.filter((e) => e.origin === undefined), []);
    // Each stream's history goes on: node-a's first check came within the takeover (ttl + renew)
    // and an interval of the stream's last check before node-b died.
    const gaps = await sql`SELECT s.name,
        (min(c.ts) FILTER (WHERE c.node = 'node-a' AND c.ts > ${last})
          - max(c.ts) FILTER (WHERE c.ts <= ${last}))::float8 AS gap
      FROM sp_check c JOIN sp_stream s ON s.id = c.stream_id WHERE s.name IN ${sql(ofB)}
      GROUP BY s.name`;
    assertEquals(gaps.length, ofB.length);
    for (const r of gaps) {
      const most = LEASE.ttlMs + LEASE.renewEveryMs + 1000 + 1500; // + interval + slack for load
      assert(r.gap > 0 && r.gap < most, `${r.name}: history gap ${r.gap} ms`);
    }
    const h = a.fleet.health();
    assertEquals(h.nodes.map((n) => [n.name, n.streams]), [["node-a", 20]]);
    assertEquals(a.monitor.stats().fenced, 0);
  } finally {
    for (const n of nodes) {
      n.stopMonitor.abort();
      n.stopFleet.abort();
    }
    await Promise.all(nodes.map((n) => n.done));
    await Promise.all(nodes.map((n) => n.closeWriter().catch(() => {})));
    await sql.end({ timeout: 1 });
    await pg.stop();
  }
});
