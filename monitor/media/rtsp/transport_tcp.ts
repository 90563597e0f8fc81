/** RTP interleaved on the RTSP connection (RFC 2326 §10.12): one read loop feeding the collector. */

import type { TakenConnection } from "../../probes/mod.ts";
import { createInterleavedReader } from "../rtp/mod.ts";
import type { Collector } from "./collector.ts";

/** A running read loop over a taken connection. */
export interface TcpReceiver {
  /** True once the server closed the connection (or it failed). */
  readonly ended: boolean;
  /** Called once when `ended` becomes true. */
  onEnd: (() => void) | null;
  /**
   * Runs `send` (which writes TEARDOWN) and waits at most `ms` for an RTSP answer among the
   * frames. True when one came: the loop then stopped reading, so the connection holds nothing
   * unread and may go back to request/response use.
   */
  teardown(send: () => Promise<void>, ms: number): Promise<boolean>;
}

const RTSP = [0x52, 0x54, 0x53, 0x50]; // "RTSP"

/**
 * Starts reading `taken` (its pending bytes first). Frames on `rtpChannel` go to `collector`;
 * other channels (RTCP) and RTSP messages the server sends in between are skipped. One 64 KiB
 * read buffer per session; the interleaved reader copies each frame once.
 */
export function startTcpReceiver(
  taken: TakenConnection,
  rtpChannel: number,
  collector: Collector,
): TcpReceiver {
  const reader = createInterleavedReader();
  let waiting: ((answered: boolean) => void) | null = null;
  let stopReading = false;
  let ended = false;
  const answer = (answered: boolean) => {
    const w = waiting;
    waiting = null;
    w?.(answered);
  };

  const handle = (chunk: Uint8Array) => {
    const now = performance.now();
    for (const item of reader.push(chunk)) {
      if (item.type === "frame") {
        if (item.channel === rtpChannel) collector.push(item.data, now);
      } else if (item.type === "message" && waiting && RTSP.every((b, i) => item.data[i] === b)) {
        stopReading = true;
        answer(true);
      }
    }
  };

  const receiver: TcpReceiver = {
    onEnd: null,
    get ended() {
      return ended;
    },
    async teardown(send, ms) {
      if (ended) return false;
      const answered = new Promise<boolean>((resolve) => (waiting = resolve));
      const timer = setTimeout(() => answer(false), ms);
      try {
        await send();
        return await answered;
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
        waiting = null;
      }
    },
  };

  (async () => {
    const buf = new Uint8Array(64 * 1024);
    try {
      handle(taken.pending);
      while (!stopReading) {
        const n = await taken.conn.read(buf);
        if (n === null) break;
        handle(buf.subarray(0, n));
      }
    } catch {
      // Closed by us (window over, abort) or reset by the camera: both end the loop.
    }
    if (stopReading) return;
    ended = true;
    answer(false);
    receiver.onEnd?.();
  })();
  return receiver;
}
