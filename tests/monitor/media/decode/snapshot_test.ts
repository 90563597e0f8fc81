/** Snapshots from long-lived ffmpeg children: sizes, reuse, failures, abort, timeout, idle bound, argv. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  createJpegDecoder,
  createOneShotDecoder,
  createStreamDecoder,
  MAX_IDLE_SNAPSHOT_CHILDREN,
  MAX_SNAPSHOT_BYTES,
  snapshotSize,
  spawnSnapshotChild,
} from "../../../../monitor/media/decode/mod.ts";
import { encodeKeyframes, SOURCES } from "./keyframes.ts";
import { argvOf, running, waitGone } from "./procs.ts";

const codecs = ["H264", "H265"] as const;
type Spawned = { pid: number; role: "grey" | "snapshot" };

/** The size jpeg-js reads from a JPEG (throws when it is not a valid JPEG). */
async function jpegSize(jpeg: Uint8Array): Promise<[number, number]> {
  const r = await createJpegDecoder().decode("JPEG", jpeg);
  assert(r.ok, r.ok ? "" : r.problem);
  return [r.picture.width, r.picture.height];
}

/** A keyframe whose slice data is garbage after real parameter sets. */
function spoiled(codec: "H264" | "H265", unit: Uint8Array): Uint8Array {
  const isSlice = (b: number) =>
    codec === "H264" ? (b & 0x1f) === 5 : ((b >> 1) & 0x3f) >= 16 && ((b >> 1) & 0x3f) <= 21;
  const at = unit.findLastIndex((_, i) =>
    unit[i] === 1 && unit[i - 1] === 0 && unit[i - 2] === 0 && isSlice(unit[i + 1])
  );
  const out = unit.slice();
  for (let i = at + 3; i < out.length; i++) out[i] = (i * 7919) & 0xff;
  return out;
}

Deno.test("snapshotSize() keeps small pictures, narrows wide ones to 640 and rounds the height to even", () => {
  assertEquals(snapshotSize(320, 240), { width: 320, height: 240 });
  assertEquals(snapshotSize(1280, 720), { width: 640, height: 360 });
  assertEquals(snapshotSize(1920, 1080), { width: 640, height: 360 });
  assertEquals(snapshotSize(2592, 1944), { width: 640, height: 480 });
  assertEquals(snapshotSize(1000, 333), { width: 640, height: 214 });
});

for (const codec of codecs) {
  Deno.test(`createStreamDecoder() makes ${codec} snapshots in one long-lived child per size, as the one-shot makes them`, async () => {
    const small = await encodeKeyframes(codec, SOURCES.moving, { count: 3 });
    const big = await encodeKeyframes(codec, SOURCES.moving, { size: "1280x720", count: 2 });
    const spawned: Spawned[] = [];
    const d = createStreamDecoder({
      size: 1,
      onSpawn: (pid, _, role) => spawned.push({ pid, role }),
    });
    const oneShot = createOneShotDecoder({ size: 1 });
    try {
      for (const [units, want] of [[small, [320, 240]], [big, [640, 360]]] as const) {
        for (const u of units) {
          const r = await d.decode(codec, u, { snapshot: true });
          assert(r.ok && r.picture.jpeg, r.ok ? "no snapshot" : r.problem);
          assert(r.picture.jpeg.length > 1000 && r.picture.jpeg.length <= MAX_SNAPSHOT_BYTES);
          assertEquals(await jpegSize(r.picture.jpeg), [...want]);
          const o = await oneShot.decode(codec, u, { snapshot: true });
          assert(o.ok && o.picture.jpeg);
          assertEquals(r.picture.jpeg, o.picture.jpeg, "not what the one-shot makes");
        }
      }
      const again = await d.decode(codec, small[0], { snapshot: true });
      assert(again.ok && again.picture.jpeg);
      assertEquals(spawned.map((s) => s.role), ["grey", "snapshot", "snapshot"]);
      assertEquals(d.stats().snapshotChildren, 2);
      const plain = await d.decode(codec, small[1]);
      assert(plain.ok && plain.picture.jpeg === undefined, "a snapshot nobody asked for");
    } finally {
      await d.close();
      await oneShot.close();
    }
  });

  Deno.test(`spawnSnapshotChild() answers a ${codec} unit that fails to decode with no snapshot, then makes the next one`, async () => {
    const [unit] = await encodeKeyframes(codec, SOURCES.moving, { count: 1 });
    const child = spawnSnapshotChild(codec, snapshotSize(320, 240), { timeoutMs: 8000 });
    try {
      const t0 = Date.now();
      const bad = await child.decode(spoiled(codec, unit));
      assert(!bad.ok, "a snapshot of garbage");
      assert(Date.now() - t0 < 8000, "garbage waited for the timeout");
      assert(child.alive(), "one bad unit cost the child");
      const good = await child.decode(unit);
      assert(good.ok, good.ok ? "" : good.why);
      assertEquals(await jpegSize(good.bytes), [320, 240]);
    } finally {
      await child.kill();
    }
  });
}

