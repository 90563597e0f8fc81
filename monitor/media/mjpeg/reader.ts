/** An incremental MJPEG frame finder: JPEG marker structure, not the multipart headers, decides. */

/** A complete JPEG found in the byte stream. */
export interface MjpegFrame {
  /** The JPEG, SOI through EOI. A view valid only during the `onFrame` call: copy to keep. */
  bytes: Uint8Array;
  /** Size from the frame header (SOF); 0 when the JPEG had none. */
  width: number;
  height: number;
  /** Arrival time of the chunk that completed it (the `at` passed to `push`). */
  at: number;
}

/** Options of {@link createMjpegReader}. */
export interface MjpegReaderDeps {
  /** Called for each complete JPEG, in order. */
  onFrame: (frame: MjpegFrame) => void;
  /** Longest JPEG accepted (default 4 MiB); a longer one stops the reader with a problem. */
  maxFrameBytes?: number;
}

/** A running reader: feed it chunks as they arrive, however TCP split them. */
export interface MjpegReader {
  /** Scans `chunk` (once, never going back), calling `onFrame` for each JPEG it completes. */
  push(chunk: Uint8Array, at: number): void;
  /** Why the reader stopped (a frame over the limit), or undefined while it goes on. */
  problem(): string | undefined;
  /** Bytes since the end of the last complete frame (or since the start): junk or a partial. */
  bytesSinceFrame(): number;
  /** Broken JPEG structures skipped (a camera cutting a frame short, garbage with FF D8). */
  broken(): number;
}

/** Default of {@link MjpegReaderDeps.maxFrameBytes}. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

// Scanner states. Outside a frame: SEEK (look for FF D8). Inside: MARK (expect FF), CODE (the
// marker byte), LEN1/LEN2 (segment length), SOF (read the size), SKIP (segment payload, which
// skips EXIF thumbnails whole), SCAN (entropy-coded data after SOS), SCAN_FF (FF seen in it).
const SEEK = 0, MARK = 1, CODE = 2, LEN1 = 3, LEN2 = 4, SOF = 5, SKIP = 6, SCAN = 7, SCAN_FF = 8;

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

/**
 * Creates a reader that finds JPEGs by walking their marker segments: SOI, then segments by
 * their lengths (so an APP1 holding an EXIF thumbnail with its own SOI/EOI is skipped whole)
 * up to SOS, then the entropy-coded data, where FF is always followed by 00 (stuffing), D0–D7
 * (restart), FF (fill) or a real marker — so the first FF D9 there is this image's EOI.
 * Content-Length and boundaries are ignored: cameras (and VLC) send wrong ones. Work is linear in
 * the bytes pushed; a frame is copied only when it spans chunks, and never beyond the limit.
 * A broken structure drops the partial frame and looks for the next SOI from where it stands.
 */
