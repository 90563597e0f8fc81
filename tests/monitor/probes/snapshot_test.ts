/** Tests of the snapshot probe: a valid JPEG is ok, anything else is down with a clear reason. */

import { assert, assertEquals } from "../../assert.ts";
import { createSnapshotProbe, snapshotProbe } from "../../../monitor/probes/snapshot.ts";
import {
  startMediaServer,
  testContext,
  testStream,
  tinyJpeg,
} from "../../fixtures/media_server.ts";

Deno.test("snapshotProbe.check() is ok on a JPEG and reports its size", async () => {
  const server = await startMediaServer();
  try {
    const r = await snapshotProbe.check(testStream(server.url("/snapshot.jpg")), testContext(3000));
    assert(r.ok, r.message);
    assert(/^JPEG 320x240 \(\d+ kB\)$/.test(r.message), r.message);
    assertEquals([r.details.httpStatus, r.details.contentType], [200, "image/jpeg"]);
    assertEquals([r.details.width, r.details.height], [320, 240]);
  } finally {
    await server.stop();
  }
});

Deno.test("snapshotProbe.check() is down with the reason for bad answers", async () => {
  const server = await startMediaServer();
  try {
    const message = async (path: string, probe = snapshotProbe) =>
      (await probe.check(testStream(server.url(path)), testContext(3000))).message;
    assertEquals(await message("/notjpeg.jpg"), "invalid JPEG: no JPEG start marker (SOI)");
    assertEquals(await message("/html"), "unexpected content type text/html");
    assertEquals(await message("/status/500"), "HTTP 500 Internal Server Error");
    assertEquals(await message("/status/404"), "HTTP 404 Not Found");
    const tiny = createSnapshotProbe({ maxBytes: 1000 });
    assertEquals(await message("/snapshot.jpg", tiny), "image larger than 1 kB");
  } finally {
    await server.stop();
  }
});

Deno.test("snapshotProbe.check() sends URL credentials as Basic auth and never echoes them", async () => {
  const server = await startMediaServer({ auth: { user: "cam user", password: "s3cr3t:pw" } });
  try {
    const good = server.url("/auth/redirect/snapshot.jpg")
      .replace("//", "//cam%20user:s3cr3t%3Apw@");
    const r = await snapshotProbe.check(testStream(good), testContext(3000));
    assert(r.ok, r.message);
    const bad = good.replace("s3cr3t%3Apw", "wrongpass");
    const denied = await snapshotProbe.check(testStream(bad), testContext(3000));
    assertEquals([denied.ok, denied.message], [false, "HTTP 401 Unauthorized"]);
    const text = JSON.stringify([r, denied]);
    assert(!text.includes("wrongpass") && !text.includes("s3cr3t"), text);
  } finally {
    await server.stop();
  }
});

Deno.test("snapshotProbe.inspect() judges bytes, not the name: octet-stream JPEG is ok", async () => {
  const res = new Response(tinyJpeg(100, 50), {
    headers: { "content-type": "application/octet-stream" },
  });
  const r = await snapshotProbe.inspect(res, testStream("http://cam/x"), testContext(1000));
  assertEquals([r.ok, r.message], [true, "JPEG 100x50 (64 B)"]);
  const cut = new Response(tinyJpeg(100, 50).slice(0, 40), {
    headers: { "content-type": "image/jpeg" },
  });
  const r2 = await snapshotProbe.inspect(cut, testStream("http://cam/x"), testContext(1000));
  assertEquals([r2.ok, r2.message], [false, "invalid JPEG: truncated, no end marker (EOI)"]);
});
