/** Test helpers: real RTP from GStreamer or ffmpeg over loopback UDP, and ffmpeg decode checks. */

import dgram from "node:dgram";
import { fileURLToPath } from "node:url";
import {
  type AccessUnit,
  createDepacketiser,
  type Depacketiser,
  type DepacketiserOptions,
  parseRtpPacket,
  type RtpPacket,
  type RtpProblem,
} from "../../../../monitor/media/rtp/mod.ts";

const SENDER = fileURLToPath(new URL("./gst_send.py", import.meta.url));
/** Debian's python (with `gi`), not a pyenv one earlier on PATH. */
const PYTHON = "/usr/bin/python3";

/** One datagram as received, with its arrival time. */
export interface Received {
  /** The RTP packet bytes. */
  bytes: Uint8Array;
  /** performance.now() at arrival. */
  arrivalMs: number;
}

/**
 * Binds a UDP socket on a free loopback port, runs `command(port)` (argv) to completion and returns
 * every datagram that arrived (`Deno.listenDatagram` needs --unstable-net; node:dgram does not).
 */
export async function captureUdp(
  command: (port: number) => string[],
): Promise<{ packets: Received[]; stdout: string; stderr: string }> {
  const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024 });
  const received: Received[] = [];
  socket.on("message", (msg: Uint8Array) => {
    received.push({ bytes: new Uint8Array(msg), arrivalMs: performance.now() });
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  let out: Deno.CommandOutput;
  try {
    const port = (socket.address() as { port: number }).port;
    const [cmd, ...args] = command(port);
    out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
    await new Promise((r) => setTimeout(r, 150)); // the last datagrams still in the socket
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { packets: received, stdout: text(out.stdout), stderr: text(out.stderr).trim() };
}

/** Real RTP and the payloader's caps (an SDP's worth of facts, e.g. sprop-parameter-sets). */
export interface GstCapture {
  /** Datagrams in arrival order. */
  packets: Received[];
  /** Caps of the element named "pay", as GStreamer prints them. */
  caps: string;
}

/**
 * Real RTP from a GStreamer launch line; `{PAY}` becomes the paced UDP sink to the capture port.
 * Packets are paced (1 ms each) so a burst does not overflow the socket buffer. UDP may still drop
 * datagrams when the machine is busy (other test runs share its 2 cores): a capture with a
 * sequence gap is taken again, up to 3 times, because these captures are the loss-free reference
 * (loss itself is tested by dropping packets on purpose).
 */
export async function captureGst(launch: string): Promise<GstCapture> {
  for (let attempt = 1;; attempt++) {
    const { packets, stdout } = await captureUdp((port) => [
      PYTHON,
      SENDER,
      launch.replace(
        "{PAY}",
        "identity sleep-time=1000 ! udpsink host=127.0.0.1 port=" + port + " sync=false",
      ),
    ]);
    const gaps = packets.filter((p, i) =>
      i > 0 && sequenceOf(p.bytes) !== ((sequenceOf(packets[i - 1].bytes) + 1) & 0xffff)
    ).length;
    if (gaps === 0 && packets.length > 0) {
      return { packets, caps: stdout.trim() };
    }
    if (attempt === 3) {
      throw new Error(`UDP capture lost packets 3 times (${gaps} gaps last)`);
    }
  }
}

const sequenceOf = (bytes: Uint8Array) => (bytes[2] << 8) | bytes[3];

/** One caps field's string value (`sprop-parameter-sets=(string)"…"`), or "". */
export function capsField(caps: string, name: string): string {
  const at = caps.indexOf(name + "=(string)");
  if (at < 0) return "";
  const rest = caps.slice(at + name.length + 9);
  const quoted = rest.startsWith('"');
  const end = quoted ? rest.indexOf('"', 1) : rest.search(/[,;]|$/);
  return rest.slice(quoted ? 1 : 0, end).replaceAll("\\", "");
}

/** What ffmpeg made of an elementary stream fed on stdin. */
export interface Decoded {
  /** ffmpeg exited 0. */
  ok: boolean;
  /** Frames decoded (framemd5 lines). */
  frames: number;
  /** ffmpeg's stderr at -v error (empty when the stream was clean). */
  errors: string;
  /** "WxH" of the decoded frames as ffmpeg reported them (from framemd5's header). */
  size: string;
}

/** Decodes `data` with ffmpeg (`-f h264`, `hevc` or `mjpeg` on stdin, never a URL). */
export async function ffmpegDecode(format: "h264" | "hevc" | "mjpeg", data: Uint8Array) {
  const child = new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-protocol_whitelist",
      "pipe",
      "-f",
      format,
      "-i",
      "pipe:0",
      "-f",
      "framemd5",
      "pipe:1",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(data);
  await writer.close();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  const size = /#dimensions 0: (\d+x\d+)/.exec(text)?.[1] ?? "";
  const frames = text.split("\n").filter((l) => l.length > 0 && !l.startsWith("#")).length;
  const errors = new TextDecoder().decode(out.stderr).trim();
  return { ok: out.success, frames, errors, size } satisfies Decoded;
}

/** Joins byte arrays. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Everything one depacketiser made of a packet list. */
export interface Depacketised {
  /** Units in emission order (flush included). */
  units: AccessUnit[];
  /** Every problem reported, packets refused by the parser included. */
  problems: RtpProblem[];
  /** The depacketiser, for its counters and parameter sets. */
  depacketiser: Depacketiser;
}

/** Parses and depacketises `packets` with the depacketiser chosen for `codec` and `fmtp`. */
export function depacketiseAll(
  codec: string,
  fmtp: string,
  packets: Uint8Array[],
  options: DepacketiserOptions = {},
): Depacketised {
  const choice = createDepacketiser(codec, fmtp, options);
  if (!choice.ok) throw new Error(choice.problem.message);
  const { depacketiser } = choice;
  const units: AccessUnit[] = [];
  const problems: RtpProblem[] = [...choice.problems];
  for (const bytes of packets) {
    const parsed = parseRtpPacket(bytes);
    if (!parsed.ok) {
      problems.push(parsed.problem);
      continue;
    }
    const out = depacketiser.push(parsed.packet);
    units.push(...out.units);
    problems.push(...out.problems);
  }
  const end = depacketiser.flush();
  units.push(...end.units);
  problems.push(...end.problems);
  return { units, problems, depacketiser };
}

const captures = new Map<string, Promise<GstCapture>>();

/** A GStreamer capture made once per launch line per test file (each costs about a second). */
export function cachedGst(launch: string): Promise<GstCapture> {
  let capture = captures.get(launch);
  if (!capture) captures.set(launch, capture = captureGst(launch));
  return capture;
}

/** The launch line for real H.264: x264 with a keyframe every 10 frames at 10 fps. */
export function h264Launch(width: number, height: number, frames = 60, extra = ""): string {
  return `videotestsrc num-buffers=${frames} ! video/x-raw,format=I420,width=${width},` +
    `height=${height},framerate=10/1 ! x264enc tune=zerolatency key-int-max=10 ${extra} ! ` +
    "rtph264pay name=pay mtu=600 ! {PAY}";
}

/** A copy of an RTP packet with a new sequence number (and optionally timestamp / marker). */
export function rewrite(
  bytes: Uint8Array,
  change: { sequence?: number; timestamp?: number; marker?: boolean },
): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  if (change.sequence !== undefined) view.setUint16(2, change.sequence & 0xffff);
  if (change.timestamp !== undefined) view.setUint32(4, change.timestamp >>> 0);
  if (change.marker !== undefined) out[1] = (out[1] & 0x7f) | (change.marker ? 0x80 : 0);
  return out;
}

/** Builds an RTP packet around `payload` (version 2, no extension). */
export function rtpPacket(
  payload: ArrayLike<number>,
  h: { sequence: number; timestamp: number; marker?: boolean; payloadType?: number },
): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = 0x80;
  out[1] = (h.payloadType ?? 96) | (h.marker ? 0x80 : 0);
  view.setUint16(2, h.sequence & 0xffff);
  view.setUint32(4, h.timestamp >>> 0);
  view.setUint32(8, 0x1234);
  out.set(payload, 12);
  return out;
}

/** A small seeded generator, so a failing fuzz case can be replayed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** Parses a packet the test built or captured, failing the test if the parser refuses it. */
export function parseOk(bytes: Uint8Array): RtpPacket {
  const r = parseRtpPacket(bytes);
  if (!r.ok) throw new Error(r.problem.message);
  return r.packet;
}
