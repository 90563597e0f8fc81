/** Tests of the HLS probe: playlist parsing, live progress across checks, stalls, master playlists. */

import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  hlsProbe,
  parsePlaylist,
  stallLimitMs,
  trackProgress,
} from "../../../monitor/probes/hls.ts";
import { startMediaServer, testContext, testStream } from "../../fixtures/media_server.ts";

const VOD = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
  "#EXTINF:4.0,\na.ts\n#EXTINF:4.0,\nb.ts\n#EXT-X-ENDLIST\n";

Deno.test("parsePlaylist() reads media and master playlists", () => {
  assertEquals(parsePlaylist(VOD), {
    master: false,
    variants: [],
    mediaSequence: 0,
    targetDuration: 4,
    segments: 2,
    endList: true,
  });
  const master = parsePlaylist(
    "#EXTM3U\r\n#EXT-X-STREAM-INF:BANDWIDTH=1\r\nlow/index.m3u8\r\n" +
      "#EXT-X-STREAM-INF:BANDWIDTH=2\r\nhttp://cdn/high.m3u8\r\n",
  );
  assertEquals([master.master, master.variants], [true, [
    "low/index.m3u8",
    "http://cdn/high.m3u8",
  ]]);
});

Deno.test("parsePlaylist() names what makes a playlist invalid", () => {
  const reason = (text: string) => assertThrows(() => parsePlaylist(text), SyntaxError).message;
  assertEquals(reason(""), "empty playlist");
  assertEquals(reason("<html></html>"), "does not start with #EXTM3U");
  assertEquals(reason("#EXTM3U\n#EXTINF:1,\na.ts\n"), "no valid #EXT-X-TARGETDURATION");
  assertEquals(reason("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"), "no segments");
  assertEquals(
    reason("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"),
    "master playlist without variant URIs",
  );
});

Deno.test("trackProgress() never flaps on a healthy live stream and catches a stall", () => {
  for (const td of [1, 2, 6, 10]) {
    for (const every of [1, 2.5, 5, 10]) {
      const memory: Record<string, unknown> = {};
      // A segment every `td` seconds until t = 120 s, then the encoder stalls.
      const position = (t: number) => Math.floor(Math.min(t, 120) / td);
      let firstDown = -1;
      for (let t = 0; t < 240; t += every) {
        const down = trackProgress(memory, position(t), t * 1000) > stallLimitMs(td);
        if (down && t <= 120) throw new Error(`flapped: td ${td}, every ${every}, t ${t}`);
        if (down && firstDown < 0) firstDown = t;
      }
      const bound = 120 + every + stallLimitMs(td) / 1000;
      assert(
        firstDown > 120 && firstDown <= bound,
        `td ${td}, every ${every}: down at ${firstDown}`,
      );
    }
  }
});

Deno.test("hlsProbe.check() is ok on VOD and says why bad playlists fail", async () => {
  const server = await startMediaServer();
  const check = (path: string) => hlsProbe.check(testStream(server.url(path)), testContext(3000));
  try {
    const html = await check("/html");
    assertEquals([html.ok, html.message], [false, "invalid playlist: does not start with #EXTM3U"]);
    assertEquals((await check("/status/404")).message, "HTTP 404 Not Found");
    const variant404 = await check("/master.m3u8"); // no HLS writer in this server
    assertEquals([variant404.ok, variant404.message], [false, "variant: HTTP 404 Not Found"]);
    const vod = await hlsProbe.inspect(
      new Response(VOD, { headers: { "content-type": "application/vnd.apple.mpegurl" } }),
      testStream("http://cdn/vod.m3u8"),
      testContext(1000),
    );
    assertEquals([vod.ok, vod.message], [true, "HLS VOD (2 segments, target 4 s)"]);
    assertEquals(vod.details.live, false);
  } finally {
    await server.stop();
  }
});

Deno.test("hlsProbe.check() follows a live ffmpeg playlist, a master and a stalled copy", async (t) => {
  const server = await startMediaServer({ hls: true });
  try {
    await t.step("a live playlist advances across two checks", async () => {
      const memory = {};
      const stream = testStream(server.url("/hls/index.m3u8"));
      const first = await hlsProbe.check(stream, testContext(3000, { memory }));
      assert(first.ok, first.message);
      assertEquals([first.details.live, first.details.httpStatus], [true, 200]);
      await new Promise((r) => setTimeout(r, 2500));
      const second = await hlsProbe.check(stream, testContext(3000, { memory }));
      assert(second.ok, second.message);
      const pos = (d: Record<string, unknown>) =>
        (d.mediaSequence as number) + (d.segments as number);
      assert(
        pos(second.details) > pos(first.details),
        JSON.stringify([first.details, second.details]),
      );
    });

    await t.step("a master playlist is judged by its first variant", async () => {
      const r = await hlsProbe.check(testStream(server.url("/master.m3u8")), testContext(3000));
      assert(r.ok && r.message.startsWith("HLS live, sequence"), r.message);
      assertEquals([r.details.variant, r.details.live], ["hls/index.m3u8", true]);
    });

    await t.step("a frozen playlist shows down once it stays unchanged too long", async () => {
      const memory = {};
      let now = 1_000_000;
      const stream = testStream(server.url("/hls-stalled/index.m3u8"));
      const check = () => hlsProbe.check(stream, testContext(3000, { memory, now: () => now }));
      assert((await check()).ok);
      now += 5000;
      assert((await check()).ok, "still within the 6 s grace");
      now += 2000;
      const r = await check();
      assertEquals([r.ok, r.message], [false, "playlist not advancing (no new segment for 7 s)"]);
      assertEquals(r.details.targetDuration, 1);
    });
  } finally {
    await server.stop();
  }
});
