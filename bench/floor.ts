/** The CPU floor: a bare loop doing only the engine's RTSP exchange, at the same rate. */

// Usage: deno run --allow-net bench/floor.ts --ports P1,P2 --n 1000 --heartbeat 10
// URL i is rtsp://127.0.0.1:<ports[i % ports.length]>/cam<i>, checked once per heartbeat on an
// evenly spread phase, like the engine's steady state. Per exchange: connect, OPTIONS, read,
// DESCRIBE, read (Content-Length body), close; no timers, no state, no storage.
// Every line read on stdin is answered on stdout with a JSON line of counters; the latencies
// reported are those since the previous line, so two lines bracket a measuring window.

import { parseArgs } from "node:util";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CONTENT_LENGTH = /^content-length:\s*(\d+)/im;

interface Counters {
  started: number;
  done: number;
  ok: number;
  onTime: number;
  maxLateMs: number;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

/** Reads one response into `buf`; returns its status code and body text. */
async function readResponse(conn: Deno.Conn, buf: Uint8Array): Promise<[number, string]> {
  let len = 0;
  let end = -1;
  while (end < 0) {
    const n = await conn.read(buf.subarray(len));
    if (n === null) throw new Error("closed mid-response");
    len += n;
    for (let i = 3; i < len; i++) {
      if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) {
        end = i + 1;
        break;
      }
    }
  }
  const head = decoder.decode(buf.subarray(0, end));
  const total = end + Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
  while (len < total) {
    const n = await conn.read(buf.subarray(len));
    if (n === null) throw new Error("closed mid-body");
    len += n;
  }
  return [Number(head.slice(9, 12)), decoder.decode(buf.subarray(end, total))];
}

/** One check: OPTIONS then DESCRIBE on one connection; true for 200 + a video track. */
async function exchange(port: number, uri: string): Promise<boolean> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buf = new Uint8Array(4096);
  try {
    await writeAll(
      conn,
      encoder.encode(`OPTIONS ${uri} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: StreamPulse\r\n\r\n`),
    );
    const [options] = await readResponse(conn, buf);
    if (options !== 200) return false;
    await writeAll(
      conn,
      encoder.encode(
        `DESCRIBE ${uri} RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: StreamPulse\r\n` +
          `Accept: application/sdp\r\n\r\n`,
      ),
    );
    const [status, sdp] = await readResponse(conn, buf);
    return status === 200 && sdp.includes("m=video");
  } finally {
    conn.close();
  }
}

/** Runs the loop until the process is stopped. */
function runLoop(ports: number[], n: number, heartbeatMs: number, c: Counters, lat: number[]) {
  const uris = Array.from(
    { length: n },
    (_, i) => `rtsp://127.0.0.1:${ports[i % ports.length]}/cam${i}`,
  );
  const t0 = Date.now();
  let k = 0; // the k-th exchange overall: URL k % n in round floor(k / n)
  const dueOf = (k: number) => t0 + (k / n) * heartbeatMs;
  const launch = (k: number) => {
    const i = k % n;
    const late = Date.now() - dueOf(k);
    c.started++;
    if (late <= 1000) c.onTime++;
    if (late > c.maxLateMs) c.maxLateMs = late;
    const start = performance.now();
    exchange(ports[i % ports.length], uris[i]).then(
      (ok) => {
        c.done++;
        if (ok) c.ok++;
        lat.push(performance.now() - start);
      },
      () => c.done++,
    );
  };
  const tick = () => {
    const now = Date.now();
    while (dueOf(k) <= now) launch(k++);
    setTimeout(tick, Math.max(1, dueOf(k) - Date.now()));
  };
  tick();
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ports: { type: "string" },
      n: { type: "string", default: "1000" },
      heartbeat: { type: "string", default: "10" },
    },
  });
  const ports = String(values.ports ?? "").split(",").map(Number).filter((p) => p > 0);
  if (ports.length === 0) throw new TypeError('Cannot run the floor: "--ports" is missing');
  const counters: Counters = { started: 0, done: 0, ok: 0, onTime: 0, maxLateMs: 0 };
  const latencies: number[] = [];
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  Deno.addSignalListener("SIGINT", () => Deno.exit(0));
  runLoop(ports, Number(values.n), Number(values.heartbeat) * 1000, counters, latencies);
  // Answer each stdin line with the counters and the latencies since the last answer.
  let rest = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    while (rest.includes("\n")) {
      rest = rest.slice(rest.indexOf("\n") + 1);
      const sorted = latencies.splice(0).sort((a, b) => a - b);
      const q = (p: number) =>
        sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
      console.log(JSON.stringify({ ...counters, p50: q(0.5) ?? null, p99: q(0.99) ?? null }));
    }
  }
  Deno.exit(0);
}
