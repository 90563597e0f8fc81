/** Snapshot probe: ok when the URL returns one valid JPEG image (bounded in size). */

import {
  type Probe,
  type ProbeContext,
  type ProbeResult,
  type ResponseInspector,
  result,
} from "./probe.ts";
import {
  describeFetchError,
  discard,
  judgingProbe,
  mediaType,
  readLimited,
  statusLine,
} from "./http_fetch.ts";
import { formatBytes, formatLimit, validateJpeg } from "./jpeg.ts";

/** Default size bound of a snapshot. */
export const SNAPSHOT_MAX_BYTES = 8 * 1024 * 1024;

/** Options of {@link createSnapshotProbe}. */
export interface SnapshotProbeDeps {
  /** Largest accepted image in bytes (default {@link SNAPSHOT_MAX_BYTES}). */
  maxBytes?: number;
}

const JPEG_TYPES = ["image/jpeg", "image/jpg", "image/pjpeg"] as const;
/** Types some cameras send for a JPEG: judged by their bytes. */
const GENERIC_TYPES = new Set(["", "application/octet-stream", "binary/octet-stream"]);

/** Creates a snapshot probe; {@link snapshotProbe} is the default instance. */
export function createSnapshotProbe(opts: SnapshotProbeDeps = {}): Probe & ResponseInspector {
  const maxBytes = opts.maxBytes ?? SNAPSHOT_MAX_BYTES;

  async function judge(res: Response, ctx: ProbeContext, start: number): Promise<ProbeResult> {
    const contentType = mediaType(res);
    const details: Record<string, unknown> = { httpStatus: res.status, contentType };
    if (!res.ok) {
      await discard(res);
      return result(false, start, statusLine(res), details);
    }
    if (
      !GENERIC_TYPES.has(contentType) && !(JPEG_TYPES as readonly string[]).includes(contentType)
    ) {
      await discard(res);
      return result(false, start, `unexpected content type ${contentType}`, details);
    }
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readLimited(res, { limit: maxBytes, signal: ctx.signal });
    } catch (err) {
      return result(false, start, describeFetchError(err, ctx.signal), details);
    }
    if (!bytes) return result(false, start, `image larger than ${formatLimit(maxBytes)}`, details);
    details.bytes = bytes.byteLength;
    const jpeg = validateJpeg(bytes);
    if (!jpeg.valid) return result(false, start, `invalid JPEG: ${jpeg.reason}`, details);
    details.width = jpeg.width;
    details.height = jpeg.height;
    const msg = `JPEG ${jpeg.width}x${jpeg.height} (${formatBytes(bytes.byteLength)})`;
    return result(true, start, msg, details);
  }

  return judgingProbe("snapshot", JPEG_TYPES, judge);
}

/** The snapshot probe with the default size bound. */
export const snapshotProbe: Probe & ResponseInspector = createSnapshotProbe();
