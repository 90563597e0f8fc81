/** parseConfig()'s fleet keys: `database:` (never quoted) and `node:` (defaults, lease rules). */

import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { ConfigError, formatProblem, parseConfig } from "../../../monitor/config/parse.ts";
import { judgeReload } from "../../../monitor/config/guard.ts";
import { createConfigHolder } from "../../../monitor/config/holder.ts";
import type { Logger } from "../../../monitor/log.ts";

const SECRET = "s3cr3t-pw";
const host = { hostname: () => "host-1" };

function problems(text: string): string[] {
  const err = assertThrows(() => parseConfig(text, host), ConfigError);
  return err.problems.map(formatProblem);
}

Deno.test("parseConfig() gives `node` its defaults, named after the host, and no database", () => {
  const c = parseConfig("streams: []\n", host);
  assertEquals(c.node, { name: "host-1", site: "default", leaseMs: 5000, renewMs: 1000 });
  assertEquals("database" in c, false);
});

Deno.test("parseConfig() reads `database:` and `node:` of a fleet node", () => {
  const c = parseConfig(
    `database: postgres://sp:${SECRET}@db.example:5432/sp\n` +
      "node: {name: site-a-1, site: site-a, lease_seconds: 2.5, renew_seconds: 0.5}\n",
    host,
  );
  assertEquals(c.database, `postgres://sp:${SECRET}@db.example:5432/sp`);
  assertEquals(c.node, { name: "site-a-1", site: "site-a", leaseMs: 2500, renewMs: 500 });
  assertEquals(c.warnings, []);
  assertEquals(parseConfig("database: postgresql://db/sp\n", host).database, "postgresql://db/sp");
});

Deno.test("parseConfig() refuses a database URL that is not PostgreSQL's without quoting it", () => {
  for (
    const url of [
      `mysql://root:${SECRET}@db/sp`,
      `root:${SECRET}@db/sp`,
      `postgres://:${SECRET}@/sp`,
      `postgres:root:${SECRET}@db/sp`,
    ]
  ) {
    const err = assertThrows(() => parseConfig(`database: ${url}\n`, host), ConfigError);
    assertEquals(err.problems.map((p) => p.path), ["database"], url);
    assert(!err.message.includes(SECRET), err.message);
    assert(!err.message.includes("root"), err.message);
  }
  assertEquals(problems("database: 5432\n"), [
    "database: must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@host/db",
  ]);
  assertEquals(problems("database: ''\n")[0].startsWith("database: is empty"), true);
});

Deno.test("parseConfig() names each impossible `node:` setting at its YAML path", () => {
  assertEquals(problems("node: {lease_seconds: 1.5, renew_seconds: 1}\n"), [
    "node.lease_seconds: lease_seconds (1.5) must be more than twice renew_seconds (1): " +
    "one late renewal would end the lease",
  ]);
  assertEquals(problems("node: {renew_seconds: 3}\n"), [
    "node.renew_seconds: lease_seconds (5) must be more than twice renew_seconds (3): " +
    "one late renewal would end the lease",
  ]);
  assertEquals(problems("node: {lease_seconds: 0.1}\n"), [
    "node.lease_seconds: must be at least 0.2, got 0.1",
  ]);
  assertEquals(problems("node: {name: '', site: [a]}\n"), [
    "node.name: must not be empty (remove the key for the default)",
    "node.site: must be a string, got a list",
  ]);
  assertEquals(parseConfig("node: {nmae: x}\n", host).warnings.map(formatProblem), [
    'node.nmae: unknown key — did you mean "name"?',
  ]);
});

Deno.test("judgeReload() refuses a changed database, and in fleet mode a changed node", () => {
  const db = (url: string, node = "{name: a}") =>
    parseConfig(`database: ${url}\nnode: ${node}\n`, host);
  const a = db(`postgres://u:${SECRET}@h1/sp`);
  const moved = judgeReload(a, db(`postgres://u:${SECRET}@h2/sp`)).refuse;
  assertEquals(moved.map((p) => p.path), ["database"]);
  assert(!JSON.stringify(moved).includes(SECRET));
  const renamed = judgeReload(a, db(`postgres://u:${SECRET}@h1/sp`, "{name: b, lease_seconds: 9}"));
  assertEquals(renamed.refuse.map(formatProblem), [
    'node.name: changed from "a" to "b"; read at start only: put it back, or restart ' +
    "StreamPulse to use the new value",
    "node.lease_seconds: changed from 5 to 9; read at start only: put it back, or restart " +
    "StreamPulse to use the new value",
  ]);
  const solo = (node: string) => parseConfig(`node: ${node}\n`, host);
  assertEquals(judgeReload(solo("{name: a}"), solo("{name: b}")).refuse, [], "SQLite: unused");
});

Deno.test("createConfigHolder() never lets the logger print the database URL or its password", () => {
  const secrets: string[] = [];
  const logger = {
    debug() {},
    info() {},
    warn() {},
    error() {},
    addSecret: (s: string | null | undefined) => void (s && secrets.push(s)),
  };
  const url = `postgres://sp:${encodeURIComponent("p@ss/" + SECRET)}@db/sp`;
  createConfigHolder({
    path: "config.yaml",
    initial: parseConfig(`database: "${url}"\n`, host),
    logger: logger as unknown as Logger,
    bus: { emit() {} },
    onApply() {},
  });
  assert(secrets.includes(url), "the whole URL");
  assert(secrets.includes("p@ss/" + SECRET), "the password as decoded");
  assert(secrets.includes(encodeURIComponent("p@ss/" + SECRET)), "the password as written");
});
