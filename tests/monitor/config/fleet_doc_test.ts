/** sharedPart(), mergeFleetConfig(), ignoredFileKeys(): the two halves of a fleet node's config. */

import { assert, assertEquals } from "../../assert.ts";
import {
  ignoredFileKeys,
  mergeFleetConfig,
  NODE_LOCAL_KEYS,
  parseConfig,
  sharedPart,
} from "../../../monitor/config/mod.ts";

const FILE = `# yaml-language-server: $schema=./config.schema.json

heartbeat_seconds: 15
# where the fleet's database is
database: postgres://sp:pw@db:5432/sp
node: {name: a-1, site: a}
# the cameras of site a
streams:
  - name: Gate # the north gate
    url: rtsp://cam/gate
    site: a
api: {port: 7001}
web:
  port: 8001
mqtt: {enabled: false}
`;

Deno.test("NODE_LOCAL_KEYS are database, node, api and web", () => {
  assertEquals([...NODE_LOCAL_KEYS], ["database", "node", "api", "web"]);
});

Deno.test("sharedPart() drops the node-local keys and keeps comments and order", () => {
  assertEquals(
    sharedPart(FILE),
    `# yaml-language-server: $schema=./config.schema.json

heartbeat_seconds: 15
# the cameras of site a
streams:
  - name: Gate # the north gate
    url: rtsp://cam/gate
    site: a
mqtt: { enabled: false }
`,
  );
  assert(!sharedPart(FILE).includes("pw@"), "the database password never reaches the document");
});

Deno.test("sharedPart() of a file with only node-local keys is empty", () => {
  assertEquals(sharedPart("database: postgres://db/sp\nnode: {name: a}\n"), "");
  assertEquals(sharedPart(""), "");
});

Deno.test("sharedPart() returns text that is not a YAML mapping unchanged, for the loader", () => {
  assertEquals(sharedPart("a: b: c\n"), "a: b: c\n");
  assertEquals(sharedPart("- a\n- b\n"), "- a\n- b\n");
});

Deno.test("mergeFleetConfig() lays the file's node-local keys over the shared document", () => {
  const shared =
    "heartbeat_seconds: 20\napi: {port: 9999}\nstreams:\n  - {name: X, url: rtsp://h/x}\n";
  const merged = mergeFleetConfig(shared, FILE);
  const c = parseConfig(merged);
  assertEquals(c.heartbeatSeconds, 20, "the shared document's value, not the file's 15");
  assertEquals(c.api.port, 7001, "the file's api, not the shared document's");
  assertEquals(c.web.port, 8001);
  assertEquals(c.database, "postgres://sp:pw@db:5432/sp");
  assertEquals(c.node.name, "a-1");
  assertEquals(c.streams.map((s) => s.name), ["X"]);
  assertEquals(c.mqtt.enabled, false, "mqtt is the shared document's (absent: default off)");
  assertEquals(merged.split("\n")[0], "database: postgres://sp:pw@db:5432/sp");
});

Deno.test("mergeFleetConfig() of an empty shared document is the node-local keys alone", () => {
  const c = parseConfig(mergeFleetConfig("", FILE));
  assertEquals(c.streams, []);
  assertEquals(c.node.site, "a");
  assertEquals(c.heartbeatSeconds, 10, "the file's heartbeat_seconds is not used");
});

Deno.test("mergeFleetConfig() hands back the broken half unchanged so its lines are right", () => {
  assertEquals(mergeFleetConfig("streams: [\n", FILE), "streams: [\n");
  assertEquals(mergeFleetConfig("streams: []\n", "node: {\n"), "node: {\n");
});

Deno.test("mergeFleetConfig() resolves aliases of the file instead of copying them", () => {
  const file = "x: &n {name: a-1}\nnode: *n\n";
  assertEquals(parseConfig(mergeFleetConfig("streams: []\n", file)).node.name, "a-1");
});

Deno.test("ignoredFileKeys() lists the file's keys fleet mode does not use", () => {
  assertEquals(ignoredFileKeys(FILE), ["heartbeat_seconds", "streams", "mqtt"]);
  assertEquals(ignoredFileKeys("database: postgres://db/sp\n"), []);
  assertEquals(ignoredFileKeys("a: b: c\n"), []);
});
