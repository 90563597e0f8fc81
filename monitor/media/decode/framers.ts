/** Framers: how a long-lived child's stdout splits into outputs (fixed-size grey, SOI…EOI JPEG). */

/** Splits a byte stream into outputs; each emitted array is the caller's to keep. */
export interface Framer {
  /** Feeds the next chunk of stdout; calls `onFrame` once per output completed in it. */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void;
}

/** Outputs of exactly `size` bytes each (rawvideo). */
export function fixedFramer(size: number): Framer {
  let frame = new Uint8Array(size);
  let have = 0;
  return {
    push(chunk, onFrame) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(size - have, chunk.length - at);
        frame.set(chunk.subarray(at, at + n), have);
        have += n;
        at += n;
        if (have === size) {
          onFrame(frame);
          frame = new Uint8Array(size);
          have = 0;
        }
      }
    },
  };
}

/**
 * JPEG pictures back to back (`-c:v mjpeg -f image2pipe`), each from SOI (FFD8) to EOI (FFD9).
 * The header segments are skipped by their lengths (a table may hold the bytes FF D9); in the
 * entropy-coded data after SOS, 0xFF is followed by 00 (stuffing), D0–D7 (restart) or FF (fill),
 * so any other marker there ends the scan: EOI ends the picture, others (a progressive JPEG's
 * next DHT/SOS) go back to header parsing. A picture keeps at most `maxBytes`; a longer one is
 * still followed to its end (so the stream stays in step) and comes out cut at `maxBytes + 1`
 * bytes, which tells the caller it was too large. Bytes outside a picture are ignored.
 */
export function jpegFramer(maxBytes: number): Framer {
  const cap = maxBytes + 1;
  let parts: Uint8Array[] = [];
  let kept = 0;
  // seek: wants FF D8; marker: wants FF then a marker byte; length: 2 length bytes; skip: segment
  // body; scan: entropy-coded data.
  let state: "seek" | "seekD8" | "marker" | "markerByte" | "length" | "skip" | "scan" | "scanFF" =
    "seek";
  let lengthHi = -1;
  let toSkip = 0;
  let segment = 0;

  return {
    push(chunk, onFrame) {
      let from = 0; // start of this chunk's part of the current picture
      const keep = (end: number) => {
        if (kept < cap && end > from) {
          const part = chunk.subarray(from, Math.min(end, from + cap - kept));
          parts.push(part.slice());
          kept += part.length;
        }
        from = end;
      };
      const emit = (end: number) => {
        keep(end);
        const out = new Uint8Array(kept);
        let at = 0;
        for (const p of parts) {
          out.set(p, at);
          at += p.length;
        }
        parts = [];
        kept = 0;
        state = "seek";
        onFrame(out);
      };
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        switch (state) {
          case "seek":
            if (b === 0xff) state = "seekD8";
            break;
          case "seekD8":
            if (b === 0xd8) {
              parts = [new Uint8Array([0xff, 0xd8])];
              kept = 2;
              from = i + 1;
              state = "marker";
            } else if (b !== 0xff) state = "seek";
            break;
          case "marker":
            if (b === 0xff) state = "markerByte";
            else { // not a JPEG after all: drop it
              parts = [];
              kept = 0;
              state = "seek";
            }
            break;
          case "markerByte":
            if (b === 0xff) break; // fill
            if (b === 0xd9) emit(i + 1);
            else if (b === 0x01 || (b >= 0xd0 && b <= 0xd8)) state = "marker"; // no length
            else {
              segment = b;
              lengthHi = -1;
              state = "length";
            }
            break;
          case "length":
            if (lengthHi < 0) lengthHi = b;
            else {
              toSkip = ((lengthHi << 8) | b) - 2;
              state = toSkip > 0 ? "skip" : segment === 0xda ? "scan" : "marker";
            }
            break;
          case "skip": {
            const n = Math.min(toSkip, chunk.length - i);
            toSkip -= n;
            i += n - 1;
            if (toSkip === 0) state = segment === 0xda ? "scan" : "marker";
            break;
          }
          case "scan": {
            const ff = chunk.indexOf(0xff, i);
            if (ff < 0) i = chunk.length - 1;
            else {
              i = ff;
              state = "scanFF";
            }
            break;
          }
          case "scanFF":
            if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) state = "scan";
            else if (b === 0xd9) emit(i + 1);
            else if (b !== 0xff) {
              segment = b;
              lengthHi = -1;
              state = "length";
            }
            break;
        }
      }
      if (state !== "seek" && state !== "seekD8") keep(chunk.length);
    },
  };
}
