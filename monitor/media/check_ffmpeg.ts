/** The fallback media check: ffprobe facts, then an ffmpeg frame sample, both through the relay. */

import { redactText, urlSecrets } from "../redact.ts";
import type { StreamConfig } from "../types.ts";
import type { MediaCheckOptions, MediaFindings } from "./check_core.ts";
import { type MediaFacts, type MediaSource, probeMedia } from "./ffprobe.ts";
import { type FrameSample, sampleFrames } from "./frames.ts";

/**
 * For what the native paths do not handle (codecs without a depacketiser, plain HTTP video):
 * ffprobe reads the facts and, when video arrived, ffmpeg samples frames and a JPEG. Both get
 * the stream through the credential relay (no credential on their command line). A failing
 * ffprobe is no video; a failing sample is a picture not verified — never a good picture.
 */
export async function ffmpegFindings(
  s: StreamConfig,
  source: MediaSource,
  o: MediaCheckOptions,
): Promise<MediaFindings> {
  const secrets = urlSecrets(s.url);
  const clean = (err: unknown) =>
    redactText(err instanceof Error ? err.message : String(err), secrets);
  const io = {
    source,
    ioTimeoutSeconds: Math.max(2, s.timeoutSeconds),
    tlsInsecure: s.tlsInsecure,
    run: o.run,
    signal: o.signal,
  };
  let facts: MediaFacts;
  try {
    facts = await probeMedia(s.url, { ...io, readSeconds: o.readSeconds });
  } catch (err) {
    return { error: clean(err).replace(/^ffprobe failed: /, ""), details: { path: "ffmpeg" } };
  }
  if (facts.packets === 0 || o.signal.aborted) return { facts, details: { path: "ffmpeg" } };
  let sample: FrameSample;
  try {
    if (o.snapshots) await Deno.mkdir(o.snapshots.dir, { recursive: true });
    sample = await sampleFrames(s.url, {
      ...io,
      seconds: o.readSeconds,
      jpegDir: o.snapshots?.dir,
    });
  } catch (err) {
    const why = clean(err);
    o.logger?.debug(`media "${s.name}": no frame sample: ${why}`);
    return { facts, pictureProblem: why, details: { path: "ffmpeg" } };
  }
  return { facts, picture: sample, snapshot: sample.jpeg, details: { path: "ffmpeg" } };
}
