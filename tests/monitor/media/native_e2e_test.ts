/** The daemon's media task with the real monitor on the native path: VLC, GStreamer, a scripted camera. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createBus } from "../../../monitor/bus.ts";
import { type Config, parseConfig } from "../../../monitor/config/parse.ts";
import { createLogger } from "../../../monitor/log.ts";
import { createMediaTask } from "../../../monitor/media/task.ts";
import { createMonitor, type Monitor } from "../../../monitor/monitor.ts";
import { selectProbe } from "../../../monitor/probes/mod.ts";
import { openStore, type SyncStore as Store } from "../../../monitor/store/mod.ts";
import { secretForms, watchCommandLines } from "../../fixtures/cmdline_watch.ts";
import { startRtspServer } from "../../fixtures/rtsp.ts";
import { startMediaCamera } from "../../fixtures/rtsp_media_camera.ts";
import { startVlcRtsp, vlcTestFile } from "../../fixtures/vlc.ts";
import { h264Capture } from "./rtsp/harness.ts";

type Details = Record<string, unknown>;

/** Runs monitor + media task on `yaml` while every child's command line is watched. */
async function withDaemon(
  yaml: string,
  body: (e: { monitor: Monitor; store: Store; config: Config; t0: number }) => Promise<void>,
  secrets: string[] = [],
) {
  const dataDir = await Deno.makeTempDir();
  const store = openStore(":memory:");
  const ctrl = new AbortController();
  const config = parseConfig(yaml);
  const bus = createBus();
  const logger = createLogger({ write: () => {} });
  const monitor = createMonitor({ store, bus, logger, selectProbe, maxConcurrent: 4 });
  monitor.applyStreams(config.streams);
  const media = createMediaTask({ monitor, bus, logger, config: () => config, dataDir });
  const watch = watchCommandLines(secrets, { ignore: /rtsp_server\.py/, parent: Deno.pid });
  const running = [monitor.run(ctrl.signal), media.run(ctrl.signal)];
  try {
    await body({ monitor, store, config, t0: Date.now() });
    assertEquals(media.health().errors, 0);
  } finally {
    ctrl.abort();
    await Promise.all(running);
    const seen = await watch.stop();
    store.close();
    await Deno.remove(dataDir, { recursive: true });
    assert(seen.media.length > 0, `no decoder child seen in ${seen.sweeps} sweeps`);
    const urls = seen.media.filter((l) => /rtsps?:\/\/|https?:\/\//.test(l));
    assertEquals(urls, [], "a child was given a URL");
    assertEquals(seen.leaks, [], "a command line held the credentials");
  }
}

async function until(cond: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mediaOf = (m: Monitor, name: string) =>
  m.status(name)?.last?.details.media as Details | undefined;

Deno.test("createMediaTask() finds VLC's UDP-only stream up with codec facts", async () => {
  const vlc = await startVlcRtsp(await vlcTestFile("h264"));
  try {
    await withDaemon(
      `heartbeat_seconds: 2
streams:
  - {name: vlc, url: "${vlc.url}", media_check_seconds: 10}
`,
      async ({ monitor }) => {
        await until(() => !!mediaOf(monitor, "vlc")?.picture, 20_000, "no media check of VLC");
        const st = monitor.status("vlc")!;
        const d = mediaOf(monitor, "vlc")!;
        assertEquals(st.state, "up", st.last!.message);
        assertEquals([d.codec, d.width, d.height, d.transport], ["h264", 320, 240, "udp"]);
        assertEquals(d.attempts, [
          { transport: "tcp", outcome: "unsupported-transport" },
          { transport: "udp", outcome: "ok" },
        ]);
        assert(Math.abs(Number(d.fps) - 10) < 1, `fps ${d.fps}`);
        assertEquals((d.picture as Details).verified, true);
      },
    );
  } finally {
    await vlc.stop();
  }
});

Deno.test("createMediaTask() flags black at once and frozen within freeze_seconds + one cadence, behind Digest", async () => {
  const [user, password] = ["viewer", `pw${crypto.randomUUID().slice(0, 8)}`];
  const [black, still] = await Promise.all([
    startRtspServer({ pattern: "black", auth: "digest", user, password }),
    startRtspServer({ pattern: "smpte", auth: "digest", user, password }),
  ]);
  try {
    await withDaemon(
      `heartbeat_seconds: 2
streams:
  - {name: black, url: "${black.url(user, password)}", media_check_seconds: 10}
  - {name: still, url: "${still.url(user, password)}", media_check_seconds: 10, freeze_seconds: 5}
`,
      async ({ monitor, t0 }) => {
        await until(
          () => monitor.status("black")?.state === "degraded",
          15_000,
          "black not degraded",
        );
        assertEquals(monitor.status("black")!.last!.message, "picture black");
        // Still for 2 s in the first check (not yet 5), then carried over to the second.
        await until(() => monitor.status("still")?.state === "degraded", 25_000, "not frozen");
        const tookS = (Date.now() - t0) / 1000;
        assert(tookS <= 5 + 10 + 6, `frozen after ${tookS} s (freeze 5 s, cadence 10 s)`);
        assertStringIncludes(monitor.status("still")!.last!.message, "picture frozen for");
        const d = mediaOf(monitor, "still")!;
        assertEquals([d.codec, d.transport, (d.picture as Details).frozen], ["h264", "tcp", true]);
      },
      secretForms(user, password),
    );
  } finally {
    await Promise.all([black.stop(), still.stop()]);
  }
});

Deno.test("createMediaTask() says 'picture not verified' for an undecodable keyframe and ends no incident", async () => {
  const { packets, sdpMedia } = await h264Capture();
  const camera = startMediaCamera({ sdpMedia, packets: packets.map(garbleIdr) });
  try {
    await withDaemon(
      `heartbeat_seconds: 2
streams:
  - {name: cam, url: "${camera.url}", media_check_seconds: 10}
`,
      async ({ monitor, store }) => {
        await until(() => !!monitor.status("cam")?.last, 5000, "no handshake");
        // An incident a media check opened before (no video): only a verified picture ends it.
        monitor.applyMedia("cam", {
          state: "down",
          message: "no video received",
          details: { packets: 0 },
          latencyMs: 2000,
        });
        await until(() => !!mediaOf(monitor, "cam")?.picture, 15_000, "no media check");
        const d = mediaOf(monitor, "cam")!;
        const picture = d.picture as Details;
        assertEquals(picture.verified, false);
        assertStringIncludes(
          String(picture.reason),
          "picture not verified: keyframe not decodable",
        );
        const st = monitor.status("cam")!;
        assertEquals([st.state, st.last!.message], ["down", "no video received"]);
        // The handshakes after it (RTSP 200) fold in the last verified verdict: still down.
        const at = st.last!.ts;
        await until(() => monitor.status("cam")!.last!.ts > at, 5000, "no later handshake");
        assertEquals(monitor.status("cam")!.state, "down");
        assertEquals(store.incidents("cam")[0].end, null, "the incident ended");
        assertEquals(d.codec, "h264"); // the facts are still reported
      },
    );
  } finally {
    await camera.stop();
  }
});

/**
 * Zeroes the slice data of an IDR's RTP packets (FU-A or single NAL), keeping the headers the
 * depacketiser reads (and first_mb_in_slice = 0): the keyframe assembles whole, but ffmpeg makes
 * no picture of it (runs of zeros are invalid in a NAL; random or patterned bytes are not
 * reliably refused: ffmpeg conceals them into a picture).
 */
function garbleIdr(packet: Uint8Array): Uint8Array {
  const at = 12 + (packet[0] & 0x0f) * 4;
  const type = packet[at] & 0x1f;
  const fuIdr = type === 28 && (packet[at + 1] & 0x1f) === 5;
  if (!fuIdr && type !== 5) return packet;
  const start = type === 5 || (packet[at + 1] & 0x80) !== 0;
  const keep = at + (type === 28 ? 2 : 1) + (start ? 2 : 0);
  const out = packet.slice();
  out.fill(0, keep);
  return out;
}
