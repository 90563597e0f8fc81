/** Measures media checks: CPU and wall per ffprobe check and per frame sample, streams per core, RSS. */
// Run: deno run -A bench/media_bench.ts [--runs 5]

import { parseArgs } from "node:util";
import { type MediaSource, probeMedia } from "../monitor/media/ffprobe.ts";
import { sampleFrames } from "../monitor/media/frames.ts";
import { type CommandRunner, createProcessPool } from "../monitor/media/process_pool.ts";
import { startMediaServer } from "../tests/fixtures/media_server.ts";
import { startRtspServer } from "../tests/fixtures/rtsp.ts";

interface Usage {
  wall: number;
  cpu: number;
  rssMb: number;
}

/** Wraps each command in `/usr/bin/time` and keeps its wall, CPU and peak RSS. */
function timedRunner(max: number, seen: Usage[]): CommandRunner {
  const pool = createProcessPool({ max });
  return async (cmd, args, o) => {
    const out = await Deno.makeTempFile({ prefix: "media-bench-" });
    try {
      const res = await pool.run(
        "/usr/bin/time",
        ["-f", "%e %U %S %M", "-o", out, cmd, ...args],
        o,
      );
      const [wall, user, sys, kb] = (await Deno.readTextFile(out)).trim().split(/\s+/).slice(-4)
        .map(Number);
      seen.push({ wall, cpu: user + sys, rssMb: kb / 1024 });
      return res;
    } finally {
      await Deno.remove(out);
    }
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(url: string, source: MediaSource, runs: number) {
  const probe: Usage[] = [];
  const frames: Usage[] = [];
  for (let i = 0; i < runs; i++) {
    const io = { source, ioTimeoutSeconds: 5 };
    const facts = await probeMedia(url, { ...io, run: timedRunner(1, probe) });
    if (facts.packets === 0) throw new Error(`no video from ${url}`);
    const dir = await Deno.makeTempDir();
    try {
      await sampleFrames(url, { ...io, run: timedRunner(1, frames), jpegDir: dir });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  const pick = (u: Usage[], k: keyof Usage) => median(u.map((x) => x[k]));
  return {
    probeWall: pick(probe, "wall"),
    probeCpu: pick(probe, "cpu"),
    framesWall: pick(frames, "wall"),
    framesCpu: pick(frames, "cpu"),
    rss: Math.max(...probe.map((u) => u.rssMb), ...frames.map((u) => u.rssMb)),
  };
}

const { values } = parseArgs({ args: Deno.args, options: { runs: { type: "string" } } });
const runs = Number(values.runs ?? 5);
const small = await startRtspServer({ pattern: "ball" });
const hd = await startRtspServer({ pattern: "ball", width: 1920, height: 1080 });
const http = await startMediaServer({ hls: true });
try {
  const rows: [string, string, MediaSource][] = [
    ["RTSP H264 320x240 10 fps", small.url(), "rtsp"],
    ["RTSP H264 1920x1080 10 fps", hd.url(), "rtsp"],
    ["MJPEG 320x240 10 fps", http.url("/mjpeg"), "http"],
    ["HLS H264 320x240 10 fps", http.url("/hls/index.m3u8"), "hls"],
  ];
  console.log(`median of ${runs} runs; CPU = user + sys of the child (/usr/bin/time)\n`);
  console.log(
    "| source | ffprobe wall s | ffprobe CPU s | sample wall s | sample CPU s | CPU s/check " +
      "| streams/core @60 s (CPU) | streams/slot @60 s (wall) | peak RSS MB |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [name, url, source] of rows) {
    const m = await measure(url, source, runs);
    const cpu = m.probeCpu + m.framesCpu;
    console.log(
      `| ${name} | ${m.probeWall.toFixed(2)} | ${m.probeCpu.toFixed(2)} | ` +
        `${m.framesWall.toFixed(2)} | ${m.framesCpu.toFixed(2)} | ${cpu.toFixed(2)} | ` +
        `${Math.floor(60 / cpu)} | ${Math.floor(60 / (m.probeWall + m.framesWall))} | ` +
        `${m.rss.toFixed(0)} |`,
    );
  }
  // Eight ffprobe at once on one stream: they overlap fully, so peaks add up.
  const eight: Usage[] = [];
  const run = timedRunner(8, eight);
  await Promise.all(
    Array.from(
      { length: 8 },
      () => probeMedia(small.url(), { source: "rtsp", ioTimeoutSeconds: 5, run }),
    ),
  );
  const sum = eight.reduce((n, u) => n + u.rssMb, 0);
  console.log(
    `\n8 ffprobe at once (RTSP 320x240): peak RSS ${sum.toFixed(0)} MB in total, ` +
      `${Math.max(...eight.map((u) => u.rssMb)).toFixed(0)} MB the largest, ` +
      `wall ${Math.max(...eight.map((u) => u.wall)).toFixed(2)} s`,
  );
} finally {
  await Promise.all([small.stop(), hd.stop(), http.stop()]);
}
