/** One transport's try: SETUP → PLAY → the read window → TEARDOWN, every failure a value. */

import { describeError, type RtspChannel, type RtspResponse } from "../../probes/mod.ts";
import { clipText } from "../../redact.ts";
import { type CollectedFacts, createCollector } from "./collector.ts";
import type { UdpPortPair, UdpPortPool } from "./port_pool.ts";
import {
  judgeWindow,
  type MediaCause,
  type MediaWindowOptions,
  type RtspTransport,
} from "./sample.ts";
import {
  answersTcp,
  interleavedChannel,
  sessionId,
  transportRequest,
  type VideoTrack,
} from "./setup.ts";
import { startTcpReceiver } from "./transport_tcp.ts";
import { startUdpReceiver } from "./transport_udp.ts";
import { readWindow } from "./window.ts";

const NON_PRINTABLE = /[^\x20-\x7e]/g;

/** One attempt's outcome: facts (when PLAY got that far), a cause, and whether the connection is clean. */
export interface Outcome {
  transport: RtspTransport;
  facts?: CollectedFacts;
  windowMs: number;
  cause?: MediaCause;
  problem?: string;
  /** The RTSP connection is back in request/response state (a fallback may use it). */
  reusable: boolean;
}

/** An outcome without facts: the attempt ended before (or instead of) reading. */
export const failed = (transport: RtspTransport, cause: MediaCause, problem: string): Outcome => ({
  transport,
  cause,
  problem,
  windowMs: 0,
  reusable: false,
});

/**
 * One SETUP → PLAY → read → TEARDOWN over `transport`. A 461 leaves the connection reusable; so
 * does a read that ended with a TEARDOWN answer. UDP ports are released on every path.
 */
export async function attempt(
  channel: RtspChannel,
  track: VideoTrack,
  transport: RtspTransport,
  env: { o: Required<MediaWindowOptions>; timeoutMs: number; ports: UdpPortPool },
): Promise<Outcome> {
  const { o, timeoutMs } = env;
  let pair: UdpPortPair | null = null;
  try {
    if (transport === "udp") {
      const local = channel.localAddr?.hostname;
      const camera = channel.remoteAddr?.hostname;
      if (!local || !camera) return failed(transport, "connection", "connection closed by server");
      try {
        pair = await env.ports.acquire(local, {
          signal: AbortSignal.any([channel.signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (err) {
        if (channel.signal.aborted) throw err;
        return failed(
          transport,
          "no-udp-ports",
          clipText(`no UDP port pair: ${describeError(err)}`, 200),
        );
      }
    }
    const ports = pair && { rtp: pair.rtpPort, rtcp: pair.rtcpPort };
    const setup = await timed(
      channel,
      timeoutMs,
      channel.request("SETUP", {
        uri: track.controlUri,
        headers: `Transport: ${transportRequest(transport, ports)}\r\n`,
      }),
    );
    if (setup.status === 461) {
      return {
        ...failed(transport, "unsupported-transport", "461 unsupported transport"),
        reusable: true,
      };
    }
    if (setup.status !== 200) {
      return failed(transport, "setup-failed", `SETUP answered ${statusText(setup)}`);
    }
    const id = sessionId(setup.headers.get("session"));
    if (!id) return failed(transport, "setup-failed", "SETUP answer has no usable Session header");
    const session = `Session: ${id}\r\n`;
    const tearDown = { uri: track.playUri, headers: session };
    if (transport === "tcp" && !answersTcp(setup.headers.get("transport"))) {
      await timed(channel, o.teardownMs, channel.request("TEARDOWN", tearDown)).catch(() => {});
      return failed(
        transport,
        "unsupported-transport",
        "SETUP over TCP answered with another transport",
      );
    }
    const startMs = performance.now();
    const play = await timed(
      channel,
      timeoutMs,
      channel.request("PLAY", {
        uri: track.playUri,
        headers: `${session}Range: npt=0.000-\r\n`,
      }),
    );
    if (play.status !== 200) {
      await timed(channel, o.teardownMs, channel.request("TEARDOWN", tearDown)).catch(() => {});
      return failed(transport, "play-failed", `PLAY answered ${statusText(play)}`);
    }
    const collector = createCollector(track, { ...o, startMs });
    let end;
    let reusable: boolean;
    if (transport === "tcp") {
      const receiver = startTcpReceiver(
        channel.takeOver(),
        interleavedChannel(setup.headers.get("transport")),
        collector,
      );
      end = await readWindow(collector, { ...o, startMs, signal: channel.signal, ended: receiver });
      reusable = await receiver.teardown(() => channel.send("TEARDOWN", tearDown), o.teardownMs);
      if (reusable) channel.giveBack();
    } else {
      const receiver = startUdpReceiver(pair!, channel.remoteAddr!.hostname, collector);
      end = await readWindow(collector, { ...o, startMs, signal: channel.signal });
      receiver.stop();
      reusable = await timed(channel, o.teardownMs, channel.request("TEARDOWN", tearDown)).then(
        () => true,
        () => false,
      );
    }
    channel.signal.throwIfAborted();
    const windowMs = Math.round(performance.now() - startMs);
    const facts = collector.finish();
    const verdict = judgeWindow({ ...facts, end, windowMs, depacketised: facts.codec !== null });
    return { transport, facts, windowMs, reusable, ...verdict };
  } catch (err) {
    const message = describeError(err, channel.signal);
    const cause: MediaCause = channel.signal.aborted || message === "timeout"
      ? "timeout"
      : "connection";
    return failed(transport, cause, clipText(message, 200));
  } finally {
    await pair?.release();
  }
}

/** Awaits `p`; past `ms` the channel is closed (ending the pending read) and this rejects. */
async function timed<T>(channel: RtspChannel, ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      channel.close();
      reject(new DOMException("RTSP media request timed out", "TimeoutError"));
    }, ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
    p.catch(() => {});
  }
}

/** "461 Unsupported transport" from a response, the camera's reason phrase bounded. */
function statusText(res: RtspResponse): string {
  const reason = clipText(res.reason.slice(0, 200).replace(NON_PRINTABLE, ""), 80);
  return `RTSP ${res.status}${reason ? ` ${reason}` : ""}`;
}
