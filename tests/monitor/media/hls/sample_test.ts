import { assert, assertEquals, assertStringIncludes } from "../../../assert.ts";
import { sampleHls } from "../../../../monitor/media/hls/mod.ts";
import { type CommandRunner, createProcessPool } from "../../../../monitor/media/process_pool.ts";
import { judgeMedia } from "../../../../monitor/media/expect.ts";
import type { HttpMediaSample } from "../../../../monitor/media/http_sample.ts";
import { validateJpeg } from "../../../../monitor/probes/mod.ts";
import { startMediaServer } from "../../../fixtures/media_server.ts";

const stream = (url: string) => ({ url, tlsInsecure: false });
/** The media process pool, as the daemon runs these decodes (its children end with each run). */
const pool = createProcessPool();
const opts = () => ({ signal: AbortSignal.timeout(15_000), run: pool.run });

function picture(s: HttpMediaSample, freezeSeconds = 0.5) {
  return judgeMedia({ facts: s.facts, sample: s.picture, memory: {}, freezeSeconds, latencyMs: 1 })
    .picture;
}

/** 2 s of a lavfi source as one x264 MPEG-TS segment (keyframe every second). */
async function segmentOf(source: string): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi", "-i", source, "-t", "2"]
      .concat(["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p"])
      .concat(["-f", "mpegts", "-"]),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(out.success && out.stdout.length > 1000, `ffmpeg made no segment of ${source}`);
  return out.stdout;
}

/** A server answering fixed paths with fixed bodies (playlists, segments), else 404. */
function serveFixed(files: Record<string, string | Uint8Array>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const body = files[new URL(req.url).pathname];
    if (body === undefined) return new Response("not found", { status: 404 });
    return new Response(body as BodyInit, { headers: { "cache-control": "no-cache" } });
  });
  return {
    url: (p: string) => `http://127.0.0.1:${server.addr.port}${p}`,
    stop: () => server.shutdown(),
  };
}

/**
 * Sweeps /proc for the command lines of this test process's own children until stopped (other
 * sessions' processes on the machine are none of this test's business).
 */
function watchChildren() {
  const lines = new Set<string>();
  let sweeps = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for await (const e of Deno.readDir("/proc")) {
        if (!/^\d+$/.test(e.name)) continue;
        try {
          const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
          const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
          if (ppid !== Deno.pid) continue;
          const cmd = await Deno.readFile(`/proc/${e.name}/cmdline`);
          lines.add(new TextDecoder().decode(cmd).replaceAll("\0", " ").trim());
        } catch { /* gone meanwhile */ }
      }
      sweeps++;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { lines: [...lines].filter(Boolean), sweeps };
    },
  };
}

const LIVE = (uri: string) =>
  `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:3\n` +
  `#EXTINF:2.000000,\nold.ts\n#EXTINF:2.000000,\n${uri}\n`;

