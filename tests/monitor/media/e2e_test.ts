import { assert, assertEquals } from "../../assert.ts";
import { createBus } from "../../../monitor/bus.ts";
import { parseConfig } from "../../../monitor/config/parse.ts";
import { createLogger } from "../../../monitor/log.ts";
import { createMediaTask } from "../../../monitor/media/task.ts";
import { createMonitor } from "../../../monitor/monitor.ts";
import { validateJpeg } from "../../../monitor/probes/jpeg.ts";
import { selectProbe } from "../../../monitor/probes/mod.ts";
import { openStore } from "../../../monitor/store/mod.ts";
import { apiSnapshotRoutes } from "../../../web/api/snapshot.ts";
import { startRtspServer } from "../../fixtures/rtsp.ts";

async function until(cond: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** PIDs of ffprobe/ffmpeg processes whose command line holds `marker` (read-only lookup). */
async function mediaPids(marker: string): Promise<string[]> {
  const out = await new Deno.Command("pgrep", { args: ["-f", `ff(probe|mpeg) .*${marker}`] })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
}

Deno.test("createMediaTask() with the real monitor marks a still picture degraded", async () => {
  const [ball, smpte] = await Promise.all([
    startRtspServer({ pattern: "ball" }),
    startRtspServer({ pattern: "smpte" }),
  ]);
  const dataDir = await Deno.makeTempDir();
  const store = openStore(":memory:");
  const ctrl = new AbortController();
  const running: Promise<void>[] = [];
  try {
    const config = parseConfig(`
heartbeat_seconds: 2
streams:
  - {name: moving, url: "${ball.url()}", media_check_seconds: 10}
  - {name: frozen, url: "${smpte.url()}", media_check_seconds: 10, freeze_seconds: 1}
`);
    const bus = createBus();
    const logger = createLogger({ write: () => {} });
    const monitor = createMonitor({ store, bus, logger, selectProbe, maxConcurrent: 4 });
    monitor.applyStreams(config.streams);
    const media = createMediaTask({ monitor, bus, logger, config: () => config, dataDir });
    running.push(monitor.run(ctrl.signal), media.run(ctrl.signal));

    await until(
      () => monitor.status("frozen")?.state === "degraded" && !!monitor.status("moving")?.last,
      25_000,
      "frozen stream not degraded",
    );
    const frozen = monitor.status("frozen")!;
    assert(frozen.last!.message.startsWith("picture frozen for"), frozen.last!.message);
    const facts = frozen.last!.details.media as Record<string, unknown>;
    assertEquals([facts.codec, facts.width, facts.height], ["h264", 320, 240]);
    await until(
      () => !!monitor.status("moving")?.last?.details.media,
      15_000,
      "no media facts for the moving stream",
    );
    assertEquals(monitor.status("moving")!.state, "up");

    const app = apiSnapshotRoutes({
      snapshot: media.snapshot,
      hasStream: (n) => monitor.streams().some((s) => s.name === n),
    });
    for (const path of ["moving/snapshot.jpg", "frozen/snapshot.jpg?kind=failure"]) {
      const res = await app.request(`/api/streams/${path}`);
      assertEquals([res.status, res.headers.get("content-type")], [200, "image/jpeg"], path);
      assert(validateJpeg(new Uint8Array(await res.arrayBuffer())).valid, `${path} is no JPEG`);
    }
    assertEquals(media.health().errors, 0);
  } finally {
    ctrl.abort();
    await Promise.all(running);
    store.close();
    await Promise.all([ball.stop(), smpte.stop()]);
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("createMediaTask() stops a removed stream's check at once and leaves no ffmpeg behind when stopped", async () => {
  const ball = await startRtspServer({ pattern: "ball" });
  const dataDir = await Deno.makeTempDir();
  const marker = `stop${crypto.randomUUID().slice(0, 8)}`;
  const config = parseConfig(`
streams:
  - {name: a, url: "${ball.url()}?m=${marker}"}
  - {name: b, url: "${ball.url()}?m=${marker}b"}
`);
  const bus = createBus();
  const logger = createLogger({ write: () => {} });
  const applied: string[] = [];
  const ours = new Set<number>(); // this task's decoder children (other test files share the pid)
  const media = createMediaTask({
    monitor: {
      applyMedia: (name) => void applied.push(name),
      status: () => undefined,
      probeOnce: () => Promise.resolve({ ok: true, latencyMs: 1, message: "", details: {} }),
    },
    bus,
    logger,
    config: () => config,
    dataDir,
    decoderOptions: { onSpawn: (pid) => void ours.add(pid) },
  });
  const ctrl = new AbortController();
  const running = media.run(ctrl.signal);
  try {
    // a's check starts at once, b's 1 s later (phase spreading); a session lasts about 3 s.
    await new Promise((r) => setTimeout(r, 500));
    bus.emit("config-reloaded", {
      config: parseConfig(`streams: [${JSON.stringify(config.streams[1])}]`),
    });
    await until(() => media.health().decoders!.children > 0, 10_000, "no decoder at work");
    await until(() => applied.includes("b"), 10_000, "no verdict for b");
    assertEquals(applied, ["b"], "the removed stream's check still brought a verdict");
  } finally {
    ctrl.abort();
    await running;
    const alive = (await ffmpegChildren()).filter((pid) => ours.has(pid));
    assertEquals(alive, [], "an ffmpeg child outlived the task");
    assert(ours.size > 0, "no decoder child was seen");
    assertEquals(await mediaPids(marker), [], "a child was given the stream's URL");
    assertEquals(media.health().decoders!.children, 0);
    await ball.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** PIDs of this process's ffmpeg children (the decode pool's), from /proc. */
async function ffmpegChildren(): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
      if (ppid === Deno.pid && /^\S*ffmpeg\0/.test(cmd)) out.push(Number(e.name));
    } catch { /* ended meanwhile */ }
  }
  return out;
}
