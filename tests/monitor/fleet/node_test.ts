/**
 * createFleetNode() on a real PostgreSQL 15: nodes split the streams evenly and disjointly, a
 * leaving or dead node's streams move to the others, a node that cannot renew stops acting
 * before its row expires, and the mirror brings other nodes' rows (and only theirs) in. The
 * engine is an in-test recorder of setOwned/observe (the FleetMonitor slice); takeover_test.ts
 * runs the real engine.
 */

import postgres from "postgres";
import type { Sql } from "postgres";
import { assert, assertEquals } from "../../assert.ts";
import { startPostgres } from "../../fixtures/postgres.ts";
import {
  createPostgresWriter,
  listenCurrent,
  migratePostgres,
  readCurrent,
} from "../../../monitor/store/postgres/mod.ts";
import {
  type AssignedStream,
  createFleetNode,
  type FleetRuntime,
  type FreshState,
  type LeaseConfig,
  type MembershipSql,
  type RemoteStatus,
} from "../../../monitor/fleet/mod.ts";

const SHORT: LeaseConfig = { ttlMs: 1500, renewEveryMs: 300, safetyMs: 400 };
const SILENT = { info: () => {}, warn: () => {} };

const connect = (url: string): Sql =>
  postgres(url, { max: 3, onnotice: () => {}, connect_timeout: 3, backoff: () => 0.1 });

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const streams = (n: number, over: Partial<AssignedStream> = {}): AssignedStream[] =>
  Array.from({ length: n }, (_, i) => ({ name: `cam-${i}`, enabled: true, ...over }));

/** A fleet node with a recording engine slice. */
interface Member {
  name: string;
  node: FleetRuntime;
  owned: Set<string>;
  /** The size of every owned set given, in order. */
  sizes: number[];
  /** When `owned` last changed. */
  changedAt: number;
  fresh: Map<string, FreshState>[];
  observed: Array<[string, RemoteStatus, string]>;
  stop: AbortController;
  done: Promise<void>;
}

function join(
  sql: Sql,
  name: string,
  opts: {
    site?: string;
    lease?: LeaseConfig;
    list?: () => AssignedStream[];
    membershipSql?: MembershipSql;
    pollMs?: number;
    now?: () => number;
    tickMs?: number;
  } = {},
): Member {
  const all = opts.list ?? (() => STREAMS);
  const m = {
    name,
    owned: new Set<string>(),
    sizes: [],
    changedAt: 0,
    fresh: [],
    observed: [],
  } as unknown as Member;
  m.stop = new AbortController();
  m.node = createFleetNode({
    sql: opts.membershipSql ?? sql,
    node: { name, site: opts.site ?? "default" },
    lease: opts.lease ?? SHORT,
    streams: all,
    monitor: {
      setOwned(owned, fresh) {
        m.owned = new Set(owned ?? []);
        m.sizes.push(m.owned.size);
        m.changedAt = Date.now();
        if (fresh && fresh.size > 0) m.fresh.push(fresh);
      },
      observe: (n, status, node) => void m.observed.push([n, status, node]),
    },
    readCurrent: (seq) => readCurrent(sql, seq),
    listenCurrent: (onNotify, onListen) => listenCurrent(sql, onNotify, onListen),
    logger: SILENT,
    mirror: { pollMs: opts.pollMs ?? 1000 },
    now: opts.now,
    tickMs: opts.tickMs,
  });
  m.done = m.node.run(m.stop.signal);
  return m;
}

const STREAMS = streams(300);

async function halt(members: Member[]): Promise<void> {
  for (const x of members) x.stop.abort();
  await Promise.all(members.map((x) => x.done));
}

/** Every enabled stream owned by exactly one of `members`. */
function disjointCover(members: Member[], list: AssignedStream[] = STREAMS): boolean {
  const seen = new Set<string>();
  for (const m of members) {
    for (const n of m.owned) {
      if (seen.has(n)) return false;
      seen.add(n);
    }
  }
  return list.filter((s) => s.enabled).every((s) => seen.has(s.name)) &&
    seen.size === list.filter((s) => s.enabled).length;
}

