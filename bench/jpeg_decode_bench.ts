/** Decode CPU of the native MJPEG and HLS samplers at 320×240, 1280×720 and 1920×1080. */

// Usage: deno run -A bench/jpeg_decode_bench.ts [--frames 40]
// MJPEG: ffmpeg's testsrc2 as MJPEG (-q:v 5, 4:2:0, the kind a camera sends) → jpeg-js → grey
// copy (monitor/media/mjpeg/grid.ts); CPU is this process's user+system time over the loop,
// after warm-up decodes so the JIT has settled. HLS: a 2 s x264 segment (keyframe each second)
// demuxed here, its two keyframes decoded by one ffmpeg on stdin to JPEGs, those to grey copies;
// CPU is ffmpeg's (children time from /proc/self/stat) plus ours. Prints tables; never fails.

import process from "node:process";
import { parseArgs } from "node:util";
import { jpegToGrey } from "../monitor/media/mjpeg/mod.ts";
import { decodeKeyframes, demuxTs } from "../monitor/media/hls/mod.ts";
import { createProcessPool } from "../monitor/media/process_pool.ts";
import { clockTicks } from "./proc.ts";

const args = parseArgs({ args: Deno.args, options: { frames: { type: "string", default: "40" } } });
const n = Number(args.values.frames);

async function jpeg(size: string): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi", "-i", `testsrc2=size=${size}`]
      .concat(["-frames:v", "1", "-c:v", "mjpeg", "-q:v", "5", "-f", "image2pipe", "-"]),
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.stdout;
}

console.log(`jpeg-js decode → ${"160×120"} grey copy, ${n} frames each`);
console.log("  size        JPEG bytes   CPU ms/frame   wall ms/frame");
for (const size of ["320x240", "1280x720", "1920x1080"]) {
  const bytes = await jpeg(size);
  for (let i = 0; i < 5; i++) jpegToGrey(bytes, { maxPixels: 1920 * 1088 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = jpegToGrey(bytes, { maxPixels: 1920 * 1088 });
    if (!r.ok) throw new Error(r.reason);
  }
  const wall = (performance.now() - t0) / n;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000 / n;
  console.log(
    `  ${size.padEnd(12)}${String(bytes.length).padEnd(13)}${cpu.toFixed(1).padEnd(15)}${
      wall.toFixed(1)
    }`,
  );
}

/** CPU seconds of this process's reaped children (cutime + cstime). */
function childrenCpu(ticks: number): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / ticks;
}

const ticks = await clockTicks();
const runs = Math.max(5, Math.round(n / 4));
console.log(`\nHLS: 2 keyframes → ffmpeg (stdin) → JPEG ≤ 640 px → grey, ${runs} runs each`);
console.log("  size        keyframe bytes   ffmpeg CPU ms   ours CPU ms   wall ms");
for (const size of ["320x240", "1280x720", "1920x1080"]) {
  const ts = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi", "-i"]
      .concat([`testsrc2=size=${size}:rate=10`, "-t", "2", "-c:v", "libx264", "-preset"])
      .concat(["ultrafast", "-g", "10", "-pix_fmt", "yuv420p", "-f", "mpegts", "-"]),
    stdout: "piped",
    stderr: "null",
  }).output();
  const v = demuxTs(ts.stdout);
  const kb = v.keyframes.reduce((s, k) => s + k.annexB.length, 0);
  let ffmpegS = 0, oursMs = 0, wallMs = 0;
  for (let i = 0; i < runs; i++) {
    const k0 = childrenCpu(ticks);
    const t0 = performance.now();
    const dec = await decodeKeyframes(v.keyframes, v.codec!, { run: createProcessPool().run });
    if (!dec.ok) throw new Error(dec.problem);
    ffmpegS += childrenCpu(ticks) - k0;
    const c0 = process.cpuUsage();
    for (const j of dec.jpegs) jpegToGrey(j);
    const c = process.cpuUsage(c0);
    oursMs += (c.user + c.system) / 1000;
    wallMs += performance.now() - t0;
  }
  const row = [size.padEnd(12), String(kb).padEnd(17), (ffmpegS * 1000 / runs).toFixed(0)]
    .concat([(oursMs / runs).toFixed(1), (wallMs / runs).toFixed(0)]);
  console.log(`  ${row[0]}${row[1]}${row[2].padEnd(16)}${row[3].padEnd(14)}${row[4]}`);
}
