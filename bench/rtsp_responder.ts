/** A light RTSP responder for load: 200 to OPTIONS and DESCRIBE (H264 SDP) on any path. */

// Usage: deno run --allow-net bench/rtsp_responder.ts [--ports 4]
// Listens on that many free loopback ports and prints one JSON line: {"ports":[…]}.
// Keep-alive per connection; no sessions, no media. Made cheap on purpose: the head is scanned
// as bytes and only the CSeq value is decoded, so the load fixture stays far below the engine.

import { parseArgs } from "node:util";

const SDP = [
  "v=0",
  "o=- 0 0 IN IP4 127.0.0.1",
  "s=StreamPulse bench",
  "c=IN IP4 0.0.0.0",
  "t=0 0",
  "a=control:*",
  "m=video 0 RTP/AVP 96",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f",
  "a=control:trackID=0",
  "",
].join("\r\n");

const encoder = new TextEncoder();
const MAX_HEAD = 8192;
const CSEQ = encoder.encode("cseq:");

/** The response to a request starting with `first` (its method's first byte). */
function response(method: number, cseq: string): Uint8Array {
  if (method === 0x4f /* O */) {
    return encoder.encode(
      `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE\r\nServer: bench\r\n\r\n`,
    );
  }
  if (method === 0x44 /* D */) {
    return encoder.encode(
      `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Type: application/sdp\r\n` +
        `Content-Length: ${SDP.length}\r\nServer: bench\r\n\r\n${SDP}`,
    );
  }
  return encoder.encode(`RTSP/1.0 501 Not Implemented\r\nCSeq: ${cseq}\r\n\r\n`);
}

/** Index just past CRLFCRLF in buf[from, to), or -1. */
function headEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from + 3; i < to; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) return i + 1;
  }
  return -1;
}

/** The CSeq value in the head buf[from, to) (case-insensitive name), or "0". */
function cseqOf(buf: Uint8Array, from: number, to: number): string {
  outer: for (let i = from; i < to - CSEQ.length; i++) {
    for (let j = 0; j < CSEQ.length; j++) {
      if ((buf[i + j] | 0x20) !== CSEQ[j]) continue outer;
    }
    let k = i + CSEQ.length;
    while (buf[k] === 32) k++;
    let v = "";
    while (buf[k] >= 48 && buf[k] <= 57) v += String.fromCharCode(buf[k++]);
    return v || "0";
  }
  return "0";
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

/** Answers requests on one connection until the client closes it. */
async function serve(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(MAX_HEAD);
  let len = 0;
  try {
    for (;;) {
      const n = await conn.read(buf.subarray(len));
      if (n === null) break;
      len += n;
      let start = 0;
      for (let end; (end = headEnd(buf, start, len)) >= 0; start = end) {
        await writeAll(conn, response(buf[start], cseqOf(buf, start, end)));
      }
      buf.copyWithin(0, start, len);
      len -= start;
      if (len === buf.length) break; // a head larger than 8 KiB: not a client of ours
    }
  } catch {
    /* reset by the client */
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

async function listen(listener: Deno.Listener): Promise<void> {
  for await (const conn of listener) {
    // Replies are single small writes: do not wait for ACKs of the previous segment.
    (conn as Deno.TcpConn).setNoDelay?.(true);
    serve(conn);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { ports: { type: "string" } } });
  const count = Math.max(1, Number(values.ports ?? 4));
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  Deno.addSignalListener("SIGINT", () => Deno.exit(0));
  console.log(JSON.stringify({ ports }));
  await Promise.all(listeners.map(listen));
}