Deno.test("createStreamDecoder() gives no snapshot for a unit that fails to decode, and the next snapshot works", async () => {
  const [unit] = await encodeKeyframes("H264", SOURCES.moving, { count: 1 });
  const d = createStreamDecoder({ size: 1 });
  try {
    const bad = await d.decode("H264", spoiled("H264", unit), { snapshot: true });
    assert(!bad.ok && bad.problem.startsWith("picture not decoded: "), JSON.stringify(bad));
    const good = await d.decode("H264", unit, { snapshot: true });
    assert(good.ok && good.picture.jpeg, good.ok ? "no snapshot" : good.problem);
  } finally {
    await d.close();
  }
});

Deno.test("createStreamDecoder() makes a snapshot over 256 KiB again at quality 12 (one-shot)", async () => {
  const [noisy] = await encodeKeyframes("H264", "color=c=gray", {
    size: "640x800",
    count: 1,
    filter: "noise=alls=60:allf=t",
  });
  const child = spawnSnapshotChild("H264", snapshotSize(640, 800));
  const q5 = await child.decode(noisy);
  await child.kill();
  assert(q5.ok && q5.bytes.length === MAX_SNAPSHOT_BYTES + 1, "the quality-5 JPEG is not over");
  const d = createStreamDecoder({ size: 1 });
  try {
    const r = await d.decode("H264", noisy, { snapshot: true });
    assert(r.ok && r.picture.jpeg, r.ok ? "no snapshot" : r.problem);
    assert(r.picture.jpeg.length <= MAX_SNAPSHOT_BYTES, `${r.picture.jpeg.length} bytes`);
    assertEquals(await jpegSize(r.picture.jpeg), [640, 800]);
  } finally {
    await d.close();
  }
});

Deno.test("createStreamDecoder() kills the snapshot child when the caller aborts", async () => {
  const [unit] = await encodeKeyframes("H265", SOURCES.moving, { count: 1, size: "1280x720" });
  const ac = new AbortController();
  const spawned: Spawned[] = [];
  const d = createStreamDecoder({
    size: 1,
    onSpawn(pid, _, role) {
      spawned.push({ pid, role });
      if (role === "snapshot") setTimeout(() => ac.abort(), 5); // while it starts up
    },
  });
  try {
    const r = await d.decode("H265", unit, { snapshot: true, signal: ac.signal });
    assert(r.ok && r.picture.jpeg === undefined, "a snapshot after abort");
    const snap = spawned.find((s) => s.role === "snapshot")!;
    await waitGone(snap.pid);
    assertEquals(d.stats().snapshotChildren, 0);
    const later = await d.decode("H265", unit, { snapshot: true });
    assert(later.ok && later.picture.jpeg, "no snapshot after the abort");
  } finally {
    await d.close();
  }
});

