/** RTSP relay framing: reads `$`-interleaved data and bounded RTSP messages off one connection. */

/** A message's head is refused past this size (status/request line + headers). */
export const MAX_HEAD = 16 * 1024;
/** A message's body (an SDP, a parameter list) is refused past this size. */
export const MAX_BODY = 64 * 1024;
/** The largest interleaved frame: `$`, channel, 16-bit length, payload. */
const MAX_FRAME = 4 + 0xffff;
const DOLLAR = 0x24;
const decoder = new TextDecoder();

/** A peer sent something the relay will not pass on; the connection is closed. */
export class RelayProtocolError extends Error {}

/** One RTSP request or response: its first line, headers in order, and body. */
export interface RtspMessage {
  /** "DESCRIBE rtsp://… RTSP/1.0" or "RTSP/1.0 200 OK". */
  line: string;
  /** Header lines as [name, value], names as sent. */
  headers: [string, string][];
  body: Uint8Array;
}

/** What one {@link RtspReader.next} call yields: a run of interleaved frames, or a message. */
export type RtspItem = { data: Uint8Array } | { message: RtspMessage };

/**
 * Reads one direction of an RTSP-over-TCP connection with a fixed buffer. Interleaved frames
 * come back as a view into the buffer (consecutive whole frames coalesced): write it out before
 * calling {@link next} again. Heads and bodies past their limits throw {@link RelayProtocolError}.
 */
export class RtspReader {
  private buf = new Uint8Array(MAX_HEAD + MAX_BODY + MAX_FRAME);
  private start = 0;
  private end = 0;

  /** `read` is the connection's read; `onRead` runs after each successful read (idle tracking). */
  constructor(
    private readonly conn: { read(p: Uint8Array): Promise<number | null> },
    private readonly onRead: () => void,
  ) {}

  /** The next item, or null at a clean end of stream. */
  async next(): Promise<RtspItem | null> {
    for (;;) {
      const item = this.parse();
      if (item) return item;
      if (!await this.fill()) {
        if (this.end === this.start) return null;
        throw new RelayProtocolError("connection closed mid-message");
      }
    }
  }

  /** Parses one whole item from the buffer, or returns undefined when more bytes are needed. */
  private parse(): RtspItem | undefined {
    const { buf, start, end } = this;
    if (start === end) return undefined;
    if (buf[start] === DOLLAR) {
      let at = start;
      while (at + 4 <= end && buf[at] === DOLLAR) {
        const len = 4 + ((buf[at + 2] << 8) | buf[at + 3]);
        if (at + len > end) break;
        at += len;
      }
      if (at === start) return undefined;
      this.start = at;
      return { data: buf.subarray(start, at) };
    }
    const headEnd = findHeadEnd(buf, start, Math.min(end, start + MAX_HEAD));
    if (headEnd < 0) {
      if (end - start >= MAX_HEAD) throw new RelayProtocolError("RTSP head larger than 16 KiB");
      return undefined;
    }
    const message = parseHead(decoder.decode(buf.subarray(start, headEnd)));
    const cl = header(message, "content-length");
    const bodyLen = cl === undefined ? 0 : Number(cl);
    if (!/^\d{1,6}$/.test(cl ?? "0") || bodyLen > MAX_BODY) {
      throw new RelayProtocolError("bad or too large RTSP Content-Length");
    }
    if (headEnd + bodyLen > end) return undefined;
    message.body = buf.slice(headEnd, headEnd + bodyLen);
    this.start = headEnd + bodyLen;
    return { message };
  }

  /** Reads more bytes, first moving what is left to the front. False at end of stream. */
  private async fill(): Promise<boolean> {
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    const n = await this.conn.read(this.buf.subarray(this.end));
    if (n === null) return false;
    this.end += n;
    this.onRead();
    return true;
  }
}

/** Index just past the blank line ending a head (CRLFCRLF or LFLF) in [from, to), or -1. */
function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to - 1; i++) {
    if (buf[i] !== 10) continue;
    if (buf[i + 1] === 10) return i + 2;
    if (buf[i + 1] === 13 && i + 2 < to && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}

function parseHead(head: string): RtspMessage {
  const lines = head.split("\n").map((l) => l.replace(/\r$/, ""));
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { line: lines[0], headers, body: new Uint8Array() };
}

/** The first value of header `name` (case-insensitive), or undefined. */
export function header(m: RtspMessage, name: string): string | undefined {
  return m.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Every value of header `name`, joined with ", " (for WWW-Authenticate challenges). */
export function headerAll(m: RtspMessage, name: string): string {
  return m.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v).join(", ");
}

/** Serialises a message; Content-Length is set from the body (or dropped when it is empty). */
export function encodeMessage(m: RtspMessage): Uint8Array {
  let text = `${m.line}\r\n`;
  for (const [n, v] of m.headers) {
    if (n.toLowerCase() !== "content-length") text += `${n}: ${v}\r\n`;
  }
  if (m.body.length) text += `Content-Length: ${m.body.length}\r\n`;
  const head = new TextEncoder().encode(`${text}\r\n`);
  const out = new Uint8Array(head.length + m.body.length);
  out.set(head);
  out.set(m.body, head.length);
  return out;
}

/** Writes all of `bytes` to `conn` (a write may take only part of them). */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}
