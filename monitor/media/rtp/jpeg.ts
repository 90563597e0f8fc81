/** JPEG RTP payload (RFC 2435): fragments reassembled by offset, rebuilt into whole JFIF images. */

import type { AccessUnit, Depacketiser, DepacketiseResult } from "./depacketiser.ts";
import { jpegHeaders, quantTablesForQ } from "./jpeg_header.ts";
import {
  createSequenceTracker,
  problem,
  type RtpPacket,
  type RtpProblem,
  type RtpProblemCode,
} from "./packet.ts";

/** Limits for {@link createJpegDepacketiser}. */
export interface JpegDepacketiserDeps {
  /** Largest image kept, default 8 MiB. */
  maxUnitBytes?: number;
}

interface Frame {
  timestamp: number;
  firstSequence: number;
  headers: Uint8Array;
  width: number;
  height: number;
  parts: Uint8Array[];
  size: number;
}

/**
 * Creates a JPEG depacketiser. A frame is emitted at its marker bit when every byte from offset 0
 * arrived in order; a gap in offsets or sequence numbers drops the frame. Tables come from Q
 * (1–99), or in-band for Q ≥ 128 (cached for 128–254, whose tables RFC 2435 says are static).
 */
export function createJpegDepacketiser(options: JpegDepacketiserDeps = {}): Depacketiser {
  const maxBytes = options.maxUnitBytes ?? 8 * 1024 * 1024;
  const tracker = createSequenceTracker();
  const cachedTables = new Map<number, Uint8Array>();
  let frame: Frame | null = null;
  let dropTimestamp = -1; // a frame already refused: ignore the rest of its packets quietly
  let problems: RtpProblem[] = [];
  const report = (code: RtpProblemCode, message: string) => {
    problems.push(problem(code, message));
    if (frame) dropTimestamp = frame.timestamp;
    frame = null;
  };

  const cut = () => {
    report("truncated", "RTP/JPEG headers are cut off: frame dropped");
    return -1;
  };

  /** Reads the first packet's headers and opens a frame; returns where the scan data starts. */
  function start(packet: RtpPacket, p: Uint8Array): number {
    const type = p[4];
    const q = p[5];
    const width = p[6] * 8;
    const height = p[7] * 8;
    let at = 8;
    let restartInterval = 0;
    if (type >= 64 && type <= 127) {
      if (p.length < at + 4) return cut();
      restartInterval = (p[at] << 8) | p[at + 1];
      at += 4;
    }
    const base = type & 0x3f;
    if (base > 1 || type > 127) {
      report("unsupported", `RTP/JPEG type ${type} is not 0, 1, 64 or 65: frame dropped`);
      return -1;
    }
    if (p[0] !== 0) {
      report("unsupported", `RTP/JPEG interlaced field (type-specific ${p[0]}): frame dropped`);
      return -1;
    }
    if (width === 0 || height === 0) {
      report("bad-jpeg", `RTP/JPEG picture size ${width}×${height} is empty: frame dropped`);
      return -1;
    }
    let tables: Uint8Array | undefined;
    if (q >= 128) {
      if (p.length < at + 4) return cut();
      const precision = p[at + 1];
      const length = (p[at + 2] << 8) | p[at + 3];
      at += 4;
      if (precision !== 0) {
        report("unsupported", "RTP/JPEG 16-bit quantisation tables are not supported: dropped");
        return -1;
      }
      if (length > 0) {
        if ((length !== 64 && length !== 128) || p.length < at + length) {
          report("bad-jpeg", `RTP/JPEG quantisation table length ${length} is invalid: dropped`);
          return -1;
        }
        tables = p.slice(at, at + length);
        at += length;
        if (q < 255) cachedTables.set(q, tables);
      } else tables = cachedTables.get(q);
      if (!tables) {
        report("bad-jpeg", `RTP/JPEG Q ${q} refers to tables never sent: frame dropped`);
        return -1;
      }
    } else tables = quantTablesForQ(q);
    const headers = jpegHeaders({ type: base as 0 | 1, width, height, tables, restartInterval });
    frame = {
      timestamp: packet.timestamp,
      firstSequence: packet.sequence,
      headers,
      width,
      height,
      parts: [],
      size: headers.length,
    };
    return at;
  }

  function finish(units: AccessUnit[]) {
    if (!frame) return;
    const { parts, headers } = frame;
    const last = parts[parts.length - 1];
    const hasEoi = last && last.length >= 2 && last[last.length - 2] === 0xff &&
      last[last.length - 1] === 0xd9;
    const data = new Uint8Array(frame.size + (hasEoi ? 0 : 2));
    data.set(headers);
    let at = headers.length;
    for (const part of parts) {
      data.set(part, at);
      at += part.length;
    }
    if (!hasEoi) data.set([0xff, 0xd9], at);
    units.push({
      codec: "JPEG",
      timestamp: frame.timestamp,
      data,
      keyframe: true,
      complete: true,
      nalTypes: [],
      hasParameterSets: true,
      firstSequence: frame.firstSequence,
      width: frame.width,
      height: frame.height,
    });
    frame = null;
  }

  function push(packet: RtpPacket): DepacketiseResult {
    const units: AccessUnit[] = [];
    problems = [];
    const step = tracker.next(packet.sequence);
    if (step.late) {
      problems.push(
        problem("sequence-jump", `RTP packet ${packet.sequence} arrived late: dropped`),
      );
      return { units, problems };
    }
    if (step.problem) problems.push(step.problem);
    if (frame && (step.lost > 0 || step.problem)) {
      report("fragment-lost", `${step.lost} RTP packets lost inside a JPEG frame: dropped`);
    }
    if (frame && packet.timestamp !== frame.timestamp) {
      report("fragment-lost", "A JPEG frame ended without its marker packet: dropped");
    }
    const p = packet.payload;
    if (p.length < 8) {
      report("truncated", `RTP/JPEG payload of ${p.length} bytes is too short: dropped`);
      return { units, problems };
    }
    const offset = (p[1] << 16) | (p[2] << 8) | p[3];
    if (packet.timestamp === dropTimestamp) return { units, problems };
    dropTimestamp = -1;
    let at = 8;
    if (offset === 0) {
      if (frame) report("fragment-lost", "A JPEG frame restarted at offset 0: dropped the first");
      at = start(packet, p);
      if (at < 0) {
        dropTimestamp = packet.timestamp;
        return { units, problems };
      }
    } else {
      if (!frame) return { units, problems }; // the start was lost, already reported or not seen
      at = 8 + (p[4] >= 64 && p[4] <= 127 ? 4 : 0);
      if (offset !== frame.size - frame.headers.length) {
        report("fragment-lost", `RTP/JPEG fragment at offset ${offset} leaves a gap: dropped`);
        return { units, problems };
      }
    }
    const data = p.subarray(Math.min(at, p.length));
    if (frame!.size + data.length + 2 > maxBytes) {
      report("unit-too-large", `JPEG frame exceeds ${maxBytes} bytes: dropped`);
      return { units, problems };
    }
    frame!.parts.push(data.slice());
    frame!.size += data.length;
    if (packet.marker) finish(units);
    return { units, problems };
  }

  return {
    codec: "JPEG",
    push,
    flush() {
      problems = [];
      if (frame) report("fragment-lost", "A JPEG frame was cut off by the end of the window");
      return { units: [], problems };
    },
    get lostPackets() {
      return tracker.lost;
    },
    parameterSets: () => [],
  };
}
