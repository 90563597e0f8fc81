import { assert, assertEquals } from "../../assert.ts";
import { createBus } from "../../../monitor/bus.ts";
import { parseConfig } from "../../../monitor/config/parse.ts";
import { createLogger } from "../../../monitor/log.ts";
import type { PictureDecoder } from "../../../monitor/media/decode/mod.ts";
import { GRID_HEIGHT, GRID_WIDTH } from "../../../monitor/media/frames.ts";
import type { CommandRunner } from "../../../monitor/media/process_pool.ts";
import {
  createUdpPortPool,
  type RtspMediaSample,
  type RtspMediaSampler,
} from "../../../monitor/media/rtsp/mod.ts";
import { createMediaTask, type MediaTask } from "../../../monitor/media/task.ts";
import type { MediaVerdict } from "../../../monitor/status/state.ts";
import type { StreamState } from "../../../monitor/types.ts";

/** A session sample with `extra` over the facts of a live 320x240 H.264 stream at 10 fps. */
function sampleOf(extra: Partial<RtspMediaSample> = {}): RtspMediaSample {
  const key = (timestamp: number, byte: number) => ({
    timestamp,
    data: new Uint8Array([byte]),
    complete: true,
  });
  return {
    ok: true,
    transport: "tcp",
    attempts: [{ transport: "tcp", outcome: "ok" }],
    codec: "H264",
    profile: 66,
    level: 2.1,
    width: 320,
    height: 240,
    fps: 10,
    bitrateKbps: 72,
    keyframeIntervalSeconds: 1,
    timeToFirstKeyframeMs: 120,
    packets: 40,
    bytes: 18_000,
    frames: 20,
    keyframeCount: 3,
    lostPackets: 0,
    lossRatio: 0,
    ignoredPackets: 0,
    problems: [],
    windowMs: 2000,
    keyframes: [key(0, 0), key(90_000, 1), key(180_000, 0)], // the first is not judged
    ...extra,
  };
}

/**
 * A sampler answering like a live camera (`noVideo`: PLAY answered, nothing sent; `hang`: waits
 * for the abort) and a decoder whose pictures move (the grid follows the keyframe's byte), or
 * that decodes none (`noFrames`).
 */
function fakeCamera(opts: { hang?: boolean; noVideo?: boolean; noFrames?: boolean } = {}) {
  const calls: { url: string; signal: AbortSignal }[] = [];
  const sampler: RtspMediaSampler = {
    ports: createUdpPortPool({ pairs: 1 }),
    async sample(stream, ctx) {
      calls.push({ url: stream.url, signal: ctx.signal });
      if (opts.hang) {
        await new Promise((r) => ctx.signal.addEventListener("abort", r, { once: true }));
      }
      const media = opts.noVideo
        ? sampleOf({ ok: false, cause: "no-video", problem: "no video received", packets: 0 })
        : sampleOf();
      return { result: { ok: true, latencyMs: 1, message: "RTSP 200", details: {} }, media };
    },
  };
  const decoder: PictureDecoder = {
    decode: (_codec, bytes) =>
      Promise.resolve(
        opts.noFrames ? { ok: false, problem: "picture not decoded: garbage" } : {
          ok: true,
          picture: {
            width: 320,
            height: 240,
            grid: new Uint8Array(GRID_WIDTH * GRID_HEIGHT).fill(bytes[0] ? 250 : 90),
            darkRatio: 0,
            luma: 120,
          },
        },
      ),
    stats: () => ({ size: 1, busy: 0, queued: 0, refused: 0, children: 0 }),
    close: () => Promise.resolve(),
  };
  /** ffprobe/ffmpeg must not run for an H.264 RTSP stream. */
  const runner: CommandRunner = () => Promise.reject(new Error("ffprobe/ffmpeg run"));
  return { sampler, decoder, runner, calls };
}

const CONFIG = `
streams:
  - {name: cam, url: "rtsp://cam.invalid/live", media_check_seconds: 10}
  - {name: still, url: "http://cam.invalid/snapshot.jpg"}
  - {name: off, url: "rtsp://cam.invalid/off", media: false}
  - {name: paused, url: "rtsp://cam.invalid/paused", enabled: false}
`;