Deno.test("createFleetNode() on a real PostgreSQL (one server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = connect(pg.url);
  let dbs = 0;
  const conns: Sql[] = [];
  const freshDb = async (): Promise<Sql> => {
    const name = `f${++dbs}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const sql = connect(pg.url.replace(/\/sp$/, `/${name}`));
    conns.push(sql);
    await migratePostgres(sql);
    return sql;
  };
  try {
    await t.step("three nodes split the streams evenly and disjointly", async () => {
      const sql = await freshDb();
      const list = [...STREAMS, { name: "off", enabled: false }];
      const all = ["n1", "n2", "n3"].map((n) => join(sql, n, { list: () => list }));
      try {
        await until(
          "a disjoint cover by three",
          () => disjointCover(all, list) && all.every((m) => m.node.health().nodes.length === 3),
        );
        for (const m of all) assert(m.owned.size > 60, `${m.name} owns ${m.owned.size}`);
        assert(all.every((m) => !m.owned.has("off")), "a disabled stream is nobody's");
        const [h1, h2, h3] = all.map((m) => m.node.health());
        assertEquals(h2.owners, h1.owners);
        assertEquals(h3.owners, h1.owners);
        assertEquals(h1.owners["off"], null);
        assertEquals(
          h1.nodes.map((n) => [n.name, n.site, n.streams]),
          all.map((m) => [m.name, "default", m.owned.size]),
        );
        for (const m of all) {
          const h = m.node.health();
          assertEquals([h.node, h.site, h.acting, h.lastError], [
            m.name,
            "default",
            true,
            undefined,
          ]);
          assert(h.leaseUntil! > Date.now());
          assert(m.node.mayAct());
          for (const n of m.owned) {
            assertEquals([m.node.owns(n), m.node.ownerOf(n)], [true, m.name]);
          }
        }
        // Nothing about the database's address in what health pages show.
        assert(!JSON.stringify(h1).includes(String(pg.port)));
      } finally {
        await halt(all);
      }
    });

    await t.step(
      "streams follow their site, and a site with no live node falls back to the fleet",
      async () => {
        const sql = await freshDb();
        const list = [
          ...streams(30, { site: "site-a" }).map((s) => ({ ...s, name: `a-${s.name}` })),
          ...streams(30, { site: "site-b" }).map((s) => ({ ...s, name: `b-${s.name}` })),
          ...streams(30, { site: "site-c" }).map((s) => ({ ...s, name: `c-${s.name}` })),
        ];
        const a1 = join(sql, "a1", { site: "site-a", list: () => list });
        const a2 = join(sql, "a2", { site: "site-a", list: () => list });
        const b1 = join(sql, "b1", { site: "site-b", list: () => list });
        const all = [a1, a2, b1];
        try {
          // Until b1 is live, site-b's streams are checked from site-a (the fallback); then they
          // move to b1.
          const bOfB1 = () => [...b1.owned].filter((n) => n.startsWith("b-")).length;
          await until("a disjoint cover", () => disjointCover(all, list) && bOfB1() === 30);
          for (const n of b1.owned) assert(!n.startsWith("a-"), `b1 owns ${n}`);
          for (const n of [...a1.owned, ...a2.owned]) assert(!n.startsWith("b-"), `a owns ${n}`);
          // site-c has no node: its streams are spread over the whole fleet, not dropped.
          const c = (m: Member) => [...m.owned].filter((n) => n.startsWith("c-")).length;
          assertEquals(c(a1) + c(a2) + c(b1), 30);
          assert(all.every((m) => c(m) > 0), `c split ${all.map(c)}`);
        } finally {
          await halt(all);
        }
      },
    );

    await t.step(
      "a node that leaves hands its streams over at once; one that dies within ttl + renew",
      async () => {
        const sql = await freshDb();
        const long: LeaseConfig = { ttlMs: 20_000, renewEveryMs: 300, safetyMs: 2000 };
        const all = ["n1", "n2", "n3"].map((n) => join(sql, n, { lease: long }));
        const [n1, n2, n3] = all;
        try {
          await until("three nodes", () => disjointCover(all));
          const kept1 = new Set(n1.owned);
          await n3.node.leave();
          await n3.done;
          assertEquals(n3.owned.size, 0, "it gave every stream up");
          assertEquals(n3.node.mayAct(), false);
          const left = Date.now();
          // A 20 s TTL: a handover within 5 s proves the row went, not that it expired.
          await until("n1 and n2 to own everything", () => disjointCover([n1, n2]), 5000);
          const took = Math.max(n1.changedAt, n2.changedAt) - left;
          assert(took < 2 * long.renewEveryMs + 500, `handover took ${took} ms`);
          for (const s of kept1) assert(n1.owned.has(s), `n1 kept ${s}`);
        } finally {
          await halt(all);
        }

        const sql2 = await freshDb();
        const short = ["d1", "d2", "d3"].map((n) => join(sql2, n));
        const [d1, d2, d3] = short;
        try {
          await until("three nodes", () => disjointCover(short));
          d3.stop.abort(); // dies: no more renewals, no leave()
          await d3.done;
          const died = Date.now();
          await until("d1 and d2 to own everything", () => disjointCover([d1, d2]), 10_000);
          const took = Math.max(d1.changedAt, d2.changedAt) - died;
          assert(took <= SHORT.ttlMs + SHORT.renewEveryMs + 300, `takeover took ${took} ms`);
        } finally {
          await halt(short);
        }
      },
    );

    await t.step("a node whose renewals fail stops acting before its row expires", async () => {
      const sql = await freshDb();
      let broken = false;
      // Its own connection to the database goes bad; the others' stays fine.
      const flaky: MembershipSql = (strings, ...values) =>
        broken
          ? Promise.reject(new Error("connect to postgres://sp:s3cret@127.0.0.1:5432/sp refused"))
          : sql(strings, ...values);
      const n1 = join(sql, "n1");
      const n2 = join(sql, "n2", { membershipSql: flaky });
      try {
        await until("two nodes", () => disjointCover([n1, n2]) && n2.owned.size > 0);
        broken = true;
        await until("n2 to give up its streams", () => n2.owned.size === 0, 5000);
        const fencedAt = Date.now();
        assertEquals(n2.node.mayAct(), false);
        const h = n2.node.health();
        assertEquals(h.acting, false);
        assert(h.lastError?.includes("renewal failed"), h.lastError);
        assert(!h.lastError?.includes("s3cret"), `the error shows no password: ${h.lastError}`);
        // Its row is still alive by the database's clock: n2 stopped before anyone could take over.
        const [row] = await sql`SELECT lease_until::float8 AS u,
          (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now FROM sp_node WHERE name = 'n2'`;
        assert(row.u > row.now, `n2 stopped ${row.now - row.u} ms after its row expired`);
        assert(n1.owned.size < STREAMS.length, "n1 has not taken over yet");
        await until("n1 to own everything", () => n1.owned.size === STREAMS.length, 5000);
        assert(n1.changedAt >= fencedAt, "n1 took over only after n2 had stopped");
        broken = false;
        await until("n2 to act again", () => disjointCover([n1, n2]) && n2.owned.size > 0, 10_000);
      } finally {
        await halt([n1, n2]);
      }
    });

    await t.step(
      "the mirror brings other nodes' rows in within a moment, never this node's own",
      async () => {
        const sql = await freshDb();
        const list = streams(2).map((s, i) => ({ ...s, name: ["x", "y"][i] }));
        // pollMs 5 s: a row seen within 1 s came through LISTEN/NOTIFY, not the poll.
        const a = join(sql, "node-a", { list: () => list, pollMs: 5000 });
        const b = join(sql, "node-b", { list: () => list, pollMs: 5000 }); // live: it has a lag
        const wb = createPostgresWriter(sql, { now: Date.now, logger: SILENT, node: "node-b" });
        const wa = createPostgresWriter(sql, { now: Date.now, logger: SILENT, node: "node-a" });
        try {
          await wb.ensureStream("x", "rtsp");
          await wa.ensureStream("y", "rtsp");
          await until("node-a acting", () => a.node.mayAct());
          await new Promise((r) => setTimeout(r, 300)); // the first full read is done
          a.observed.length = 0;
          const ts = Date.now();
          const sent = Date.now();
          wa.recordCheck("y", {
            ts,
            ok: true,
            state: "up",
            latencyMs: 3,
            message: "own",
            details: {},
          });
          await wa.flush();
          wb.recordCheck("x", {
            ts,
            ok: false,
            state: "down",
            latencyMs: 4,
            message: "b saw",
            details: {},
          });
          wb.recordStateChange({ name: "x", from: "unknown", to: "down", ts, cause: "b saw" });
          await wb.flush();
          await until("x observed", () => a.observed.some(([n]) => n === "x"), 5000);
          assert(Date.now() - sent < 1000, `mirrored after ${Date.now() - sent} ms`);
          const [name, status, node] = a.observed.find(([n]) => n === "x")!;
          assertEquals([name, node, status.state, status.since, status.failStreak], [
            "x",
            "node-b",
            "down",
            ts,
            1,
          ]);
          assertEquals(status.last?.message, "b saw");
          assertEquals(a.observed.filter(([n]) => n === "y"), [], "its own row is not observed");
          await until("node-b live for node-a", () => a.node.health().nodes.length === 2);
          const lag = a.node.health().lagMs;
          assertEquals(Object.keys(lag), ["node-b"]);
          assert(lag["node-b"] >= 0 && lag["node-b"] < 5000, JSON.stringify(lag));
        } finally {
          await wa.close();
          await wb.close();
          await halt([a, b]);
        }
      },
    );

    await t.step(
      "a node that wakes past its lease acts on nothing until it has given its streams up",
      async () => {
        const sql = await freshDb();
        // n2's clock jumps as if the process had been paused for a TTL (SIGSTOP, a frozen VM).
        let paused = 0;
        const n1 = join(sql, "n1");
        // Ticks 3 s apart: on waking, a renewal succeeds well before n2 looks at its share again.
        const n2 = join(sql, "n2", { now: () => Date.now() + paused, tickMs: 3000 });
        try {
          await until(
            "two nodes",
            () => disjointCover([n1, n2]) && n1.owned.size > 0 && n2.owned.size > 0,
          );
          const share = n2.owned.size;
          n2.sizes.length = 0;
          const renewed = n2.node.health().leaseUntil!;
          paused = SHORT.ttlMs + 100;
          assertEquals(n2.node.mayAct(), false, "it may not act the moment it wakes");
          await until(
            "a renewal after waking",
            () => n2.node.health().leaseUntil! > renewed + paused,
          );
          assertEquals(n2.node.mayAct(), false, "nor once renewed, with its old share");
          await until("n2 to give everything up", () => n2.sizes.includes(0), 5000);
          // It never acted on its old share after waking: the first owned set it gave was empty.
          assertEquals(n2.sizes[0], 0, `owned sets after waking: ${n2.sizes}`);
          await until("n2 back with its share", () => n2.owned.size === share, 10_000);
          assert(n2.node.mayAct());
        } finally {
          await halt([n1, n2]);
        }
      },
    );

    await t.step("reassign() splits a changed stream list again", async () => {
      const sql = await freshDb();
      let list = streams(10);
      const a = join(sql, "n1", { list: () => list });
      try {
        await until("n1 owns 10", () => a.owned.size === 10);
        list = streams(25);
        a.node.reassign();
        await until("n1 owns 25", () => a.owned.size === 25, 2000);
        assertEquals(a.node.ownerOf("cam-24"), "n1");
      } finally {
        await halt([a]);
      }
    });
  } finally {
    for (const c of conns) await c.end({ timeout: 1 });
    await admin.end({ timeout: 1 });
    await pg.stop();
  }
});
