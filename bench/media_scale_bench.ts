/** `deno task bench --media`: the real program's media checks at N streams, native vs ffprobe pair. */

// Usage: deno task bench --media [--n 100,500,1000] [--window 90] [--warm 45] [--baseline 15]
//          [--heartbeat 10] [--cadence 60] [--pair auto|daemon|harness|off] [--pair-n 100]
//          [--profile DIR] [--log FILE] [--json FILE]
// Per N: main.ts on N streams of the replay server (tests/fixtures/rtsp_replay.ts, its own
// process) — handshakes only for --baseline s (their CPU), then media checks switched on by a
// config reload, --warm s, then the --window. CPU is StreamPulse + all its children; "net" takes
// the handshakes' baseline rate off. The ffprobe + ffmpeg pair runs on the same streams: in the
// daemon when it has STREAMPULSE_MEDIA_BACKEND (--pair daemon), else (--pair harness) in
// bench/media_pair_harness.ts, the pre-native media task's loop. Figures are printed beside the
// targets of issue 11 (at N = 1,000); a missed target never fails the exit code.

import { parseArgs } from "node:util";
import { Children, clockTicks } from "./proc.ts";
import { type MediaRunFigures, runMedia, streamPath } from "./media_scale_run.ts";
import { type PairFigures, runPair } from "./media_pair_harness.ts";
import { printTable } from "./media_scale_table.ts";
import { spawnReplayServer } from "../tests/fixtures/rtsp_replay_proc.ts";

const ROOT = new URL("../", import.meta.url);

/** True when the daemon's media check reads STREAMPULSE_MEDIA_BACKEND (the ffprobe path). */
async function daemonHasBackendSwitch(): Promise<boolean> {
  for await (const e of Deno.readDir(new URL("monitor/media/", ROOT))) {
    if (!e.isFile || !e.name.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(new URL(`monitor/media/${e.name}`, ROOT));
    if (text.includes("STREAMPULSE_MEDIA_BACKEND")) return true;
  }
  return false;
}

/** HEAD and how many files of the program differ from it (others may be editing the tree). */
async function version(): Promise<string> {
  const git = async (...args: string[]) =>
    new TextDecoder().decode(
      (await new Deno.Command("git", { args, cwd: new URL(".", ROOT), stdout: "piped" }).output())
        .stdout,
    ).trim();
  const dirty = (await git("status", "--porcelain", "main.ts", "monitor", "web")).split("\n")
    .filter(Boolean).length;
  return `${await git("rev-parse", "--short", "HEAD")}${
    dirty ? ` + ${dirty} uncommitted files` : ""
  }`;
}

const loadavg = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

async function main(children: Children): Promise<void> {
  const { values: v } = parseArgs({
    args: Deno.args.filter((a) => a !== "--media"),
    options: {
      n: { type: "string", default: "100,500,1000" },
      window: { type: "string", default: "90" },
      warm: { type: "string", default: "45" },
      baseline: { type: "string", default: "15" },
      heartbeat: { type: "string", default: "10" },
      cadence: { type: "string", default: "60" },
      pair: { type: "string", default: "auto" },
      "pair-n": { type: "string", default: "100" },
      profile: { type: "string" },
      log: { type: "string" },
      json: { type: "string" },
    },
  });
  const ns = v.n.split(",").map(Number).filter((n) => n > 0);
  const pairNs = new Set(v["pair-n"].split(",").map(Number).filter((n) => n > 0));
  const common = {
    heartbeatS: Number(v.heartbeat),
    cadenceS: Number(v.cadence),
    warmS: Number(v.warm),
    windowS: Number(v.window),
  };
  const hasSwitch = await daemonHasBackendSwitch();
  const pairMode = v.pair === "auto" ? (hasSwitch ? "daemon" : "harness") : v.pair;
  if (!["daemon", "harness", "off"].includes(pairMode)) {
    throw new Error(`Unknown --pair "${v.pair}": choose auto, daemon, harness or off`);
  }
  if (pairMode === "daemon" && !hasSwitch) {
    throw new Error("--pair daemon: no STREAMPULSE_MEDIA_BACKEND in monitor/media/ (use harness)");
  }
  const ticks = await clockTicks();
  const replay = await spawnReplayServer();
  try {
    console.log(
      `StreamPulse media scale bench: N ${ns.join(", ")}, media every ${common.cadenceS} s, ` +
        `heartbeat ${common.heartbeatS} s, window ${common.windowS} s after ${common.warmS} s ` +
        `warm-up; pair: ${pairMode}${pairMode === "off" ? "" : ` at N ${[...pairNs].join(", ")}`}` +
        `; ${navigator.hardwareConcurrency} cores; load average ${loadavg()}; ` +
        `program at ${await version()}`,
    );
    const results: { n: number; native: MediaRunFigures; pair?: MediaRunFigures | PairFigures }[] =
      [];
    for (const n of ns) {
      const setup = {
        ...common,
        n,
        baselineS: Number(v.baseline),
        replayPort: replay.port,
        replayPid: replay.pid,
        ticks,
        children,
      };
      const profileDir = v.profile ? `${v.profile}/n${n}` : undefined;
      if (profileDir) await Deno.mkdir(profileDir, { recursive: true });
      console.log(`\n[N=${n}] native: start, handshakes only ${setup.baselineS} s, media on…`);
      const native = await runMedia({ ...setup, profileDir, log: v.log && `${v.log}.n${n}` });
      let pair: MediaRunFigures | PairFigures | undefined;
      if (pairMode !== "off" && pairNs.has(n)) {
        console.log(`[N=${n}] ffprobe + ffmpeg pair (${pairMode})…`);
        pair = pairMode === "daemon"
          ? await runMedia({
            ...setup,
            env: { STREAMPULSE_MEDIA_BACKEND: "ffmpeg" },
            log: v.log && `${v.log}.pair.n${n}`,
          })
          : await runPair({
            ...common,
            urls: Array.from({ length: n }, (_, i) => replay.url(streamPath(i))),
            replayPid: replay.pid,
            ticks,
            children,
          });
      }
      results.push({ n, native, pair });
      printTable(n, native, pair, results, common.cadenceS);
    }
    if (v.json) await Deno.writeTextFile(v.json, JSON.stringify(results, null, 2));
  } finally {
    await replay.close();
  }
}

if (import.meta.main) {
  const children = new Children();
  const bail = async () => {
    await children.cleanup();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", bail);
  Deno.addSignalListener("SIGTERM", bail);
  let code = 0;
  try {
    await main(children);
  } catch (err) {
    // A broken run (not a missed target, which only prints MISS) fails the exit code.
    console.error(`Bench failed: ${err instanceof Error ? err.message : err}`);
    code = 1;
  } finally {
    await children.cleanup();
  }
  Deno.exit(code);
}
