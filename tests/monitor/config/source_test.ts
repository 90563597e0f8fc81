/** fileConfigSource(): the dashboard's edits of config.yaml, as editConfigFile makes them. */

import { assertEquals, assertRejects } from "../../assert.ts";
import { ConfigConflictError, ConfigError, fileConfigSource } from "../../../monitor/config/mod.ts";

async function withFile(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/config.yaml`, text);
    await fn(`${dir}/config.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("fileConfigSource() edits config.yaml keeping comments, and refuses a moved file", async () => {
  await withFile("# mine\nheartbeat_seconds: 10 # why\n", async (path) => {
    const source = fileConfigSource(path);
    assertEquals(source.kind, "file");
    const before = await source.read();
    const after = await source.edit((d) => d.set("heartbeat_seconds", 20), before);
    assertEquals(after, "# mine\nheartbeat_seconds: 20 # why\n");
    assertEquals(await Deno.readTextFile(path), after);
    await assertRejects(
      () => source.edit((d) => d.set("timezone", "UTC"), before),
      ConfigConflictError,
    );
    await assertRejects(
      () => source.edit((d) => d.set("heartbeat_seconds", 0), after),
      ConfigError,
    );
    assertEquals(await Deno.readTextFile(path), after, "nothing written");
  });
});

Deno.test("fileConfigSource() replace() writes text as it is, unless the file moved", async () => {
  await withFile("streams: []\n", async (path) => {
    const source = fileConfigSource(path);
    await source.replace("heartbeat_seconds: x\n", "streams: []\n");
    assertEquals(await source.read(), "heartbeat_seconds: x\n");
    await assertRejects(() => source.replace("a: 1\n", "streams: []\n"), ConfigConflictError);
  });
});
