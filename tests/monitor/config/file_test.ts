import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../assert.ts";
import { delay } from "../../../monitor/async.ts";
import { ConfigError } from "../../../monitor/config/parse.ts";
import { statConfigFile } from "../../../monitor/config/read.ts";
import {
  ConfigConflictError,
  editConfigFile,
  watchConfigFile,
  type WatchOptions,
  writeFileAtomic,
} from "../../../monitor/config/file.ts";

/** Starts a watcher on `path` collecting the texts and errors it reports. */
function watch(path: string, initialText: string, opts: Partial<WatchOptions> = {}) {
  const seen: string[] = [];
  const errors: string[] = [];
  const ctrl = new AbortController();
  const done = watchConfigFile(path, {
    signal: ctrl.signal,
    initialText,
    debounceMs: 50,
    stableMs: 100,
    ...opts,
    onChange: (t) => {
      seen.push(t);
    },
    onError: (e) => errors.push(e.message),
  });
  return {
    seen,
    errors,
    async untilError(n: number, ms = 5000) {
      const end = Date.now() + ms;
      while (errors.length < n && Date.now() < end) await delay(20);
      assertEquals(errors.length, n, `errors ${JSON.stringify(errors)}`);
    },
    async until(n: number, ms = 5000) {
      const end = Date.now() + ms;
      while (seen.length < n && Date.now() < end) await delay(20);
      assertEquals(seen.length, n, `saw ${JSON.stringify(seen)}`);
    },
    async stop() {
      ctrl.abort();
      await done;
    },
  };
}

Deno.test("watchConfigFile() sees in-place edits, renames over the file, and ignores no-op saves", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, "v: 1\n");
  const w = watch(path, "v: 1\n");
  await delay(100);
  await Deno.writeTextFile(path, "v: 2\n"); // in place
  await w.until(1);
  await Deno.writeTextFile(`${dir}/.config.yaml.swp`, "v: 3\n"); // editor: temp then rename
  await Deno.rename(`${dir}/.config.yaml.swp`, path);
  await w.until(2);
  await Deno.writeTextFile(path, "v: 3\n"); // same content: no reload
  await Deno.writeTextFile(`${dir}/other.txt`, "x"); // other file: ignored
  await delay(300);
  await Deno.writeTextFile(path, "v: 4\n"); // still watching after the rename
  await w.until(3);
  assertEquals(w.seen, ["v: 2\n", "v: 3\n", "v: 4\n"]);
  await w.stop();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchConfigFile() follows edits through a symlink, also when it is re-pointed", async () => {
  const app = await Deno.makeTempDir();
  const host = await Deno.makeTempDir();
  const other = await Deno.makeTempDir();
  await Deno.writeTextFile(`${host}/config.yaml`, "v: 1\n");
  await Deno.writeTextFile(`${other}/config.yaml`, "v: other\n");
  const link = `${app}/config.yaml`;
  await Deno.symlink(`${host}/config.yaml`, link);
  const w = watch(link, "v: 1\n");
  await delay(100);
  await Deno.writeTextFile(`${host}/config.yaml`, "v: 2\n"); // edit the real file
  await w.until(1);
  await Deno.writeTextFile(`${host}/.tmp`, "v: 3\n"); // rename over the real file
  await Deno.rename(`${host}/.tmp`, `${host}/config.yaml`);
  await w.until(2);
  await Deno.remove(link); // re-point the link
  await Deno.symlink(`${other}/config.yaml`, link);
  await w.until(3);
  await Deno.writeTextFile(`${other}/config.yaml`, "v: 5\n"); // the new target is watched
  await w.until(4);
  assertEquals(w.seen, ["v: 2\n", "v: 3\n", "v: other\n", "v: 5\n"]);
  await w.stop();
  for (const d of [app, host, other]) await Deno.remove(d, { recursive: true });
});

