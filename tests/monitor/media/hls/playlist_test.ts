import { assertEquals, assertStringIncludes, assertThrows } from "../../../assert.ts";
import { readPlaylist } from "../../../../monitor/media/hls/mod.ts";
import { resolve } from "../../../../monitor/media/hls/segment.ts";

Deno.test("readPlaylist() lists a master's variants and a media playlist's segments with durations", () => {
  const master = readPlaylist("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nlow/index.m3u8\n");
  assertEquals([master.master, master.variants], [true, ["low/index.m3u8"]]);
  const media = readPlaylist(
    "\uFEFF#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n#EXTINF:2.000,\r\na.ts\r\n#EXTINF:1.5,title\r\nb.ts\r\n",
  );
  assertEquals(media.segments, [{ uri: "a.ts", duration: 2 }, { uri: "b.ts", duration: 1.5 }]);
  assertEquals([media.fmp4, media.encrypted], [false, false]);
});

Deno.test("readPlaylist() keeps only the newest segments and tells fMP4 and encryption", () => {
  const many = "#EXTM3U\n" +
    Array.from({ length: 5000 }, (_, i) => `#EXTINF:1,\ns${i}.ts\n`).join("");
  const pl = readPlaylist(many);
  assertEquals([pl.segments.length, pl.segments.at(-1)!.uri], [16, "s4999.ts"]);
  const keyed = '#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:1,\na.ts\n';
  assertEquals(readPlaylist(keyed).encrypted, true);
  assertEquals(readPlaylist(keyed + "#EXT-X-KEY:METHOD=NONE\n#EXTINF:1,\nb.ts\n").encrypted, false);
  assertEquals(readPlaylist('#EXTM3U\n#EXT-X-MAP:URI="i.mp4"\n#EXTINF:1,\na.m4s\n').fmp4, true);
});

Deno.test("readPlaylist() names what is wrong", () => {
  assertStringIncludes(assertThrows(() => readPlaylist(""), SyntaxError).message, "empty playlist");
  assertStringIncludes(
    assertThrows(() => readPlaylist("<html>"), SyntaxError).message,
    "does not start with #EXTM3U",
  );
  assertStringIncludes(
    assertThrows(() => readPlaylist("#EXTM3U\n#EXT-X-STREAM-INF:X=1\n"), SyntaxError).message,
    "without variant",
  );
  assertStringIncludes(
    assertThrows(() => readPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"), SyntaxError).message,
    "no segments",
  );
  const long = `#EXTM3U\n#EXTINF:1,\n${"a".repeat(5000)}\n`;
  assertStringIncludes(
    assertThrows(() => readPlaylist(long), SyntaxError).message,
    "URI longer than 4096",
  );
});

Deno.test("resolve() adds the stream's credentials back only on its own origin, and only for HTTP(S)", () => {
  const own = "http://u:p@cam.local/live/index.m3u8";
  const base = "http://cam.local/live/index.m3u8";
  assertEquals(resolve("seg1.ts", base, own), "http://u:p@cam.local/live/seg1.ts");
  assertEquals(resolve("http://cdn.example/seg1.ts", base, own), "http://cdn.example/seg1.ts");
  assertEquals(resolve("file:///etc/passwd", base, own), undefined);
  assertEquals(resolve("http://[bad", base, own), undefined);
});
