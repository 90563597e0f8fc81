/** Fleet membership against a real PostgreSQL 15: joining, leaving, freezing, a database outage. */

import postgres from "postgres";
import type { Sql } from "postgres";
import { assert, assertEquals } from "../../assert.ts";
import { startPostgres } from "../../fixtures/postgres.ts";
import { migratePostgres } from "../../../monitor/store/postgres/mod.ts";
import {
  createMembership,
  type FleetStream,
  type LeaseConfig,
  type Membership,
  type Owners,
} from "../../../monitor/fleet/mod.ts";

const SHORT: LeaseConfig = { ttlMs: 1500, renewEveryMs: 300, safetyMs: 400 };
const STREAMS: FleetStream[] = Array.from({ length: 300 }, (_, i) => ({ name: `cam-${i}` }));

// npm:postgres waits up to 20 s between reconnects after many failures (`backoff`); an outage
// test needs the client back within a renewal or two of the server.
const connect = (url: string): Sql =>
  postgres(url, { max: 2, onnotice: () => {}, connect_timeout: 3, backoff: () => 0.1 });

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A running member: its membership, loop, last owner map and when that map arrived. */
interface Member {
  m: Membership;
  stop: AbortController;
  done: Promise<void>;
  owners?: Owners;
  changedAt: number;
  lines: string[];
}

function join(sql: Sql, name: string, lease: LeaseConfig): Member {
  const lines: string[] = [];
  const member = { stop: new AbortController(), changedAt: 0, lines } as Member;
  member.m = createMembership({
    sql,
    node: { name, site: "default" },
    lease,
    streams: () => STREAMS,
    logger: { info: (l) => lines.push(l), warn: (l) => lines.push(l) },
    onChange: (o) => {
      member.owners = o;
      member.changedAt = Date.now();
    },
    timeoutMs: 1000,
  });
  member.done = member.m.run(member.stop.signal);
  return member;
}

const ownerSet = (m: Member) => new Set(m.owners?.values() ?? []);
const sees = (m: Member, names: string[]) =>
  ownerSet(m).size === names.length && names.every((n) => ownerSet(m).has(n));

async function halt(members: Member[]): Promise<void> {
  for (const x of members) x.stop.abort();
  await Promise.all(members.map((x) => x.done));
}