Deno.test("spawnSnapshotChild() is killed when it gives no picture in time", async () => {
  const [unit] = await encodeKeyframes("H264", SOURCES.moving, { count: 1 });
  const child = spawnSnapshotChild("H264", snapshotSize(320, 240), { timeoutMs: 1 });
  const r = await child.decode(unit);
  assertEquals(r, { ok: false, why: "ffmpeg gave no picture within 1 ms" });
  assert(!child.alive());
  await waitGone(child.pid);
});

Deno.test("createStreamDecoder() keeps at most 4 snapshot children idle, the least recently used stopped first", async () => {
  assertEquals(MAX_IDLE_SNAPSHOT_CHILDREN, 4);
  const sizes = ["160x120", "176x144", "240x160", "320x240", "352x288"];
  const units = await Promise.all(
    sizes.map(async (size) =>
      (await encodeKeyframes("H264", SOURCES.moving, { size, count: 1 }))[0]
    ),
  );
  const snaps: number[] = [];
  const d = createStreamDecoder({
    size: 1,
    onSpawn: (pid, _, role) => role === "snapshot" && snaps.push(pid),
  });
  try {
    for (const u of units) assert((await d.decode("H264", u, { snapshot: true })).ok);
    assertEquals(snaps.length, 5);
    await waitGone(snaps[0]);
    assertEquals(snaps.slice(1).map(running), [true, true, true, true]);
    assertEquals(d.stats().snapshotChildren, 4);
    assert((await d.decode("H264", units[1], { snapshot: true })).ok); // idle: reused
    assertEquals(snaps.length, 5);
    assert((await d.decode("H264", units[0], { snapshot: true })).ok); // stopped: a new one
    assertEquals(snaps.length, 6);
    await waitGone(snaps[2]); // 176x144 was used again, so 240x160 was the oldest now
    assertEquals(d.stats().snapshotChildren, 4);
  } finally {
    await d.close();
  }
  for (const pid of snaps) await waitGone(pid);
});

Deno.test("createStreamDecoder() stops idle snapshot children after idleMs", async () => {
  const [unit] = await encodeKeyframes("H264", SOURCES.moving, { count: 1 });
  const d = createStreamDecoder({ size: 1, idleMs: 200 });
  try {
    assert((await d.decode("H264", unit, { snapshot: true })).ok);
    for (let i = 0; i < 250 && d.stats().children > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals([d.stats().children, d.stats().snapshotChildren], [0, 0]);
  } finally {
    await d.close();
  }
});

Deno.test("createStreamDecoder() snapshot children get only pipe: input, no URL, and close() stops every child", async () => {
  const h264 = await encodeKeyframes("H264", SOURCES.moving, { count: 1 });
  const h265 = await encodeKeyframes("H265", SOURCES.moving, { count: 1, size: "1280x720" });
  const spawned: Spawned[] = [];
  const d = createStreamDecoder({
    size: 2,
    onSpawn: (pid, _, role) => spawned.push({ pid, role }),
  });
  await Promise.all([
    d.decode("H264", h264[0], { snapshot: true }),
    d.decode("H265", h265[0], { snapshot: true }),
  ]);
  assertEquals(spawned.filter((s) => s.role === "snapshot").length, 2);
  assertEquals(d.stats().children, 4);
  for (const { pid } of spawned) {
    const argv = await argvOf(pid);
    assertEquals(argv.filter((_, i) => argv[i - 1] === "-i"), ["pipe:0"]);
    assertEquals(argv[argv.indexOf("-protocol_whitelist") + 1], "pipe");
    const bad = argv.filter((a) => /:\/\/|@|rtsp|http/i.test(a));
    assertEquals(bad, [], argv.join(" "));
  }
  await d.close();
  for (const { pid } of spawned) await waitGone(pid);
  assertEquals(d.stats().children, 0);
  const after = await d.decode("H264", h264[0], { snapshot: true });
  assert(!after.ok && after.problem.includes("closed"));
});
