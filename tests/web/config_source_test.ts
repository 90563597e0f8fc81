/**
 * saveEdit() and saveEditKeeping() on the fleet's shared document (databaseConfigSource over an
 * in-memory ConfigDoc with the same compare-and-set as sp_config's).
 */

import { assertEquals, assertRejects } from "../assert.ts";
import {
  ConfigConflictError,
  type ConfigDoc,
  type ConfigDocRead,
  ConfigError,
  databaseConfigSource,
} from "../../monitor/config/mod.ts";
import { configSourceOf, deleteStream, saveEdit, versionOf } from "../../web/config_edit.ts";
import { saveEditKeeping } from "../../web/config_save.ts";

/** The document in memory: versions count up, a stale write is a conflict. */
function memoryDoc(text?: string): ConfigDoc & { now(): ConfigDocRead | undefined } {
  let row: ConfigDocRead | undefined = text === undefined
    ? undefined
    : { text, version: 1, updatedAt: 0, updatedBy: "test" };
  return {
    now: () => row,
    read: () => Promise.resolve(row),
    version: () => Promise.resolve(row?.version),
    write(next, expected) {
      if (row?.version !== expected) return Promise.reject(new ConfigConflictError("database"));
      row = { text: next, version: (row?.version ?? 0) + 1, updatedAt: 0, updatedBy: "test" };
      return Promise.resolve(row.version);
    },
    importIfEmpty: () => Promise.resolve(false),
    listen: () => Promise.resolve({ unlisten: () => Promise.resolve() }),
  };
}

const SHARED = "streams:\n  - {name: A, url: rtsp://h/a} # a\n  - {name: B, url: rtsp://h/b}\n";

async function nodeFile(): Promise<{ path: string; done: () => Promise<void> }> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, "database: postgres://sp@db/sp\nnode: {name: a-1}\n");
  return { path, done: () => Deno.remove(dir, { recursive: true }) };
}

Deno.test("saveEdit() writes a dashboard edit to the shared document, not config.yaml", async () => {
  const file = await nodeFile();
  try {
    const doc = memoryDoc(SHARED);
    const source = configSourceOf({
      configPath: file.path,
      configSource: databaseConfigSource(doc, file),
    });
    const text = await saveEdit(source, deleteStream("B"), versionOf(SHARED));
    assertEquals(text, "streams:\n  - { name: A, url: rtsp://h/a } # a\n");
    assertEquals(doc.now()?.version, 2);
    assertEquals(
      await Deno.readTextFile(file.path),
      "database: postgres://sp@db/sp\nnode: {name: a-1}\n",
    );
    const err = await assertRejects(
      () => saveEdit(source, deleteStream("A"), versionOf(SHARED)),
      ConfigConflictError,
    );
    assertEquals(
      err.message,
      "The shared config in the database changed since it was loaded; reload and try again",
    );
  } finally {
    await file.done();
  }
});

Deno.test("saveEditKeeping() saves one stream's edit beside a problem elsewhere in the shared document", async () => {
  const file = await nodeFile();
  try {
    const broken = SHARED + "heartbeat_seconds: x\n";
    const doc = memoryDoc(broken);
    const source = databaseConfigSource(doc, file);
    const saved = await saveEditKeeping(source, deleteStream("B"), versionOf(broken), () => false);
    assertEquals(saved.pending.map((p) => p.path), ["heartbeat_seconds"]);
    assertEquals(doc.now()?.text, saved.text);
    assertEquals(doc.now()?.version, 2);
    await assertRejects(
      () =>
        saveEditKeeping(
          source,
          (d) => d.set("retention_days", 0),
          versionOf(saved.text),
          () => false,
        ),
      ConfigError,
    );
    assertEquals(doc.now()?.version, 2, "a new problem is refused, nothing written");
  } finally {
    await file.done();
  }
});

Deno.test("configSourceOf() falls back to config.yaml at configPath", () => {
  assertEquals(configSourceOf({ configPath: "/x/config.yaml" }).where, "/x/config.yaml");
});
