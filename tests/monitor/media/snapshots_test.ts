import { assert, assertEquals } from "../../assert.ts";
import {
  cleanSnapshotTemp,
  createSnapshotStore,
  MAX_SNAPSHOT_BYTES,
  snapshotFileName,
} from "../../../monitor/media/snapshots.ts";
import { apiSnapshotRoutes } from "../../../web/api/snapshot.ts";
import { tinyJpeg } from "../../fixtures/media_server.ts";

Deno.test("snapshotFileName() is stable, safe and distinct for similar names", () => {
  assertEquals(snapshotFileName("Front door", "last"), snapshotFileName("Front door", "last"));
  assert(snapshotFileName("Front door", "failure").endsWith("-failure.jpg"));
  assert(snapshotFileName("Cam 1", "last") !== snapshotFileName("cam-1", "last"));
  for (const name of ["../../etc/passwd", "a/b", "", "ÜBER cam ☃"]) {
    const f = snapshotFileName(name, "last");
    assert(/^[a-z0-9-]+\.jpg$/.test(f), f);
  }
});

Deno.test("createSnapshotStore() replaces snapshots and refuses bad or large ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = createSnapshotStore(dir);
    assertEquals(await store.load("cam", "last"), undefined);
    const a = tinyJpeg(320, 240);
    const b = tinyJpeg(640, 480);
    assert(await store.save("cam", "last", a));
    assert(await store.save("cam", "last", b));
    assertEquals(await store.load("cam", "last"), b);
    assertEquals(await store.load("cam", "failure"), undefined);
    assert(!await store.save("cam", "last", new Uint8Array([1, 2, 3])));
    const big = new Uint8Array(MAX_SNAPSHOT_BYTES + 1);
    big.set(b);
    assert(!await store.save("cam", "last", big));
    assertEquals(await store.load("cam", "last"), b);
    await Deno.writeFile(`${store.dir}/.frame-x.jpg`, a);
    await cleanSnapshotTemp(store.dir);
    const names = [...Deno.readDirSync(store.dir)].map((e) => e.name);
    assertEquals(names, [snapshotFileName("cam", "last")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("apiSnapshotRoutes() serves the JPEG and 404s unknown streams or none yet", async () => {
  const jpeg = tinyJpeg(320, 240);
  const app = apiSnapshotRoutes({
    snapshot: (name, kind) => Promise.resolve(name === "cam" && kind === "last" ? jpeg : undefined),
    hasStream: (name) => name === "cam",
  });
  const ok = await app.request("/api/streams/cam/snapshot.jpg");
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("content-type"), "image/jpeg");
  assertEquals(ok.headers.get("cache-control"), "no-store");
  assertEquals(new Uint8Array(await ok.arrayBuffer()), jpeg);
  const none = await app.request("/api/streams/cam/snapshot.jpg?kind=failure");
  assertEquals([none.status, await none.json()], [404, {
    error: 'No failure snapshot of stream "cam" yet',
  }]);
  const unknown = await app.request("/api/streams/nope/snapshot.jpg");
  assertEquals([unknown.status, await unknown.json()], [404, { error: 'Unknown stream "nope"' }]);
  const bad = await app.request("/api/streams/cam/snapshot.jpg?kind=x");
  assertEquals(bad.status, 400);
  await bad.body?.cancel();
});
