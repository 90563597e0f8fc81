/** The NAL-unit core H.264 and H.265 share: pictures by marker/timestamp, FU reassembly, bounds. */

import type { AccessUnit, Depacketiser, DepacketiserOptions } from "./depacketiser.ts";
import { createSequenceTracker, problem, type RtpProblem, type RtpProblemCode } from "./packet.ts";

/** Where a payload parser delivers what it found. */
export interface NalSink {
  /** A complete NAL unit (header included). */
  nal(nal: Uint8Array): void;
  /** A fragment; `header` (the rebuilt NAL header) is read only when `start` is set. */
  fragment(start: boolean, end: boolean, header: Uint8Array, data: Uint8Array): void;
  /** Something in the payload was refused. */
  problem(code: RtpProblemCode, message: string): void;
}

/** What differs between H.264 and H.265. */
export interface NalDialect {
  /** Codec name. */
  codec: "H264" | "H265";
  /** The NAL unit type from a NAL's header. */
  type(nal: Uint8Array): number;
  /** Whether a NAL type starts a decodable picture. */
  isKeyframe(type: number): boolean;
  /**
   * For a slice NAL: whether it is its picture's first slice (H.264 first_mb_in_slice = 0,
   * H.265 first_slice_segment_in_pic_flag); undefined for other NALs.
   */
  startsPicture(nal: Uint8Array): boolean | undefined;
  /** Parameter set types in decoding order (7, 8 or 32, 33, 34). */
  parameterSetTypes: number[];
  /** Splits one RTP payload into NALs and fragments. */
  unpack(payload: Uint8Array, sink: NalSink): void;
}

const START_CODE = [0, 0, 0, 1];
const MAX_PARAMETER_SET_BYTES = 4096;