Deno.test("writeFileAtomic() replaces the real file behind a symlink and keeps the link and mode", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/real.yaml`, "old\n");
  await Deno.chmod(`${dir}/real.yaml`, 0o600);
  await Deno.symlink(`${dir}/real.yaml`, `${dir}/link.yaml`);
  await writeFileAtomic(`${dir}/link.yaml`, "new\n");
  assert((await Deno.lstat(`${dir}/link.yaml`)).isSymlink);
  assertEquals(await Deno.readTextFile(`${dir}/real.yaml`), "new\n");
  assertEquals((await Deno.stat(`${dir}/real.yaml`)).mode! & 0o777, 0o600);
  const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assertEquals(left, ["link.yaml", "real.yaml"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("editConfigFile() keeps comments and key order, validates, and refuses a stale edit", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  const original = await Deno.readTextFile(
    new URL("../../fixtures/compat/v2.2/config.yaml", import.meta.url),
  );
  await Deno.writeTextFile(path, original);
  const text = await editConfigFile(path, (doc) => {
    doc.addIn(["streams"], doc.createNode({ name: "New cam", url: "rtsp://h/live" }));
  }, { expectedText: original });
  assert(text.includes("# --- mqtt settings (add this block to your existing config.yaml) ---"));
  assert(text.includes("# how often to request the API (min 5)"));
  assert(text.indexOf("mqtt:") < text.indexOf("heartbeat_seconds:"), "key order kept");
  assert(text.includes("name: New cam"));
  assertEquals(await Deno.readTextFile(path), text);
  await assertRejects(
    () => editConfigFile(path, () => {}, { expectedText: original }),
    ConfigConflictError,
  );
  await assertRejects(
    () => editConfigFile(path, (doc) => doc.set("heartbeat_seconds", "soon")),
    ConfigError,
  );
  assertEquals(await Deno.readTextFile(path), text, "an invalid edit writes nothing");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchConfigFile() returns when its signal aborts before it starts watching", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/config.yaml`, "v: 1\n");
  const ctrl = new AbortController();
  const done = watchConfigFile(`${dir}/config.yaml`, { signal: ctrl.signal, onChange: () => {} });
  ctrl.abort(); // while the real path is being resolved
  await done;
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchConfigFile() reports a slowly written file only once it is complete and stable", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, "v: 1\n");
  // A stable read needs two identical reads 1 s apart; the writer adds a line every 150 ms,
  // slower than the 50 ms debounce, as a slow copy over the network does.
  const w = watch(path, "v: 1\n", { stableMs: 1000 });
  await delay(100);
  const lines = Array.from({ length: 20 }, (_, i) => `k${i}: ${i}\n`);
  const file = await Deno.open(path, { write: true, truncate: true });
  for (const line of lines) {
    await file.write(new TextEncoder().encode(line));
    await delay(150);
  }
  file.close();
  await w.until(1, 10_000);
  assertEquals(w.seen, [lines.join("")], "no partial file was reported");
  await w.stop();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchConfigFile() reports a deleted file once, and the same text again when it returns", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, "v: 1\n");
  const w = watch(path, "v: 1\n", { pollMs: 100 });
  await delay(100);
  await Deno.remove(path);
  await w.untilError(1);
  await delay(600); // several polls: the same problem is not reported again
  assertEquals(w.errors.length, 1, JSON.stringify(w.errors));
  assertEquals(w.seen, []);
  await Deno.writeTextFile(path, "v: 1\n"); // back as it was: judged again
  await w.until(1);
  assertEquals(w.seen, ["v: 1\n"]);
  await w.stop();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchConfigFile() refuses a file over the size limit once and does not re-read it on polls", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, "v: 1\n");
  const w = watch(path, "v: 1\n", { pollMs: 100 });
  await delay(100);
  await Deno.writeTextFile(path, "# padding\n".repeat(500_000)); // 5,000,000 bytes
  await w.untilError(1);
  assertStringIncludes(w.errors[0], "5,000,000 bytes");
  assertStringIncludes(w.errors[0], "limit is 4 MiB");
  await delay(600);
  assertEquals([w.seen.length, w.errors.length], [0, 1]);
  await w.stop();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchConfigFile() polls by size and mtime: an unchanged stamp is not re-read", async () => {
  // A write through a hard link in another folder raises no event in the watched folder (as
  // with network file systems), so only the poll can see it.
  const dir = await Deno.makeTempDir();
  const other = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, "v: 1\n");
  await Deno.link(path, `${other}/same-inode.yaml`);
  const mtime = (await Deno.stat(path)).mtime!;
  const w = watch(path, "v: 1\n", { pollMs: 100, initialStamp: await statConfigFile(path) });
  await delay(100);
  await Deno.writeTextFile(`${other}/same-inode.yaml`, "v: 2\n"); // same size
  await Deno.utime(`${other}/same-inode.yaml`, mtime, mtime); // same mtime
  await delay(600); // several polls
  assertEquals(w.seen, [], "the poll compared size and mtime and did not read");
  await Deno.utime(`${other}/same-inode.yaml`, new Date(), new Date());
  await w.until(1);
  assertEquals(w.seen, ["v: 2\n"]);
  await w.stop();
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(other, { recursive: true });
});

Deno.test("watchConfigFile() names the line of bytes that are not UTF-8", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, "v: 1\n");
  const w = watch(path, "v: 1\n");
  await delay(100);
  const bytes = new Uint8Array([...new TextEncoder().encode("a: 1\nb: caf"), 0xe9, 0x0a]);
  await Deno.writeFile(path, bytes);
  await w.untilError(1);
  assertStringIncludes(w.errors[0], "line 2");
  assertStringIncludes(w.errors[0], "not valid UTF-8");
  assertEquals(w.seen, []);
  await w.stop();
  await Deno.remove(dir, { recursive: true });
});
