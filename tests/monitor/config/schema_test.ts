/** The schema's outputs: config.schema.json and the README block are current; files validate. */

import { assert, assertEquals } from "../../assert.ts";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { configJsonSchemaText, parseConfig } from "../../../monitor/config/mod.ts";
import { configReferenceMarkdown, END, START } from "../../../scripts/gen_config_docs.ts";

const ROOT = new URL("../../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));
const COMPAT = "tests/fixtures/compat/v2.2/config.yaml";

/** The shipped config.yaml with its commented examples (streams, alerts) switched on. */
function uncommented(text: string): string {
  return text.replace("streams: []", "streams:").split("\n")
    .map((l) => /^# (alerts:|- | {2})/.test(l) ? l.slice(2) : l).join("\n");
}

async function validator() {
  const ajv = new Ajv({ allErrors: true });
  ajv.addKeyword("x-default");
  return ajv.compile(JSON.parse(await read("config.schema.json")));
}

Deno.test("config.schema.json is what configJsonSchemaText() makes (run `deno task schema`)", async () => {
  assertEquals(await read("config.schema.json"), configJsonSchemaText());
});

Deno.test("the README's configuration reference is the generated block (run `deno task schema`)", async () => {
  const readme = await read("README.md");
  const block = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
  assertEquals(block, configReferenceMarkdown());
});

Deno.test("the README's generated block names every key of the schema", () => {
  const block = configReferenceMarkdown();
  for (const key of ["`defaults.freeze_seconds`", "`streams[].id`", "`mqtt.api_status_url`"]) {
    assert(block.includes(key), key);
  }
  for (const key of ["`alerts.channels[type=email].to`", "`alerts.maintenance[].cron`"]) {
    assert(block.includes(key), key);
  }
});

Deno.test("config.yaml's first line points editors at config.schema.json", async () => {
  assertEquals(
    (await read("config.yaml")).split("\n")[0],
    "# yaml-language-server: $schema=./config.schema.json",
  );
});

Deno.test("config.schema.json accepts the shipped config.yaml, its examples and the Python release's", async () => {
  const validate = await validator();
  const shipped = await read("config.yaml");
  const examples = uncommented(shipped);
  assert(examples.includes("\nalerts:\n") && examples.includes("- name: Front door"));
  for (const [what, text] of [["shipped", shipped], ["examples", examples]]) {
    assert(validate(parse(text)), `${what}: ${JSON.stringify(validate.errors)}`);
    assertEquals(parseConfig(text).warnings, [], what);
  }
  const legacy = await read(COMPAT);
  assert(validate(parse(legacy)), JSON.stringify(validate.errors));
  assertEquals(parseConfig(legacy).warnings, []);
});

Deno.test("config.schema.json rejects a typo, a wrong type and a missing url", async () => {
  const validate = await validator();
  const bad = (text: string) => !validate(parse(text));
  assert(bad("streams:\n- {name: a, url: rtsp://h/a, frezee_seconds: 3}\n"));
  assert(bad("heartbeat_seconds: fast\n"));
  assert(bad("streams:\n- {name: a}\n"));
  assert(bad("mqtt: {enable: true}\n"));
  assert(bad("alerts:\n  channels: [{name: a, type: ntfy, url: 'https://n/x', prio: 3}]\n"));
  assert(
    !bad(
      "defaults: {interval_seconds: 30, tags: [a]}\nstreams:\n- {name: a, url: rtsp://h/a, id: a-1}\n",
    ),
  );
});
