/** Grid thumbnails: scaling, the LRU cache, the thumb.jpg route's caching, the /grid page. */

import jpeg from "jpeg-js";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../assert.ts";
import { snapshotFileName } from "../../monitor/media/snapshots.ts";
import { createThumbs, scaleDown, thumbnailOf } from "../../web/thumbs.ts";
import { startWebStack } from "./harness.ts";
import { clientOf, cookieOf, csrfOf, signIn } from "./helpers.ts";

const PASSWORD = "a long admin password";

/** A JPEG of `w`×`h` with a left-to-right grey ramp. */
function rampJpeg(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(((i % w) / (w - 1)) * 255);
    data.set([v, v, v, 255], i * 4);
  }
  return new Uint8Array(jpeg.encode({ data, width: w, height: h }, 80).data);
}

Deno.test("scaleDown() averages the source pixels each target pixel covers", () => {
  const src = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 4) };
  // Row 0: 0, 100, 200, 40; row 1: 100, 100, 0, 40 (red channel; green/blue follow).
  [0, 100, 200, 40, 100, 100, 0, 40].forEach((v, i) => src.data.set([v, v, v, 255], i * 4));
  const out = scaleDown(src, 2);
  assertEquals([out.width, out.height], [2, 1]);
  assertEquals([...out.data], [75, 75, 75, 255, 70, 70, 70, 255]);
  assert(scaleDown(src, 4) === src, "narrow enough: unchanged");
});

Deno.test("thumbnailOf() scales wide JPEGs to 320 px, keeps small ones, refuses garbage", () => {
  const wide = rampJpeg(640, 360);
  const t = jpeg.decode(thumbnailOf(wide), { useTArray: true });
  assertEquals([t.width, t.height], [320, 180]);
  assert(Math.abs(t.data[(90 * 320 + 160) * 4] - 128) < 12, "the ramp's middle stays mid-grey");
  const small = rampJpeg(200, 100);
  assert(thumbnailOf(small) === small, "a small JPEG is sent as it is");
  assertThrows(() => thumbnailOf(new TextEncoder().encode("not a jpeg")), Error);
});

Deno.test("createThumbs() makes each version once, shares concurrent makes, evicts LRU by count and bytes", async () => {
  let made = 0;
  const thumbs = createThumbs({
    maxEntries: 2,
    maxBytes: 25,
    make: (b) => (made++, b),
  });
  const bytes = (n: number) => () => Promise.resolve(new Uint8Array(n));
  const [a1, a2] = await Promise.all([thumbs.get("a", bytes(10)), thumbs.get("a", bytes(10))]);
  assertEquals(made, 1);
  assert(a1 === a2 && a1 !== undefined);
  await thumbs.get("b", bytes(10));
  await thumbs.get("a", bytes(10)); // a is now the most recent
  await thumbs.get("c", bytes(10)); // over 2 entries: b goes
  assertEquals(thumbs.stats(), { entries: 2, bytes: 20 });
  await thumbs.get("a", bytes(10));
  assertEquals(made, 3, "a stayed cached");
  await thumbs.get("d", bytes(20)); // over 25 bytes: the oldest go until it fits
  assertEquals(thumbs.stats(), { entries: 1, bytes: 20 });
  assertEquals(await thumbs.get("none", () => Promise.resolve(undefined)), undefined);
  assert(a1!.etag !== (await thumbs.get("c", bytes(10)))!.etag, "each key its own ETag");
});

Deno.test("GET /streams/:name/thumb.jpg serves a versioned, immutable thumbnail; /grid links it lazily", async () => {
  const stack = await startWebStack({
    listen: false,
    env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
    config: `heartbeat_seconds: 60
streams:
  - {name: "Front door", url: "rtsp://admin:s3cret-pw@127.0.0.1:9/a", media: false}
  - {name: Yard, url: "rtsp://127.0.0.1:9/b", media: false, enabled: false}
`,
  });
  try {
    await Deno.mkdir(`${stack.dir}/snapshots`, { recursive: true });
    const file = `${stack.dir}/snapshots/${snapshotFileName("Front door", "last")}`;
    await Deno.writeFile(file, rampJpeg(640, 360));
    const v = (await Deno.stat(file)).mtime!.getTime();
    const res = await signIn(stack.web.app, PASSWORD);
    const cookie = cookieOf(res, "sp_session")!;
    const home = await stack.web.app.request("http://localhost/", { headers: { cookie } });
    const client = clientOf(stack.web.app, cookie, csrfOf(await home.text()));

    const base = "/streams/Front%20door/thumb.jpg";
    const ok = await client.get(`${base}?kind=last&v=${v}`);
    assertEquals(ok.status, 200);
    assertEquals(ok.headers.get("content-type"), "image/jpeg");
    assertEquals(ok.headers.get("cache-control"), "private, max-age=31536000, immutable");
    const etag = ok.headers.get("etag")!;
    const img = jpeg.decode(new Uint8Array(await ok.arrayBuffer()), { useTArray: true });
    assertEquals(img.width, 320);

    const again = await stack.web.app.request(`http://localhost${base}?kind=last&v=${v}`, {
      headers: { cookie, "if-none-match": etag },
    });
    assertEquals(again.status, 304);
    const stale = await client.get(`${base}?kind=last&v=1`);
    assertEquals(stale.headers.get("cache-control"), "private, no-cache");
    await stale.body?.cancel();
    assertEquals((await client.get(`${base}?kind=failure`)).status, 404);
    assertEquals((await client.get(`${base}?kind=nope`)).status, 400);
    assertEquals((await client.get("/streams/Nobody/thumb.jpg")).status, 404);
    const anon = await stack.web.app.request(`http://localhost${base}?v=${v}`);
    assert(anon.status === 401 || anon.status === 302 || anon.status === 303, `${anon.status}`);
    await anon.body?.cancel();

    const html = await (await client.get("/grid?q=door")).text();
    assertStringIncludes(html, `src="${base}?kind=last&amp;v=${v}"`);
    assertStringIncludes(html, 'loading="lazy"');
    assertStringIncludes(html, "1 of 2");
    assert(!html.includes('data-stream="Yard"'), "the search filters on the server too");
    const all = await (await client.get("/grid")).text();
    assertStringIncludes(all, "No snapshot yet"); // Yard: a placeholder, no image request
    assertEquals(all.match(/<img /g)?.length, 1);
    assertStringIncludes(all, "Paused");
    assert(!all.includes("s3cret-pw"), "no camera password in the page");
  } finally {
    await stack.stop();
  }
});

Deno.test("GET /grid stays light for 500 streams (page weight printed)", async () => {
  const streams = Array.from(
    { length: 500 },
    (_, i) => `  - {name: "cam-${i}", url: "rtsp://127.0.0.1:9/${i}", enabled: false}\n`,
  ).join("");
  const stack = await startWebStack({
    listen: false,
    env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
    config: `heartbeat_seconds: 60\nstreams:\n${streams}`,
  });
  try {
    const cookie = cookieOf(await signIn(stack.web.app, PASSWORD), "sp_session")!;
    const get = (enc: string) =>
      stack.web.app.request("http://localhost/grid", {
        headers: { cookie, accept: "text/html", "accept-encoding": enc },
      });
    const raw = (await (await get("identity")).arrayBuffer()).byteLength;
    const gz = (await (await get("gzip")).arrayBuffer()).byteLength;
    console.log(
      `/grid with 500 streams: ${raw} bytes HTML, ${gz} bytes gzip (+ the shared bundle)`,
    );
    assert(gz < 100_000, `the grid page for 500 streams is ${gz} bytes gzipped`);
  } finally {
    await stack.stop();
  }
});
