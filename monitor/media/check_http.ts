/** The native HTTP media checks: MJPEG read in-process, HLS segments fetched and demuxed here. */

import { kindOf } from "../probes/mod.ts";
import type { StreamConfig } from "../types.ts";
import type { MediaFindings } from "./check_core.ts";
import { createSlots } from "./decode/mod.ts";
import { runWithStdin, sampleHls, type StdinRunner } from "./hls/mod.ts";
import type { HttpMediaSample } from "./http_sample.ts";
import { sampleMjpeg } from "./mjpeg/mod.ts";

/** True when the native HTTP path reads this stream (MJPEG or HLS); others go to ffmpeg. */
export function nativeHttp(s: StreamConfig): boolean {
  const kind = kindOf(s);
  return kind === "mjpeg" || kind === "hls";
}

/**
 * Samples an MJPEG or HLS stream natively. The sample ends at the stream's timeout plus the
 * window (a camera that trickles bytes cannot hold the check); what was measured is kept.
 */
export async function httpFindings(
  s: StreamConfig,
  o: { signal: AbortSignal; stdinRun?: StdinRunner; now?: () => number },
): Promise<MediaFindings> {
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout((s.timeoutSeconds + 4) * 1000)]);
  const sample: HttpMediaSample = kindOf(s) === "hls"
    ? await sampleHls(s, { signal, run: o.stdinRun, now: o.now })
    : await sampleMjpeg(s, { signal, now: o.now });
  if (sample.facts.packets === 0) return { error: sample.problem };
  return {
    facts: sample.facts,
    picture: sample.picture,
    pictureProblem: sample.pictureProblem ?? sample.problem,
    snapshot: sample.snapshot,
    details: sample.problem ? { problem: sample.problem } : {},
  };
}

/**
 * A {@link StdinRunner} with at most `max` children at once (the decode pool's slot logic):
 * HLS keyframe decodes of many streams must not spawn without bound.
 */
export function cappedStdinRunner(max: number, run: StdinRunner = runWithStdin): StdinRunner {
  const slots = createSlots({ size: max });
  return async (cmd, args, o) => {
    const slot = await slots.acquire(o.signal);
    if (!slot.ok) {
      const aborted = o.signal?.aborted ?? false;
      return {
        code: null,
        stdout: new Uint8Array(0),
        stderr: slot.why,
        timedOut: false,
        aborted,
        truncated: false,
        ms: 0,
        pid: 0,
      };
    }
    try {
      return await run(cmd, args, o);
    } finally {
      slot.release();
    }
  };
}
