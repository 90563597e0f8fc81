/** The native HTTP media checks: MJPEG read in-process, HLS segments fetched and demuxed here. */

import { kindOf } from "../probes/mod.ts";
import type { StreamConfig } from "../types.ts";
import type { MediaFindings } from "./check_core.ts";
import { sampleHls } from "./hls/mod.ts";
import { type CommandRunner, createProcessPool } from "./process_pool.ts";
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
  o: { signal: AbortSignal; stdinRun?: CommandRunner; now?: () => number },
): Promise<MediaFindings> {
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout((s.timeoutSeconds + 4) * 1000)]);
  const sample: HttpMediaSample = kindOf(s) === "hls"
    ? await sampleHls(s, { signal, run: o.stdinRun ?? createProcessPool().run, now: o.now })
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
