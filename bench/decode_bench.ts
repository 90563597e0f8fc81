/**
 * Picture-decoder figures (issue 11, point 3): CPU per keyframe for the long-lived ffmpeg pool,
 * one-shot ffmpeg and jpeg-js, at 320×240 and 1280×720. `deno run -A bench/decode_bench.ts`.
 * CPU counts this process plus its children (live ones from /proc/PID/stat, reaped ones from
 * /proc/self/stat's cutime/cstime).
 */

import process from "node:process";
import {
  createJpegDecoder,
  createOneShotDecoder,
  createStreamDecoder,
  type Decoder,
} from "../monitor/media/decode/mod.ts";
import type { RtpCodec } from "../monitor/media/rtp/mod.ts";
import { encodeJpegs, encodeKeyframes, SOURCES } from "../tests/monitor/media/decode/keyframes.ts";

const TICK_MS = 10; // USER_HZ 100
const N = 30;
const live = new Set<number>();

function childTicks(pid: number | "self"): number[] {
  const f = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return [+f[11] + +f[12], +f[13] + +f[14]]; // utime+stime, cutime+cstime
}
function cpuMs(): number {
  const own = process.cpuUsage();
  let ms = (own.user + own.system) / 1000 + childTicks("self")[1] * TICK_MS;
  for (const pid of live) {
    try {
      ms += childTicks(pid)[0] * TICK_MS;
    } catch { /* exited: counted in cutime once reaped */ }
  }
  return ms;
}

async function measure(name: string, d: Decoder, codec: RtpCodec, units: Uint8Array[]) {
  for (const u of units.slice(0, 3)) await d.decode(codec, u); // warm up (spawn, calibration)
  const c0 = cpuMs();
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < N; i++) if ((await d.decode(codec, units[i % units.length])).ok) ok++;
  const cpu = (cpuMs() - c0) / N;
  const wall = (performance.now() - t0) / N;
  console.log(`${name.padEnd(34)} ${cpu.toFixed(1).padStart(6)} CPU-ms ${wall.toFixed(1)} ms wall`);
  if (ok !== N) console.log(`  only ${ok}/${N} decoded`);
}

for (const size of ["320x240", "1280x720"]) {
  for (const codec of ["H264", "H265"] as const) {
    const units = await encodeKeyframes(codec, SOURCES.moving, { size, count: 10 });
    const stream = createStreamDecoder({ size: 1, onSpawn: (pid) => live.add(pid) });
    await measure(`(a) pool ${codec} ${size}`, stream, codec, units);
    await stream.close();
    const oneShot = createOneShotDecoder({ size: 1 });
    await measure(`(b) one-shot ${codec} ${size}`, oneShot, codec, units);
    await oneShot.close();
  }
  const jpegs = await encodeJpegs(SOURCES.moving, { size, count: 10 });
  const jpeg = createJpegDecoder();
  await measure(`(d) jpeg-js ${size}`, jpeg, "JPEG", jpegs);
  const stream = createStreamDecoder({ size: 1, onSpawn: (pid) => live.add(pid) });
  const h264 = await encodeKeyframes("H264", SOURCES.moving, { size, count: 10 });
  const c0 = cpuMs();
  for (let i = 0; i < 5; i++) await stream.decode("H264", h264[i], { snapshot: true });
  console.log(
    `(a) pool H264 ${size} + snapshot`.padEnd(34),
    ((cpuMs() - c0) / 5).toFixed(1),
    "CPU-ms",
  );
  await stream.close();
  const c1 = cpuMs();
  for (let i = 0; i < 5; i++) await jpeg.decode("JPEG", jpegs[i], { snapshot: true });
  console.log(
    `(d) jpeg-js ${size} + snapshot`.padEnd(34),
    ((cpuMs() - c1) / 5).toFixed(1),
    "CPU-ms",
  );
}
console.log(`rss ${(Deno.memoryUsage().rss / 1e6).toFixed(0)} MB`);
