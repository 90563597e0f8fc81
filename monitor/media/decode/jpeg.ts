/** Backend (d): JPEG frames (MJPEG, RTP/JPEG) decoded in-process by npm:jpeg-js (pure JS). */

import jpeg from "jpeg-js";
import { SAMPLE_HEIGHT, SAMPLE_WIDTH } from "../grid.ts";
import { pictureFromGrey } from "./picture.ts";
import {
  type Decoder,
  MAX_SNAPSHOT_BYTES,
  MAX_SNAPSHOT_WIDTH,
  MAX_UNIT_BYTES,
  notDecoded,
} from "./types.ts";

/** Largest JPEG picture decoded, in megapixels (a 4K frame is 8.3). */
const MAX_MEGAPIXELS = 9;

/**
 * Decodes each JPEG frame in-process: luma (BT.601 from RGB) area-averaged to the 160×120 grey
 * copy, then today's grid analysis. The snapshot is the frame itself when it is already small
 * enough, else a box-scaled copy ≤ 640 px wide re-encoded at quality 70. jpeg-js is synchronous:
 * one 1280×720 frame holds the event loop for about the time in the README's decode figures.
 */
export function createJpegDecoder(): Decoder {
  let closed = false;
  return {
    decode(codec, bytes, o = {}) {
      if (closed) return Promise.resolve(notDecoded("the decoder is closed"));
      if (o.signal?.aborted) return Promise.resolve(notDecoded("stopped"));
      if (codec !== "JPEG") return Promise.resolve(notDecoded(`codec "${codec}" is not JPEG`));
      if (bytes.length > MAX_UNIT_BYTES) {
        return Promise.resolve(notDecoded(`the frame of ${bytes.length} bytes is over 8 MiB`));
      }
      let img: { width: number; height: number; data: Uint8Array };
      try {
        img = jpeg.decode(bytes, {
          useTArray: true,
          formatAsRGBA: false,
          maxResolutionInMP: MAX_MEGAPIXELS,
          maxMemoryUsageInMB: 128,
        });
      } catch (e) {
        return Promise.resolve(notDecoded(`bad JPEG: ${String((e as Error)?.message ?? e)}`));
      }
      if (!img.width || !img.height || img.data.length < img.width * img.height * 3) {
        return Promise.resolve(notDecoded("the JPEG holds no picture"));
      }
      const grey = boxScale(img, SAMPLE_WIDTH, SAMPLE_HEIGHT, 1);
      const picture = pictureFromGrey(grey, img.width, img.height);
      if (o.snapshot) picture.jpeg = snapshotOf(bytes, img);
      return Promise.resolve({ ok: true, picture });
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

function snapshotOf(
  original: Uint8Array,
  img: { width: number; height: number; data: Uint8Array },
): Uint8Array | undefined {
  if (img.width <= MAX_SNAPSHOT_WIDTH && original.length <= MAX_SNAPSHOT_BYTES) return original;
  const w = Math.min(MAX_SNAPSHOT_WIDTH, img.width);
  const h = Math.max(2, Math.round(img.height * w / img.width / 2) * 2);
  const rgba = boxScale(img, w, h, 4);
  for (const quality of [70, 40]) {
    const out = jpeg.encode({ width: w, height: h, data: rgba }, quality).data;
    if (out.length <= MAX_SNAPSHOT_BYTES) return new Uint8Array(out);
  }
  return undefined;
}

/**
 * Area-averages an RGB picture to w×h: channels 1 gives luma (BT.601), 4 gives RGBA. Each source
 * pixel is read once, so the cost is linear in the picture.
 */
export function boxScale(
  img: { width: number; height: number; data: Uint8Array },
  w: number,
  h: number,
  channels: 1 | 4,
): Uint8Array {
  const { width, height, data } = img;
  const sums = new Float64Array(w * h * (channels === 1 ? 1 : 3));
  const counts = new Uint32Array(w * h);
  const colOf = new Uint32Array(width);
  for (let x = 0; x < width; x++) colOf[x] = Math.min(w - 1, Math.floor(x * w / width));
  for (let y = 0; y < height; y++) {
    const row = Math.min(h - 1, Math.floor(y * h / height)) * w;
    let p = y * width * 3;
    for (let x = 0; x < width; x++, p += 3) {
      const cell = row + colOf[x];
      counts[cell]++;
      if (channels === 1) {
        sums[cell] += 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
      } else {
        sums[cell * 3] += data[p];
        sums[cell * 3 + 1] += data[p + 1];
        sums[cell * 3 + 2] += data[p + 2];
      }
    }
  }
  const out = new Uint8Array(w * h * channels);
  for (let i = 0; i < w * h; i++) {
    const n = counts[i] || 1;
    if (channels === 1) out[i] = Math.round(sums[i] / n);
    else {
      out[i * 4] = Math.round(sums[i * 3] / n);
      out[i * 4 + 1] = Math.round(sums[i * 3 + 1] / n);
      out[i * 4 + 2] = Math.round(sums[i * 3 + 2] / n);
      out[i * 4 + 3] = 255;
    }
  }
  return out;
}