/** Builds a depacketiser from a dialect; `initial` are parameter sets from the SDP. */
export function createNalDepacketiser(
  dialect: NalDialect,
  initial: Uint8Array[],
  options: DepacketiserOptions = {},
): Depacketiser {
  const maxBytes = options.maxUnitBytes ?? 8 * 1024 * 1024;
  const maxNals = options.maxNalUnits ?? 1024;
  const inject = options.injectParameterSets ?? true;
  const tracker = createSequenceTracker();
  const sets = new Map<number, Uint8Array>();
  let nals: Uint8Array[] = [];
  let bytes = 0;
  let timestamp = -1;
  let firstSequence = 0;
  let damaged = false;
  let overflow = false; // the unit grew too big: drop the rest of it
  let fragments: Uint8Array[] | null = null;
  let fragmentBytes = 0;
  let problems: RtpProblem[] = [];
  const report = (code: RtpProblemCode, message: string) => problems.push(problem(code, message));

  const isParameterSet = (nal: Uint8Array) => dialect.parameterSetTypes.includes(dialect.type(nal));
  const remember = (nal: Uint8Array) => {
    if (isParameterSet(nal) && nal.length <= MAX_PARAMETER_SET_BYTES) {
      sets.set(dialect.type(nal), nal);
    }
  };
  for (const nal of initial) if (nal.length > 0) remember(nal.slice());

  const tooLarge = () => {
    report("unit-too-large", `Picture exceeds ${maxBytes} bytes or ${maxNals} NAL units: dropped`);
    overflow = true;
    nals = [];
    bytes = 0;
  };
  const add = (nal: Uint8Array) => {
    if (overflow || nal.length === 0) return;
    if (bytes + nal.length + 4 > maxBytes || nals.length >= maxNals) return tooLarge();
    // GStreamer's config-interval=-1 repeats SPS/PPS before every IDR slice of a picture; a
    // decoder then starts a new picture mid-frame. A byte-identical repeat in one unit adds nothing.
    if (isParameterSet(nal) && nals.some((n) => sameBytes(n, nal))) return;
    remember(nal);
    nals.push(nal);
    bytes += nal.length + 4;
  };

  // Payload views are copied on arrival: the caller may reuse its receive buffer.
  const sink: NalSink = {
    nal(nal) {
      if (fragments) {
        report("fragment-lost", "A fragmented NAL unit ended without its end fragment: dropped");
        fragments = null;
      }
      add(nal.slice());
    },
    fragment(start, end, header, data) {
      if (overflow) return;
      if (start) {
        if (fragments) {
          report("fragment-lost", "A fragmented NAL unit restarted: dropped the first");
        }
        fragments = [header.slice(), data.slice()];
        fragmentBytes = header.length + data.length;
      } else if (!fragments) {
        report("fragment-lost", "A fragment arrived without its start fragment: dropped");
        return;
      } else {
        fragments.push(data.slice());
        fragmentBytes += data.length;
      }
      if (bytes + fragmentBytes + 4 > maxBytes) {
        fragments = null;
        return tooLarge();
      }
      if (end) {
        const nal = concat(fragments, fragmentBytes, 0);
        fragments = null;
        add(nal);
      }
    },
    problem: report,
  };

  const emit = (units: AccessUnit[]) => {
    if (fragments) {
      report("fragment-lost", "A fragmented NAL unit was cut off by the next picture: dropped");
      fragments = null;
      damaged = true;
    }
    if (nals.length > 0 && !overflow) units.push(build());
    nals = [];
    bytes = 0;
    damaged = false;
    overflow = false;
    timestamp = -1;
  };

  const build = (): AccessUnit => {
    const types = nals.map((n) => dialect.type(n));
    const keyframe = types.some((t) => dialect.isKeyframe(t));
    // A session can join mid-picture (x264's sliced threads send a picture as several slices):
    // a unit whose first slice is not the picture's first lacks its top, whatever the sequence
    // numbers say, and must not pass for a whole keyframe.
    let top: boolean | undefined;
    for (const n of nals) if ((top = dialect.startsPicture(n)) !== undefined) break;
    let out = nals;
    if (keyframe && inject) {
      const missing = dialect.parameterSetTypes.filter((t) => !types.includes(t) && sets.has(t));
      out = [...missing.map((t) => sets.get(t)!), ...nals];
    }
    const outTypes = out.map((n) => dialect.type(n));
    let size = 0;
    for (const n of out) size += n.length + 4;
    return {
      codec: dialect.codec,
      timestamp,
      data: concat(out, size, 4),
      keyframe,
      complete: !damaged && top !== false,
      nalTypes: outTypes,
      hasParameterSets: dialect.parameterSetTypes.every((t) => outTypes.includes(t)),
      firstSequence,
    };
  };

  return {
    codec: dialect.codec,
    get lostPackets() {
      return tracker.lost;
    },
    parameterSets: () =>
      dialect.parameterSetTypes.filter((t) => sets.has(t)).map((t) => sets.get(t)!.slice()),
    push(packet) {
      const units: AccessUnit[] = [];
      problems = [];
      const step = tracker.next(packet.sequence);
      if (step.late) {
        report("sequence-jump", `RTP packet ${packet.sequence} arrived late or twice: dropped`);
        return { units, problems };
      }
      if (step.problem) problems.push(step.problem);
      const gap = step.lost > 0 || step.problem !== undefined;
      if (gap) {
        if (fragments) {
          report("fragment-lost", `${step.lost} RTP packets lost inside a fragmented NAL: dropped`);
          fragments = null;
        }
        if (timestamp >= 0) damaged = true; // the unit in progress lost packets (maybe its end)
      }
      if (timestamp >= 0 && packet.timestamp !== timestamp) emit(units);
      if (gap) damaged = true; // the lost packets may have been this unit's start
      if (timestamp < 0) {
        timestamp = packet.timestamp;
        firstSequence = packet.sequence;
      }
      dialect.unpack(packet.payload, sink);
      if (packet.marker) emit(units);
      return { units, problems };
    },
    flush() {
      const units: AccessUnit[] = [];
      problems = [];
      emit(units);
      return { units, problems };
    },
  };
}

/** Joins parts into one buffer, with a 4-byte start code before each when `prefix` is 4. */
function concat(parts: Uint8Array[], size: number, prefix: 0 | 4): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    if (prefix) {
      out.set(START_CODE, at);
      at += 4;
    }
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Byte equality, cheapest test first. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
