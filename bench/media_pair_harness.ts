/**
 * The ffprobe + ffmpeg pair as the media task ran it before the native path (check.ts at 5030130):
 * per stream a loop on its cadence, probeMedia then sampleFrames with a JPEG, through a process
 * pool of `max_media_processes` (default: the cores). media_scale_bench.ts uses it with
 * `--pair harness` (or when the daemon has no STREAMPULSE_MEDIA_BACKEND). As a program it prints `{"ready":true}`, answers each
 * line on stdin with its counters as one JSON line, and exits when stdin closes.
 */

import { parseArgs } from "node:util";
import { probeMedia } from "../monitor/media/ffprobe.ts";
import { sampleFrames } from "../monitor/media/frames.ts";
import { type CommandRunner, createProcessPool } from "../monitor/media/process_pool.ts";
import { type Children, cpuSeconds, lines, machineBusySeconds, memoryMb } from "./proc.ts";
import { treeCpuSeconds } from "./proc.ts";
import { TreeSampler } from "./proc_tree.ts";
import type { Span } from "./media_scale_run.ts";

const SELF = decodeURIComponent(new URL(import.meta.url).pathname);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The harness's counters since it started. */
interface Counters {
  started: number;
  within5s: number;
  within05s: number;
  latenessSumS: number;
  done: number;
  ok: number;
  /** ffprobe and ffmpeg runs finished (a check whose ffprobe found no video has one). */
  runs: number;
  /** Wall time of each finished check (ffprobe + sample, queueing for a slot included), ms. */
  checkMs: number[];
}

/** What {@link runPair} measured. */
export interface PairFigures {
  window: Span;
  due: number;
  done: number;
  ok: number;
  started: number;
  within5s: number;
  within05s: number;
  latenessSumS: number;
  checkMs: number[];
  processRuns: number;
  peakRssMb: number;
  peakChildrenRssMb: number;
  peakChildren: number;
  childCpu: [string, number][];
}

/** Runs the harness on the same streams for `warmS` + `windowS` seconds. */
export async function runPair(s: {
  urls: string[];
  cadenceS: number;
  warmS: number;
  windowS: number;
  replayPid: number;
  ticks: number;
  children: Children;
}): Promise<PairFigures> {
  const urlFile = await Deno.makeTempFile({ prefix: "media-pair-urls-" });
  await Deno.writeTextFile(urlFile, s.urls.join("\n"));
  const child = s.children.spawn("pair", Deno.execPath(), {
    args: ["run", "--allow-all", SELF, `--urls=${urlFile}`, `--cadence=${s.cadenceS}`],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  });
  const pid = child.process.pid;
  const writer = child.process.stdin.getWriter();
  const replies = lines(child.process.stdout);
  if (!(await replies.next()).value) throw new Error("The pair harness ended at start");
  const snap = async () => {
    await writer.write(new TextEncoder().encode("\n"));
    const line = (await replies.next()).value;
    if (!line) throw new Error("The pair harness ended early");
    return {
      t: Date.now(),
      tree: treeCpuSeconds(pid, s.ticks),
      self: cpuSeconds(pid, s.ticks),
      replay: cpuSeconds(s.replayPid, s.ticks),
      own: cpuSeconds(Deno.pid, s.ticks),
      all: machineBusySeconds(s.ticks),
      load1: Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]),
      c: JSON.parse(line) as Counters,
    };
  };
  await sleep(s.warmS * 1000);
  const tree = new TreeSampler(pid, s.ticks);
  tree.mark();
  const a = await snap();
  const end = performance.now() + s.windowS * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(100, end - performance.now()));
    tree.sample();
  }
  const b = await snap();
  const peakRssMb = memoryMb(pid).hwm;
  await writer.close().catch(() => {});
  await s.children.stop(child);
  await Deno.remove(urlFile).catch(() => {});
  const d = (k: Exclude<keyof Counters, "checkMs">) => b.c[k] - a.c[k];
  return {
    window: {
      seconds: (b.t - a.t) / 1000,
      treeCpuS: b.tree - a.tree,
      selfCpuS: b.self - a.self,
      replayCpuS: b.replay - a.replay,
      otherCpuS: (b.all - a.all) - (b.tree - a.tree) - (b.replay - a.replay) - (b.own - a.own),
      handshakes: 0,
      handshakesOnTime: 0,
      load1: b.load1,
    },
    due: Math.round((s.urls.length * (b.t - a.t)) / 1000 / s.cadenceS),
    done: d("done"),
    ok: d("ok"),
    started: d("started"),
    within5s: d("within5s"),
    within05s: d("within05s"),
    latenessSumS: d("latenessSumS"),
    processRuns: d("runs"),
    checkMs: b.c.checkMs.slice(a.c.checkMs.length).sort((x, y) => x - y),
    peakRssMb,
    peakChildrenRssMb: tree.peakChildrenRssMb,
    peakChildren: tree.peakChildren,
    childCpu: tree.byComm(),
  };
}

/** One stream's loop: due times and lateness by the rules of monitor/media/cadence.ts. */
async function loop(
  url: string,
  offsetMs: number,
  o: { everyMs: number; c: Counters; jpegDir: string; run: CommandRunner },
) {
  const { everyMs, c, jpegDir, run } = o;
  let due = Date.now() + offsetMs;
  for (;;) {
    await sleep(due - Date.now());
    const t = Date.now();
    const late = (t - due) / 1000;
    c.started++;
    c.latenessSumS += late;
    if (late <= 5) c.within5s++;
    if (late <= 0.5) c.within05s++;
    due = t + everyMs;
    const io = { source: "rtsp" as const, ioTimeoutSeconds: 5, run };
    let ok = false;
    try {
      const facts = await probeMedia(url, io).finally(() => c.runs++);
      if (facts.packets > 0) {
        const sample = await sampleFrames(url, { ...io, jpegDir }).finally(() => c.runs++);
        ok = sample.frames > 0;
      }
    } catch { /* a failed check is counted as done, not ok */ }
    c.done++;
    if (ok) c.ok++;
    c.checkMs.push(Date.now() - t);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { urls: { type: "string" }, cadence: { type: "string", default: "60" } },
  });
  const urls = (await Deno.readTextFile(values.urls!)).split("\n").filter(Boolean);
  const everyMs = Number(values.cadence) * 1000;
  const pool = createProcessPool({ max: navigator.hardwareConcurrency });
  const jpegDir = await Deno.makeTempDir({ prefix: "media-pair-jpeg-" });
  const c: Counters = {
    started: 0,
    within5s: 0,
    within05s: 0,
    latenessSumS: 0,
    done: 0,
    ok: 0,
    runs: 0,
    checkMs: [],
  };
  // Phase spreading as the media task does it: stream i is first due i × min(cadence / N, 1 s).
  const step = Math.min(everyMs / urls.length, 1000);
  urls.forEach((u, i) => loop(u, i * step, { everyMs, c, jpegDir, run: pool.run }));
  console.log(JSON.stringify({ ready: true }));
  for await (const _ of lines(Deno.stdin.readable)) console.log(JSON.stringify(c));
  await pool.killAll();
  await Deno.remove(jpegDir, { recursive: true }).catch(() => {});
  Deno.exit(0);
}
