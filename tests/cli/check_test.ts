/** `streampulse check URL` as a user runs it: handshake + media against real servers, exit codes. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { refusedPort, startMediaServer } from "../fixtures/media_server.ts";
import { type RtspServer, startRtspServer } from "../fixtures/rtsp.ts";
import { cli } from "./cli_process.ts";

const PASSWORD = "Pw-123456";

/** Starts GStreamer RTSP servers, runs `body`, stops them whatever happens. */
async function withRtsp(
  opts: Parameters<typeof startRtspServer>[0][],
  body: (servers: RtspServer[]) => Promise<void>,
) {
  const servers = await Promise.all(opts.map((o) => startRtspServer(o)));
  try {
    await body(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

Deno.test("streampulse check runs the media check: moving up with facts, black and drifted 3, --quick 0", async () => {
  await withRtsp([
    { pattern: "ball", auth: "digest", user: "admin", password: PASSWORD },
    { pattern: "black" },
    { noRtp: true },
  ], async ([ball, black, silent]) => {
    const [json, human, dark, quick, drift, none] = await Promise.all([
      cli(["check", ball.url("admin", PASSWORD), "--json"]),
      cli(["check", ball.url("admin", PASSWORD)]),
      cli(["check", black.url()]),
      cli(["check", black.url(), "--quick"]),
      cli(["check", black.url(), "--expect-width", "1920", "--expect-codec", "h264"]),
      cli(["check", silent.url(), "--timeout", "2", "--json"]),
    ]);

    assertEquals(json.code, 0, json.stdout + json.stderr);
    const j = JSON.parse(json.stdout);
    assertEquals([j.state, j.status, j.checks, j.kind], ["up", "ok", "full", "rtsp"]);
    const m = j.details.media;
    assertEquals([m.codec, m.width, m.height, m.keyframe], ["h264", 320, 240, true]);
    assert(Math.abs(m.fps - 10) < 1.5, `fps ${m.fps}`);
    assertEquals([m.picture.moving, m.picture.black], [true, false]);
    assertEquals(j.media.state, "up");
    assertEquals(j.url, `rtsp://***@127.0.0.1:${ball.port}/live`);
    for (const r of [json, human]) assert(!(r.stdout + r.stderr).includes(PASSWORD));

    assertEquals(human.code, 0, human.stdout);
    assert(human.stdout.startsWith("UP "), human.stdout);
    assertStringIncludes(human.stdout, "media ");
    assert(/; H264 320x240, \d+(\.\d)? fps$/.test(human.stdout.trim()), human.stdout);

    assertEquals(dark.code, 3, dark.stdout + dark.stderr);
    assert(dark.stdout.startsWith("DEGRADED "), dark.stdout);
    assertStringIncludes(dark.stdout, "picture black; H264 320x240");

    assertEquals(quick.code, 0, quick.stdout + quick.stderr);
    assertStringIncludes(quick.stdout, "handshake only");

    assertEquals(drift.code, 3, drift.stdout);
    assertStringIncludes(drift.stdout, "width 320, expected 1920; picture black");

    // This GStreamer server stops answering once a PLAY found no RTP, so the confirming
    // handshake fails and, as in the daemon, its cause wins over the media verdict's.
    assertEquals(none.code, 1, none.stdout + none.stderr);
    const n = JSON.parse(none.stdout);
    assertEquals([n.state, n.media.state], ["down", "down"]);
    assertStringIncludes(n.media.message, "no video received");
  });
});

Deno.test("streampulse check calls a still window frozen, and --freeze-seconds judges two samples", async () => {
  await withRtsp([{ pattern: "smpte" }], async ([smpte]) => {
    const [one, two] = await Promise.all([
      cli(["check", smpte.url(), "--json"]),
      cli(["check", smpte.url(), "--freeze-seconds", "2"]),
    ]);
    assertEquals(one.code, 3, one.stdout + one.stderr);
    const j = JSON.parse(one.stdout);
    assertEquals([j.state, j.message], ["degraded", "picture frozen (still within the window)"]);
    assertEquals(j.details.media.picture.note, "picture still within the window");
    assertEquals(j.details.media.picture.moving, false);

    assertEquals(two.code, 3, two.stdout + two.stderr);
    assertStringIncludes(two.stdout, "picture frozen for ");
    assert(!two.stdout.includes("within the window"), two.stdout);
    assertStringIncludes(two.stderr, "second sample in 2 s");
  });
});

Deno.test("streampulse check reads MJPEG facts, exits 1 on a refused port and 2 on bad input", async () => {
  const server = await startMediaServer();
  try {
    const [mjpeg, refused, ...bad] = await Promise.all([
      cli(["check", server.url("/mjpeg"), "--json"]),
      cli(["check", `rtsp://127.0.0.1:${refusedPort()}/x`, "--timeout", "2"]),
      cli(["check", "--", "not a url"]),
      cli(["check", "rtsp://h/x", "--rtsp-transport", "carrier-pigeon"]),
      cli(["check", "rtsp://h/x", "--freeze-seconds", "0"]),
      cli(["check", "rtsp://h/x", "--expect-width", "wide"]),
    ]);
    assertEquals(mjpeg.code, 0, mjpeg.stdout + mjpeg.stderr);
    const m = JSON.parse(mjpeg.stdout).details.media;
    assertEquals([m.codec, m.width, m.height, m.picture.moving], ["mjpeg", 320, 240, true]);

    assertEquals(refused.code, 1, refused.stdout);
    assertStringIncludes(refused.stdout, "connection refused");
    assert(!refused.stdout.includes("media "), "no media check after a failed handshake");

    for (const r of bad) assertEquals(r.code, 2, r.stdout + r.stderr);
    assertStringIncludes(bad[1].stderr, 'Invalid --rtsp-transport "carrier-pigeon"');
    assertStringIncludes(bad[2].stderr, "--freeze-seconds");
    assertStringIncludes(bad[3].stderr, 'Invalid --expect-width "wide"');
  } finally {
    await server.stop();
  }
});