Deno.test("sampleHls() reads ffmpeg's HLS muxer: h264 320x240 at 10 fps and a grid, via master too; no URL on a child's command line", async () => {
  const srv = await startMediaServer({ hls: true });
  const watch = watchChildren();
  // Every child sampleHls starts, as it was started: other test files share this process, and
  // their children (a test camera with its password among its arguments) are not under test.
  const started: string[] = [];
  const run: CommandRunner = (cmd, args, o) => {
    started.push(args.join(" "));
    return pool.run(cmd, args, o);
  };
  const withRun = () => ({ ...opts(), run });
  try {
    for (const path of ["/hls/index.m3u8", "/master.m3u8"]) {
      const s = await sampleHls(stream(srv.url(path)), withRun());
      assertEquals([s.problem, s.pictureProblem], [undefined, undefined]);
      assertEquals([s.facts.codec, s.facts.width, s.facts.height, s.facts.fps], [
        "h264",
        320,
        240,
        10,
      ]);
      assert(s.facts.keyframe && s.facts.frames >= 9, `${s.facts.frames} frames`);
      assert(s.facts.bitrateKbps! > 50, `bitrate ${s.facts.bitrateKbps}`);
      assert(s.grids.length >= 1 && s.grids[0].length === 32 * 24);
      assert(validateJpeg(s.snapshot!).valid, "the snapshot is no JPEG");
      assertEquals(picture(s, 30), "ok");
    }
    // Credentials reach the playlist and the segment (same origin), never a command line.
    const authed = srv.url("/auth/hls/index.m3u8").replace("http://", "http://user:secret@");
    for (let i = 0; i < 5; i++) {
      const s = await sampleHls(stream(authed), withRun());
      assertEquals([s.problem, s.facts.width], [undefined, 320]);
    }
  } finally {
    const seen = await watch.stop();
    await srv.stop();
    const leaks = started.filter((l) => /https?:|secret|127\.0\.0\.1/.test(l));
    assertEquals(leaks, []);
    // The same children as ps showed them (their command lines end with the arguments given).
    const ours = seen.lines.filter((l) => started.some((a) => l.endsWith(a)));
    assert(ours.length >= 1, `no decode ffmpeg seen in ${seen.sweeps} sweeps: ${seen.lines}`);
    for (const line of ours) assertStringIncludes(line, "-i pipe:0");
    console.log(`children seen: ${seen.lines.length} command lines, ${ours.length} decoders`);
  }
});

Deno.test("sampleHls() judges a black segment black and a still one frozen from its keyframes", async () => {
  const srv = serveFixed({
    "/black.m3u8": LIVE("black.ts"),
    "/black.ts": await segmentOf("color=black:size=320x240:rate=10"),
    "/still.m3u8": LIVE("still.ts"),
    "/still.ts": await segmentOf("smptebars=size=320x240:rate=10"),
  });
  try {
    const black = await sampleHls(stream(srv.url("/black.m3u8")), opts());
    const still = await sampleHls(stream(srv.url("/still.m3u8")), opts());
    assertEquals([black.grids.length, still.grids.length], [2, 2]);
    assertEquals(still.picture!.stepMs, 1000);
    assertEquals(picture(black), "black");
    assertEquals(picture(still), "frozen");
  } finally {
    await srv.stop();
  }
});

Deno.test("sampleHls() gives a clear problem for an oversized, fMP4, encrypted, missing or non-TS segment", async () => {
  const big = new Uint8Array(9 * 1024 * 1024).fill(0x47);
  const srv = serveFixed({
    "/big.m3u8": LIVE("big.ts"),
    "/big.ts": big,
    "/fmp4.m3u8": LIVE("a.m4s").replace("#EXT-X-VERSION:3", '#EXT-X-MAP:URI="init.mp4"'),
    "/aes.m3u8": LIVE("a.ts").replace("#EXT-X-VERSION:3", '#EXT-X-KEY:METHOD=AES-128,URI="k"'),
    "/gone.m3u8": LIVE("gone.ts"),
    "/html.m3u8": LIVE("page.ts"),
    "/page.ts": "<!doctype html><p>hello</p>",
    "/long.m3u8": LIVE("a".repeat(100_000) + ".ts"),
    "/notlist.m3u8": "<html>",
  });
  try {
    const problem = async (path: string) =>
      (await sampleHls(stream(srv.url(path)), opts())).problem;
    assertEquals(await problem("/big.m3u8"), "segment larger than 8 MiB");
    assertEquals(await problem("/fmp4.m3u8"), "fMP4 segments (#EXT-X-MAP) are not read natively");
    assertEquals(await problem("/aes.m3u8"), "encrypted segments (#EXT-X-KEY) are not read");
    assertEquals(await problem("/gone.m3u8"), "segment: HTTP 404 Not Found");
    assertEquals(await problem("/html.m3u8"), "segment is not MPEG-TS (no 0x47 sync byte)");
    assertEquals(
      await problem("/long.m3u8"),
      "invalid playlist: URI longer than 4096 characters",
    );
    assertEquals(await problem("/notlist.m3u8"), "invalid playlist: does not start with #EXTM3U");
    assertEquals(await problem("/nothing.m3u8"), "playlist: HTTP 404 Not Found");
  } finally {
    await srv.stop();
  }
});
