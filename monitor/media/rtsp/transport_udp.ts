/** RTP over UDP: datagrams on a pooled port pair, accepted from the camera's IP only. */

import type { Collector } from "./collector.ts";
import type { UdpPortPair } from "./port_pool.ts";

/** A listening UDP receiver. */
export interface UdpReceiver {
  /** Datagrams dropped because they came from another address. */
  readonly foreign: number;
  /** Stops listening (the pair is released by its owner). */
  stop(): void;
}

/** Normalises an address for comparison: lower case, IPv4-mapped IPv6 as plain IPv4. */
export function plainAddress(address: string): string {
  const a = address.toLowerCase();
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

/**
 * Feeds datagrams arriving on `pair.rtp` from `cameraIp` to `collector`. Any source port is
 * accepted (cameras often send from a port other than their `server_port`); RTCP is not read.
 */
export function startUdpReceiver(
  pair: UdpPortPair,
  cameraIp: string,
  collector: Collector,
): UdpReceiver {
  const camera = plainAddress(cameraIp);
  let foreign = 0;
  const onMessage = (msg: Uint8Array, rinfo: { address: string }) => {
    if (plainAddress(rinfo.address) !== camera) {
      foreign++;
      return;
    }
    collector.push(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), performance.now());
  };
  pair.rtp.on("message", onMessage);
  return {
    get foreign() {
      return foreign;
    },
    stop: () => void pair.rtp.off("message", onMessage),
  };
}
