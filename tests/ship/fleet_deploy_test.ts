/**
 * deploy/fleet: the compose file read as YAML (no Docker engine runs here, see deploy_test.ts) and
 * each node's config.yaml through parseConfig(), exactly as the node would read it.
 */

import { parse as parseYaml } from "yaml";
import { assert, assertEquals } from "../assert.ts";
import { parseConfig } from "../../monitor/config/mod.ts";

const REPO = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const FLEET = `${REPO}deploy/fleet/`;
const NODES = ["node-1", "node-2", "node-3"];
/** The keys a node takes from its own file whatever the shared config says. */
const NODE_LOCAL = ["database", "node", "api", "web"];

type Service = {
  image?: string;
  build?: string;
  hostname?: string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
};

/** The compose file with its `<<` merges applied, as Docker Compose reads it. */
async function compose(): Promise<{ name: string; services: Record<string, Service> }> {
  return parseYaml(await Deno.readTextFile(`${FLEET}docker-compose.yml`), { merge: true });
}

/** `"7001:7001"` → [host, container]. */
const portPair = (p: string) => p.split(":").map(Number) as [number, number];

Deno.test("deploy/fleet/docker-compose.yml runs PostgreSQL 15 and three nodes of the root image", async () => {
  const { services } = await compose();
  assertEquals(Object.keys(services).sort(), ["db", ...NODES]);
  const db = services.db;
  assertEquals(db.image, "postgres:15");
  assert(
    db.healthcheck?.test.join(" ").includes("pg_isready"),
    "the database says when it is ready",
  );
  const root = parseYaml(await Deno.readTextFile(`${REPO}docker-compose.yml`));
  const hostPorts = new Set<number>();
  for (const name of NODES) {
    const s = services[name];
    assertEquals(s.image, root.services.streampulse.image, `${name}: the same image`);
    assertEquals(s.build, "../..", `${name}: built from the root Dockerfile`);
    await Deno.stat(`${FLEET}${s.build}/Dockerfile`);
    assertEquals(s.hostname, name);
    assertEquals(s.healthcheck?.test, ["CMD", "/usr/local/bin/streampulse", "healthcheck"]);
    assertEquals(s.depends_on?.db, { condition: "service_healthy" });
    if (name !== "node-1") {
      assertEquals(s.depends_on?.["node-1"], { condition: "service_healthy" }, "node-1 imports");
    }
    for (const p of s.ports ?? []) {
      const [host] = portPair(p);
      assert(!hostPorts.has(host), `host port ${host} published twice`);
      hostPorts.add(host);
    }
  }
});

Deno.test("each deploy/fleet/node-N/config.yaml validates and matches its service", async () => {
  const { services } = await compose();
  const env = services.db.environment!;
  const names = new Set<string>();
  for (const name of NODES) {
    const s = services[name];
    const mount = s.volumes!.find((v) => v.startsWith(`./${name}/config.yaml:`));
    assert(mount, `${name} mounts its own config.yaml`);
    assertEquals(mount.split(":")[1], s.environment?.STREAMPULSE_CONFIG, "the path it reads");
    const text = await Deno.readTextFile(`${FLEET}${name}/config.yaml`);
    const config = parseConfig(text);
    // The shared database, with the credentials the db service is created with.
    const url = new URL(config.database!);
    assertEquals([url.hostname, url.port, url.pathname], ["db", "5432", `/${env.POSTGRES_DB}`]);
    assertEquals([url.username, url.password], [env.POSTGRES_USER, env.POSTGRES_PASSWORD]);
    assertEquals(config.node.name, name);
    names.add(config.node.name);
    assertEquals(config.node.site, "default");
    // The container publishes exactly the ports the node listens on.
    const published = (s.ports ?? []).map(portPair);
    assertEquals(published.map(([, c]) => c).sort(), [config.api.port, config.web.port].sort());
    for (const [host, container] of published) assertEquals(host, container);
    const keys = Object.keys(parseYaml(text) as Record<string, unknown>);
    if (name === "node-1") {
      assert(config.streams.length >= 3, "node-1 brings the example streams to import");
    } else {
      assertEquals(keys.filter((k) => !NODE_LOCAL.includes(k)), [], `${name}: node-local only`);
      assertEquals(config.streams, []);
    }
  }
  assertEquals(names.size, NODES.length, "node names are unique");
});