async function withTask(
  opts: {
    hang?: boolean;
    noVideo?: boolean;
    noFrames?: boolean;
    reachable?: boolean;
    state?: StreamState;
    /** `cam`'s media_check_seconds, below the config's minimum (short tests). */
    everySeconds?: number;
    minGraceMs?: number;
    /** Fleet mode: the streams this node checks (absent: all). */
    owned?: Set<string>;
  },
  body: (t: {
    calls: ReturnType<typeof fakeCamera>["calls"];
    applied: [string, MediaVerdict][];
    states: Map<string, StreamState>;
    bus: ReturnType<typeof createBus>;
    task: MediaTask;
  }) => Promise<void>,
) {
  const dataDir = await Deno.makeTempDir();
  const { sampler, decoder, runner, calls } = fakeCamera(opts);
  const applied: [string, MediaVerdict][] = [];
  const states = new Map<string, StreamState>([["cam", opts.state ?? "up"]]);
  const bus = createBus();
  const config = parseConfig(CONFIG);
  if (opts.everySeconds) config.streams[0].mediaCheckSeconds = opts.everySeconds;
  const task = createMediaTask({
    monitor: {
      applyMedia: (name, v) => void applied.push([name, v]),
      probeOnce: () =>
        Promise.resolve({
          ok: opts.reachable ?? true,
          latencyMs: 1,
          message: opts.reachable === false ? "connection refused" : "RTSP 200",
          details: {},
        }),
      status: (name) => ({
        name,
        kind: "rtsp",
        state: states.get(name) ?? "up",
        since: 0,
        failStreak: 0,
      }),
    },
    bus,
    logger: createLogger({ write: () => {} }),
    config: () => config,
    dataDir,
    runner,
    sampler,
    decoder,
    minGraceMs: opts.minGraceMs,
    owns: opts.owned && ((name) => opts.owned!.has(name)),
  });
  const ctrl = new AbortController();
  const running = task.run(ctrl.signal);
  try {
    await body({ calls, applied, states, bus, task });
  } finally {
    ctrl.abort();
    await running;
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function until(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("createMediaTask() checks only media streams and applies the verdict", async () => {
  await withTask({}, async ({ calls, applied }) => {
    await until(() => applied.length > 0);
    assertEquals(applied[0][0], "cam");
    assertEquals(applied[0][1].state, "up");
    assertEquals(applied[0][1].message, "H264 320x240, 10 fps, 72 kbit/s");
    assertEquals([...new Set(calls.map((c) => c.url))], ["rtsp://cam.invalid/live"]);
    const d = applied[0][1].details;
    assertEquals([d.codec, d.transport, d.keyframeIntervalSeconds], ["h264", "tcp", 1]);
    assertEquals((d.picture as Record<string, unknown>).moving, true);
  });
});

Deno.test("createMediaTask() skips a stream the handshake has down, checks it once back", async () => {
  await withTask({ state: "down" }, async ({ calls, applied, states, bus }) => {
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(calls.length, 0);
    states.set("cam", "up");
    const status = {
      name: "cam",
      kind: "rtsp" as const,
      state: "up" as const,
      since: 0,
      failStreak: 0,
    };
    bus.emit("state-change", { name: "cam", from: "down", to: "up", ts: 0, cause: "", status });
    await until(() => applied.length > 0, 1000); // not the 10 s cadence
    assertEquals(applied[0][1].state, "up");
  });
});

Deno.test("createMediaTask() stops a removed stream's check at once", async () => {
  await withTask({ hang: true }, async ({ calls, applied, bus }) => {
    await until(() => calls.length > 0);
    assert(!calls[0].signal?.aborted);
    bus.emit("config-reloaded", { config: parseConfig("streams: []") });
    assert(calls[0].signal?.aborted, "the running process was not told to die");
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(applied, []);
  });
});

Deno.test("createMediaTask() reports no video only while the handshake still reaches the stream", async () => {
  for (const reachable of [true, false]) {
    await withTask({ noVideo: true, reachable }, async ({ calls, applied }) => {
      const end = Date.now() + 3000;
      while (calls.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      const verdicts = applied.filter(([n]) => n === "cam").map(([, v]) => v.message);
      assertEquals(verdicts, reachable ? ["no video received"] : []);
    });
  }
});

Deno.test("createMediaTask() sets verifiedAt after a good picture, never after an unknown one", async () => {
  const t0 = Date.now();
  await withTask({}, async ({ applied, task }) => {
    await until(() => applied.length > 0);
    assertEquals(task.cadence("off"), undefined, "no media checks, no cadence");
    const at = task.cadence("cam")!.verifiedAt!;
    assert(at >= t0 && at <= Date.now(), `verifiedAt ${at}`);
    assertEquals([task.health().unverified, task.health().overdue], [0, 0]);
  });
  await withTask({ noFrames: true }, async ({ applied, task }) => {
    await until(() => applied.length > 0);
    const v = applied[0][1];
    assertEquals(v.verified, false, "the picture is unknown");
    assertEquals(v.details.picture, {
      verified: false,
      reason: "picture not verified: keyframe not decodable: garbage",
    });
    assertEquals(task.cadence("cam")?.verifiedAt, null);
    assertEquals(task.health().unverified, 1);
  });
});

Deno.test("createMediaTask() says a stream is overdue while its check hangs past cadence + grace", async () => {
  await withTask({ hang: true, everySeconds: 0.2, minGraceMs: 100 }, async ({ calls, task }) => {
    await until(() => calls.length > 0);
    const c = task.cadence("cam")!;
    assertEquals(c.overdue, false);
    await until(() => Date.now() > c.overdueAt, 2000);
    assertEquals(task.cadence("cam")!.overdue, true);
    assertEquals(task.health().overdue, 1);
    assertEquals(task.cadenceFigures().overdue, 1);
    const count = task.cadenceFigures().lateness.samples().find((x) => x.suffix === "_count");
    assertEquals(count?.value, 1, "one check started: one lateness observed");
  });
});

Deno.test("createMediaTask() in a fleet checks only the streams this node owns, and follows reassign()", async () => {
  const owned = new Set<string>();
  await withTask({ owned, everySeconds: 1, minGraceMs: 200 }, async ({ calls, task }) => {
    await new Promise((r) => setTimeout(r, 400));
    assertEquals(calls.length, 0, "another node's stream gets no media check here");
    assertEquals(task.cadence("cam"), undefined, "nor a cadence, so it is never 'overdue' here");
    owned.add("cam");
    task.reassign();
    const end = Date.now() + 5000;
    while (calls.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert(calls.length > 0, "taken over: checked");
    assert(task.cadence("cam") !== undefined);
    owned.delete("cam");
    task.reassign();
    assertEquals(task.cadence("cam"), undefined, "given up: its loop stopped");
  });
});