Deno.test("createMembership() on a real PostgreSQL (one server for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = connect(pg.url);
  let dbs = 0;
  const conns: Sql[] = [];
  const freshDb = async (): Promise<Sql> => {
    const name = `m${++dbs}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const sql = connect(pg.url.replace(/\/sp$/, `/${name}`));
    conns.push(sql);
    await migratePostgres(sql);
    return sql;
  };
  try {
    await t.step("members see each other and agree on one owner per stream", async () => {
      const sql = await freshDb();
      const all = ["n1", "n2", "n3"].map((n) => join(sql, n, SHORT));
      try {
        await until(
          "all three to see three nodes",
          () => all.every((x) => sees(x, ["n1", "n2", "n3"])),
        );
        const [a, b, c] = all.map((x) => [...x.owners!.entries()].sort());
        assertEquals(a.length, 300);
        assertEquals(b, a);
        assertEquals(c, a);
        const counts = new Map<string, number>();
        for (const [, owner] of a) counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
        assertEquals([...counts.values()].reduce((s, n) => s + n, 0), 300);
        for (const n of ["n1", "n2", "n3"]) {
          assert((counts.get(n) ?? 0) > 50, `${n}: ${counts.get(n)}`);
        }
        const now = Date.now();
        for (const x of all) {
          assert(x.m.mayAct(now), x.m.health().node.name);
          assertEquals(x.m.health().live.map((n) => n.name), ["n1", "n2", "n3"]);
          assertEquals(x.m.health().lastError, undefined);
        }
      } finally {
        await halt(all);
      }
    });

    await t.step(
      "leave() hands its streams to the others within a renewal, not a TTL",
      async () => {
        const sql = await freshDb();
        // A 20 s TTL: seeing the change within 10 s proves the row went, not that it expired.
        const long: LeaseConfig = { ttlMs: 20_000, renewEveryMs: 300, safetyMs: 2_000 };
        const all = ["n1", "n2", "n3"].map((n) => join(sql, n, long));
        const [n1, n2, n3] = all;
        try {
          await until("three nodes", () => all.every((x) => sees(x, ["n1", "n2", "n3"])));
          const before = new Map(n1.owners!);
          await n3.m.leave();
          await n3.done;
          const left = Date.now();
          assertEquals(n3.m.mayAct(left), false);
          assertEquals((await sql`SELECT name FROM sp_node ORDER BY name`).map((r) => r.name), [
            "n1",
            "n2",
          ]);
          await until(
            "the others to drop n3",
            () => sees(n1, ["n1", "n2"]) && sees(n2, ["n1", "n2"]),
            10_000,
          );
          assertEquals([...n1.owners!.entries()].sort(), [...n2.owners!.entries()].sort());
          for (const [key, owner] of before) {
            if (owner !== "n3") {
              assertEquals(n1.owners!.get(key), owner, `${key} kept its owner`);
            } else assert(n1.owners!.get(key) !== "n3");
          }
        } finally {
          await halt(all);
        }
      },
    );

    await t.step("a frozen member is fenced before the others see its row expire", async () => {
      const sql = await freshDb();
      const all = ["n1", "n2", "n3"].map((n) => join(sql, n, SHORT));
      const [n1, n2, n3] = all;
      try {
        await until("three nodes", () => all.every((x) => sees(x, ["n1", "n2", "n3"])));
        n3.stop.abort(); // frozen: no more renewals, no leave()
        await n3.done;
        const s = n3.m.health();
        const row = await sql`SELECT lease_until::float8 AS u FROM sp_node WHERE name = 'n3'`;
        const dbLeaseUntil = Number(row[0].u);
        // Its cut-off comes safetyMs before the expiry it believes, which is no later than the row's.
        assert(s.actUntil! <= s.leaseUntil! - SHORT.safetyMs, JSON.stringify(s));
        assert(s.leaseUntil! <= dbLeaseUntil, `${s.leaseUntil} > row ${dbLeaseUntil}`);
        assert(n3.m.mayAct(s.actUntil! - 1));
        assertEquals(n3.m.mayAct(s.actUntil!), false);
        await until(
          "the others to drop n3",
          () => sees(n1, ["n1", "n2"]) && sees(n2, ["n1", "n2"]),
        );
        // One host, one clock: the others dropped it only once the row had expired by the database.
        for (const x of [n1, n2]) {
          assert(x.changedAt >= dbLeaseUntil, `dropped at ${x.changedAt} < ${dbLeaseUntil}`);
          assertEquals(n3.m.mayAct(x.changedAt), false);
        }
        assertEquals(n1.m.health().live.map((n) => n.name), ["n1", "n2"]);
      } finally {
        await halt(all);
      }
    });

    await t.step("a database outage fences the member and it rejoins afterwards", async () => {
      const sql = await freshDb();
      const n1 = join(sql, "n1", SHORT);
      try {
        await until("n1 to act", () => n1.m.mayAct(Date.now()) && sees(n1, ["n1"]));
        const epoch = n1.m.epoch();
        assertEquals(epoch, 1); // the first renewal began the first unbroken stretch
        await new Promise((r) => setTimeout(r, 3 * SHORT.renewEveryMs));
        assertEquals(n1.m.epoch(), 1, "renewals on time keep the epoch");
        await pg.restart({
          whileDown: async () => {
            await until("a failed renewal", () => n1.m.health().failures >= 1);
            await until("n1 to be fenced", () => !n1.m.mayAct(Date.now()));
            const h = n1.m.health();
            assert(h.lastError?.startsWith("renewal failed"), h.lastError);
            assert(Date.now() >= h.actUntil!, "fenced by the cut-off");
          },
        });
        await until("n1 to act again", () => n1.m.mayAct(Date.now())).catch((err) => {
          throw new Error(
            `${err.message}: ${JSON.stringify(n1.m.health())}\n${n1.lines.join("\n")}`,
          );
        });
        const h = n1.m.health();
        assertEquals(h.failures, 0);
        assertEquals(h.lastError, undefined);
        assertEquals(h.live.map((n) => n.name), ["n1"]);
        assert(n1.lines.some((l) => l.includes("renewals recovered")), n1.lines.join("\n"));
        assertEquals([n1.m.epoch(), h.epoch], [2, 2], "the break began a new epoch");
      } finally {
        await halt([n1]);
      }
    });
  } finally {
    for (const c of conns) await c.end();
    await admin.end();
    await pg.stop();
  }
});
