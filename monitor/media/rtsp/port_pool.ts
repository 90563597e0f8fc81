/** A bounded pool of UDP port pairs (RTP even, RTCP the next odd port) for RTSP over UDP. */

import dgram from "node:dgram";
import { Semaphore } from "../../semaphore.ts";

/** One bound pair; packets are read from `rtp`, `rtcp` only holds its port. */
export interface UdpPortPair {
  /** The even RTP port and the RTCP port above it. */
  rtpPort: number;
  rtcpPort: number;
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  /** Closes both sockets and frees the slot; safe to call twice. */
  release(): Promise<void>;
}

/** Hands out at most `size` pairs at once; a caller beyond that waits (bounded by its signal). */
export interface UdpPortPool {
  /** Binds a fresh pair on `hostname` (our end of the RTSP connection). */
  acquire(hostname: string, opts?: { signal?: AbortSignal }): Promise<UdpPortPair>;
  /** Pairs held now. */
  readonly inUse: number;
  /** Most pairs at once. */
  readonly size: number;
}

/** Options of {@link createUdpPortPool}. */
export interface UdpPortPoolDeps {
  /** Most pairs at once (default 20). */
  pairs?: number;
  /**
   * An even first port for a fixed range `basePort … basePort + 2·pairs − 1` (for firewalls).
   * Default: none, each pair is bound on a free ephemeral port chosen by the system.
   */
  basePort?: number;
  /** Tries to find an even/odd pair per acquire (default 8). */
  attempts?: number;
  /**
   * Receive buffer per RTP socket (default 256 KiB, a little above Linux's usual 208 KiB: a
   * keyframe burst must fit). Measured on Deno 2.9's node:dgram, each datagram costs more the
   * larger this is (a 1 MiB buffer made 200 datagrams cost ~45 ms of CPU instead of ~12 ms).
   */
  recvBufferBytes?: number;
}

/**
 * Creates a pool. Sockets are bound per session and closed on release, never reused, so a camera
 * that ignores TEARDOWN cannot feed the next session on its port (and the session accepts
 * datagrams from its camera's IP only). Ephemeral pairs: RTP is bound on port 0; an odd port
 * becomes the RTCP half with RTP tried one below, an even one tries RTCP one above; a taken
 * neighbour means closing and trying again, up to `attempts` times.
 */
export function createUdpPortPool(options: UdpPortPoolDeps = {}): UdpPortPool {
  const size = Math.max(1, Math.floor(options.pairs ?? 20));
  const attempts = options.attempts ?? 8;
  const recvBufferSize = options.recvBufferBytes ?? 256 * 1024;
  const base = options.basePort;
  if (base !== undefined && (base % 2 !== 0 || base < 1024 || base + 2 * size > 65536)) {
    throw new RangeError(
      `UDP base port ${base} must be even, ≥ 1024, with ${size} pairs below 65536`,
    );
  }
  const slots = new Semaphore(size);
  const fixedFree = Array.from({ length: size }, (_, i) => i);
  let inUse = 0;

  async function bindPair(hostname: string): Promise<[dgram.Socket, dgram.Socket, number]> {
    const type = hostname.includes(":") ? "udp6" : "udp4";
    const open = (port: number) => bindSocket(type, hostname, port, recvBufferSize);
    if (base !== undefined) {
      // Slots leave the free list before any await, so concurrent acquires never share one; a
      // port some other program holds goes to the back of the list.
      for (let tries = fixedFree.length; tries > 0; tries--) {
        const slot = fixedFree.shift();
        if (slot === undefined) break;
        const pair = await openPair(open, base + 2 * slot, base + 2 * slot + 1);
        if (pair) return [pair[0], pair[1], slot];
        fixedFree.push(slot);
      }
      throw new Error(`No free UDP port pair in ${base}–${base + 2 * size - 1}`);
    }
    for (let i = 0; i < attempts; i++) {
      const first = await open(0);
      const port = (first.address() as { port: number }).port;
      const other = await open(port % 2 === 0 ? port + 1 : port - 1).catch(() => null);
      if (other) return port % 2 === 0 ? [first, other, -1] : [other, first, -1];
      await closeSocket(first);
    }
    throw new Error(`No even/odd UDP port pair found in ${attempts} tries`);
  }

  return {
    get inUse() {
      return inUse;
    },
    size,
    async acquire(hostname, opts = {}) {
      await slots.acquire(opts.signal);
      let sockets: [dgram.Socket, dgram.Socket, number];
      try {
        sockets = await bindPair(hostname);
      } catch (err) {
        slots.release();
        throw err;
      }
      inUse++;
      const [rtp, rtcp, slot] = sockets;
      let released: Promise<void> | undefined;
      return {
        rtpPort: (rtp.address() as { port: number }).port,
        rtcpPort: (rtcp.address() as { port: number }).port,
        rtp,
        rtcp,
        release: () =>
          released ??= (async () => {
            await Promise.all([closeSocket(rtp), closeSocket(rtcp)]);
            if (slot >= 0) fixedFree.push(slot);
            inUse--;
            slots.release();
          })(),
      };
    },
  };
}

/** Binds both ports or neither. */
async function openPair(
  open: (port: number) => Promise<dgram.Socket>,
  rtpPort: number,
  rtcpPort: number,
): Promise<[dgram.Socket, dgram.Socket] | null> {
  const rtp = await open(rtpPort).catch(() => null);
  if (!rtp) return null;
  const rtcp = await open(rtcpPort).catch(() => null);
  if (rtcp) return [rtp, rtcp];
  await closeSocket(rtp);
  return null;
}

/** Binds one UDP socket; rejects (with the socket closed) when the port is taken. */
function bindSocket(
  type: "udp4" | "udp6",
  hostname: string,
  port: number,
  recvBufferSize: number,
): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type, recvBufferSize });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.off("listening", onListening);
      closeSocket(socket).finally(() => reject(err));
    };
    const onListening = () => {
      socket.off("error", onError);
      // A late error (ICMP port unreachable and the like) must not crash the process.
      socket.on("error", () => {});
      resolve(socket);
    };
    socket.once("error", onError);
    socket.once("listening", onListening);
    socket.bind(port, hostname);
  });
}

/** Closes a socket, resolving when it is closed (or was already). */
function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
