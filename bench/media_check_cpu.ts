/**
 * CPU of one media check on GStreamer's 320×240 10 fps fixture, serial checks (`deno run -A
 * bench/media_check_cpu.ts [N]`): the native path as the daemon runs it (one sampler, one decode
 * pool, warmed up), the same with a snapshot every check, and the ffprobe + ffmpeg pair through
 * the relay. Deno's CPU from /proc/self/stat, the decoders' from their /proc/<pid>/stat, exited
 * children's from cutime/cstime (10 ms ticks: N checks are averaged).
 */

import { runMediaCheck } from "../monitor/media/check.ts";
import { ffmpegFindings } from "../monitor/media/check_ffmpeg.ts";
import { finishCheck } from "../monitor/media/check_core.ts";
import { createPictureDecoder } from "../monitor/media/decode/mod.ts";
import { createRtspMediaSampler } from "../monitor/media/rtsp/mod.ts";
import { createProcessPool } from "../monitor/media/process_pool.ts";
import { createSnapshotStore } from "../monitor/media/snapshots.ts";
import { startRtspServer } from "../tests/fixtures/rtsp.ts";
import { testStream } from "../tests/fixtures/media_server.ts";

const TICK = 100;
const stat = (pid: string | number) => {
  const s = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return {
    self: (Number(f[11]) + Number(f[12])) / TICK,
    kids: (Number(f[13]) + Number(f[14])) / TICK,
  };
};
const N = Number(Deno.args[0] ?? 10);
const srv = await startRtspServer({ pattern: "ball" });
const dir = await Deno.makeTempDir();
const snapshots = createSnapshotStore(dir);
const stream = testStream(srv.url(), { name: "ball" });
try {
  // Native, as the daemon runs it: one sampler, one decoder pool; one warm-up check spawns the child.
  const pids: number[] = [];
  const decoder = createPictureDecoder({ onSpawn: (p) => pids.push(p) });
  const sampler = createRtspMediaSampler();
  let memory = {};
  const pool = createProcessPool({ max: 2 });
  const o = { run: pool.run, signal: AbortSignal.timeout(600_000), snapshots };
  memory = (await runMediaCheck(stream, { ...o, memory, decoder, sampler }))!.memory; // warm-up + snapshot
  const kidCpu = () =>
    pids.reduce((s, p) => {
      try {
        return s + stat(p).self;
      } catch {
        return s;
      }
    }, 0);
  let a = stat("self"), ka = kidCpu(), t = performance.now();
  for (let i = 0; i < N; i++) {
    memory = (await runMediaCheck(stream, { ...o, memory, decoder, sampler }))!.memory;
  }
  let b = stat("self"), kb = kidCpu();
  console.log(
    `native: per check ${((b.self - a.self) / N * 1000).toFixed(1)} ms Deno + ${
      ((kb - ka) / N * 1000).toFixed(1)
    } ms decoder children, wall ${((performance.now() - t) / N).toFixed(0)} ms`,
  );
  // Native with a snapshot every check (the decode pool's long-lived snapshot child).
  a = stat("self");
  ka = kidCpu();
  t = performance.now();
  for (let i = 0; i < N; i++) {
    memory = (await runMediaCheck(stream, {
      ...o,
      memory: { ...memory, snapshot: undefined },
      decoder,
      sampler,
    }))!.memory;
  }
  b = stat("self");
  kb = kidCpu();
  console.log(
    `native + snapshot: per check ${((b.self - a.self) / N * 1000).toFixed(1)} ms Deno + ${
      ((kb - ka) / N * 1000 + (b.kids - a.kids) / N * 1000).toFixed(1)
    } ms children, wall ${((performance.now() - t) / N).toFixed(0)} ms`,
  );
  await decoder.close();
  // The old pair: ffprobe + ffmpeg (3 fps grey + JPEG) through the relay, each check.
  a = stat("self");
  t = performance.now();
  let m2 = {};
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const f = await ffmpegFindings(stream, "rtsp", { ...o, memory: m2 });
    m2 =
      (await finishCheck(stream, f, { ...o, memory: { ...m2, snapshot: undefined } }, t0)).memory;
  }
  b = stat("self");
  console.log(
    `ffprobe+ffmpeg: per check ${((b.self - a.self) / N * 1000).toFixed(1)} ms Deno + ${
      ((b.kids - a.kids) / N * 1000).toFixed(1)
    } ms children, wall ${((performance.now() - t) / N).toFixed(0)} ms`,
  );
  await pool.killAll();
} finally {
  await srv.stop();
  await Deno.remove(dir, { recursive: true });
}