export function createMjpegReader(opts: MjpegReaderDeps): MjpegReader {
  const limit = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  let state = SEEK;
  let seekFF = false; // SEEK: the previous byte (maybe in the last chunk) was FF
  let marker = 0;
  let remain = 0; // SKIP/SOF: payload bytes left in this segment
  let sof = 0; // SOF: payload bytes read so far
  let width = 0, height = 0;
  let buf = new Uint8Array(0); // a frame spanning chunks, [0, len)
  let len = 0;
  let since = 0;
  let brokenCount = 0;
  let stopped: string | undefined;

  const append = (part: Uint8Array) => {
    if (len + part.length > buf.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(buf.length * 2, len + part.length)));
      grown.set(buf.subarray(0, len));
      buf = grown;
    }
    buf.set(part, len);
    len += part.length;
  };

  function push(chunk: Uint8Array, at: number): void {
    if (stopped) return;
    const n = chunk.length;
    let p = 0;
    let start = state === SEEK ? -1 : 0; // where the frame's bytes in this chunk begin
    const abandon = () => { // broken structure: drop the partial frame, go on seeking here
      brokenCount++;
      state = SEEK;
      seekFF = false;
      len = 0;
      start = -1;
    };
    const begin = (soiAt: number) => { // FF D8 at soiAt (-1: the FF ended the last chunk)
      len = 0;
      width = height = 0;
      if (soiAt < 0) {
        append(new Uint8Array([0xff]));
        start = 0;
      } else start = soiAt;
      state = MARK;
    };
    while (p < n) {
      switch (state) {
        case SEEK: {
          if (seekFF) {
            seekFF = false;
            if (chunk[p] === 0xd8) {
              begin(p - 1);
              p++;
              continue;
            }
          }
          const q = chunk.indexOf(0xff, p);
          if (q < 0) {
            p = n;
            break;
          }
          if (q + 1 >= n) {
            seekFF = true;
            p = n;
            break;
          }
          if (chunk[q + 1] === 0xd8) begin(q);
          p = q + (state === SEEK ? 1 : 2);
          continue;
        }
        case MARK:
          if (chunk[p++] !== 0xff) abandon();
          else state = CODE;
          continue;
        case CODE: {
          const m = chunk[p++];
          if (m === 0xff) continue; // fill byte
          if (m === 0xd9) {
            if (!finish(chunk, start, p, at)) return;
            start = -1;
            continue;
          }
          if (m === 0xd8) { // a new SOI: the frame before it was cut short
            brokenCount++;
            begin(p - 2);
            continue;
          }
          if (m === 0x00) abandon();
          else if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) state = MARK;
          else {
            marker = m;
            state = LEN1;
          }
          continue;
        }
        case LEN1:
          remain = chunk[p++] << 8;
          state = LEN2;
          continue;
        case LEN2:
          remain = (remain | chunk[p++]) - 2;
          if (remain < 0) abandon();
          else if (isSof(marker) && remain >= 5) {
            sof = 0;
            state = SOF;
          } else state = remain > 0 ? SKIP : marker === 0xda ? SCAN : MARK;
          continue;
        case SOF: { // precision, height (2), width (2)
          const b = chunk[p++];
          if (sof === 1) height = b << 8;
          else if (sof === 2) height |= b;
          else if (sof === 3) width = b << 8;
          else if (sof === 4) width |= b;
          sof++;
          remain--;
          if (sof === 5) state = remain > 0 ? SKIP : MARK;
          continue;
        }
        case SKIP: {
          const take = Math.min(remain, n - p);
          p += take;
          remain -= take;
          if (remain === 0) state = marker === 0xda ? SCAN : MARK;
          continue;
        }
        case SCAN: {
          const q = chunk.indexOf(0xff, p);
          if (q < 0) p = n;
          else {
            p = q + 1;
            state = SCAN_FF;
          }
          continue;
        }
        case SCAN_FF: {
          const m = chunk[p++];
          if (m === 0x00 || (m >= 0xd0 && m <= 0xd7)) state = SCAN;
          else if (m === 0xff) continue;
          else if (m === 0xd9) {
            if (!finish(chunk, start, p, at)) return;
            start = -1;
          } else if (m === 0xd8) {
            brokenCount++;
            begin(p - 2);
          } else {
            marker = m; // a segment between scans (DHT, SOS of a progressive JPEG…)
            state = m === 0x01 ? MARK : LEN1;
          }
          continue;
        }
      }
    }
    since += n;
    if (state !== SEEK && start >= 0) {
      if (len + (n - start) > limit) {
        stopped = `frame larger than ${formatMiB(limit)} without an end marker (EOI)`;
        len = 0;
        return;
      }
      append(chunk.subarray(Math.max(0, start)));
    }
  }

  /**
   * The frame ends at `end` (just after EOI): emits it from the chunk or the spanning buffer.
   * False when it is over the limit, which stops the reader.
   */
  function finish(chunk: Uint8Array, start: number, end: number, at: number): boolean {
    state = SEEK;
    const size = len === 0 ? end - start : len + end;
    if (size > limit) {
      stopped = `frame larger than ${formatMiB(limit)}`;
      len = 0;
      return false;
    }
    let bytes: Uint8Array;
    if (len === 0) bytes = chunk.subarray(start, end);
    else {
      append(chunk.subarray(0, end));
      bytes = buf.subarray(0, len);
    }
    len = 0;
    since = -end; // `since` gains the chunk length at the end of push()
    opts.onFrame({ bytes, width, height, at });
    return true;
  }

  return {
    push,
    problem: () => stopped,
    bytesSinceFrame: () => Math.max(0, since),
    broken: () => brokenCount,
  };
}

/** "4 MiB" for whole mebibytes, else bytes. */
function formatMiB(n: number): string {
  const mib = 1024 * 1024;
  return n % mib === 0 ? `${n / mib} MiB` : `${n} bytes`;
}
