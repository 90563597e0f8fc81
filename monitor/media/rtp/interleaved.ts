/** Incremental reader for RTSP over TCP (RFC 2326 §10.12): `$`, channel, 16-bit length frames. */

import { problem, type RtpProblem } from "./packet.ts";

/** One thing found in the TCP byte stream. */
export type InterleavedItem =
  | { type: "frame"; channel: number; data: Uint8Array }
  | { type: "message"; data: Uint8Array }
  | { type: "problem"; problem: RtpProblem };

/** Feeds TCP chunks in, gets frames, RTSP messages and problems out. */
export interface InterleavedReader {
  /** Consumes one chunk (any size, any split) and returns everything it completed. */
  push(chunk: Uint8Array): InterleavedItem[];
  /** Bytes held for an unfinished frame or message. */
  readonly buffered: number;
}

/** Sizes for {@link createInterleavedReader}. */
export interface InterleavedReaderDeps {
  /** Frames longer than this are skipped (and reported), default 65535: no limit below 16 bits. */
  maxFrameBytes?: number;
  /** Longest RTSP message (headers plus body) kept, default 16 KiB. */
  maxMessageBytes?: number;
}

const CR = 13, LF = 10, DOLLAR = 0x24;

/**
 * Creates a reader. Each byte is looked at a bounded number of times (a frame's body is copied
 * once into a buffer sized from its header), so work is linear in the input however the stream is
 * split. Between frames a server may send RTSP messages (a reply, a GET_PARAMETER): those are
 * collected up to the blank line plus `Content-Length`. Anything that is neither (garbage, an
 * oversized message) is reported once and skipped up to the next `$`; an oversized frame is
 * skipped by its declared length, which keeps the stream in step.
 */
export function createInterleavedReader(options: InterleavedReaderDeps = {}): InterleavedReader {
  const maxFrame = options.maxFrameBytes ?? 65535;
  const maxMessage = options.maxMessageBytes ?? 16384;
  type State = "idle" | "header" | "body" | "skip" | "message" | "resync";
  let state: State = "idle";
  const header = new Uint8Array(4);
  let headerFill = 0;
  let body = new Uint8Array(0);
  let bodyFill = 0;
  let skipLeft = 0;
  let channel = 0;
  let message = new Uint8Array(512);
  let messageFill = 0;
  let messageEnd = -1; // total length once the header end and Content-Length are known

  const startMessage = (byte: number) => {
    state = "message";
    messageFill = 0;
    messageEnd = -1;
    appendMessage(byte);
  };
  const appendMessage = (byte: number) => {
    if (messageFill === message.length) {
      const grown = new Uint8Array(Math.min(message.length * 2, maxMessage));
      grown.set(message);
      message = grown;
    }
    message[messageFill++] = byte;
  };

  function push(chunk: Uint8Array): InterleavedItem[] {
    const out: InterleavedItem[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (state) {
        case "idle": {
          const byte = chunk[i++];
          if (byte === DOLLAR) {
            state = "header";
            header[0] = byte;
            headerFill = 1;
          } else startMessage(byte);
          break;
        }
        case "header": {
          header[headerFill++] = chunk[i++];
          if (headerFill < 4) break;
          channel = header[1];
          const length = (header[2] << 8) | header[3];
          if (length > maxFrame) {
            out.push({
              type: "problem",
              problem: problem(
                "too-large",
                `Interleaved frame of ${length} bytes on channel ${channel} exceeds ${maxFrame}: skipped`,
              ),
            });
            state = "skip";
            skipLeft = length;
          } else {
            body = new Uint8Array(length);
            bodyFill = 0;
            state = "body";
          }
          if (length === 0) {
            if (state === "body") out.push({ type: "frame", channel, data: body });
            state = "idle";
          }
          break;
        }
        case "body": {
          const take = Math.min(body.length - bodyFill, chunk.length - i);
          body.set(chunk.subarray(i, i + take), bodyFill);
          bodyFill += take;
          i += take;
          if (bodyFill === body.length) {
            out.push({ type: "frame", channel, data: body });
            state = "idle";
          }
          break;
        }
        case "skip": {
          const take = Math.min(skipLeft, chunk.length - i);
          skipLeft -= take;
          i += take;
          if (skipLeft === 0) state = "idle";
          break;
        }
        case "message": {
          if (messageEnd < 0 && messageFill >= maxMessage) {
            out.push({
              type: "problem",
              problem: problem(
                "bad-frame",
                `No interleaved frame or RTSP message within ${maxMessage} bytes: skipping to the next "$"`,
              ),
            });
            state = "resync";
            break;
          }
          appendMessage(chunk[i++]);
          if (messageEnd < 0 && endsWithBlankLine()) {
            const length = contentLength(message.subarray(0, messageFill));
            if (length < 0 || messageFill + length > maxMessage) {
              out.push({
                type: "problem",
                problem: problem("bad-frame", "RTSP message with a bad or oversized body: skipped"),
              });
              state = "resync";
              break;
            }
            messageEnd = messageFill + length;
          }
          if (messageFill === messageEnd) {
            out.push({ type: "message", data: message.slice(0, messageFill) });
            state = "idle";
          }
          break;
        }
        case "resync": {
          const at = chunk.indexOf(DOLLAR, i);
          i = at < 0 ? chunk.length : at;
          if (at >= 0) state = "idle";
          break;
        }
      }
    }
    return out;
  }

  const endsWithBlankLine = () =>
    messageFill >= 4 && message[messageFill - 4] === CR && message[messageFill - 3] === LF &&
    message[messageFill - 2] === CR && message[messageFill - 1] === LF;

  return {
    push,
    get buffered() {
      if (state === "body") return bodyFill;
      if (state === "message") return messageFill;
      return state === "header" ? headerFill : 0;
    },
  };
}

/** Reads `Content-Length` from an RTSP header block by one linear pass; 0 when absent, −1 if bad. */
function contentLength(head: Uint8Array): number {
  const text = new TextDecoder("latin1").decode(head).toLowerCase();
  const at = text.indexOf("\r\ncontent-length:");
  if (at < 0) return 0;
  const end = text.indexOf("\r\n", at + 2);
  const value = text.slice(at + 17, end).trim();
  if (!/^[0-9]{1,7}$/.test(value)) return -1;
  return Number(value);
}
