/** A small MPEG-TS demuxer for one HLS segment: PAT → PMT → the video PID's PES → access units. */

import {
  isKeyNal,
  joinAnnexB,
  nalType,
  parameterSetTypes,
  splitAnnexB,
  type TsCodec,
} from "./annexb.ts";

const PACKET = 188;
const SYNC = 0x47;
/** PMT stream types read natively; a few others are named in the problem. */
const STREAM_TYPES: Record<number, TsCodec> = { 0x1b: "h264", 0x24: "hevc" };
const OTHER_VIDEO: Record<number, string> = { 0x01: "MPEG-1", 0x02: "MPEG-2", 0x10: "MPEG-4" };

/** A keyframe access unit, parameter sets included, ready for a decoder. */
export interface TsKeyframe {
  /** 90 kHz presentation time (33 bits), or NaN when the PES had none. */
  pts: number;
  annexB: Uint8Array;
}

/** What one segment holds of its first H.264/H.265 video stream. */
export interface TsVideo {
  codec?: TsCodec;
  /** Access units (one per PES), their bytes, and their PTS values (90 kHz, unwrapped). */
  units: number;
  bytes: number;
  pts: number[];
  /** The first and the last keyframe (one when only one arrived), parameter sets prepended. */
  keyframes: TsKeyframe[];
  /** The newest parameter sets seen (VPS/SPS/PPS), as NAL units without start codes. */
  parameterSets: Uint8Array[];
  /** Why the segment gave no video (no PAT/PMT, another codec, lost sync). */
  problem?: string;
}

/**
 * Demuxes `seg` (whole TS packets; a trailing partial one is ignored). Linear in its length:
 * every packet is looked at once, each access unit is joined once and split into NAL units
 * once; at most two keyframes are kept. Sections are assumed to fit one packet (as every
 * HLS muxer writes PAT and PMT). Lost sync is recovered by looking for the next 0x47 that a
 * second 0x47 follows one packet later.
 */
export function demuxTs(seg: Uint8Array): TsVideo {
  const v: TsVideo = { units: 0, bytes: 0, pts: [], keyframes: [], parameterSets: [] };
  let pmtPid = -1;
  let videoPid = -1;
  let other: string | undefined;
  let pes: Uint8Array[] = [];
  let pesPts = NaN;
  let inPes = false; // false after a PES start that was not one: drop its continuation
  let lastKey: TsKeyframe | undefined;
  const sets = new Map<number, Uint8Array>();
  let resyncs = 0;

  const flush = () => {
    if (!v.codec || pes.length === 0) return;
    const au = concat(pes);
    pes = [];
    const nals = splitAnnexB(au);
    if (nals.length === 0) return;
    v.units++;
    v.bytes += au.length;
    if (!Number.isNaN(pesPts)) v.pts.push(unwrap(pesPts, v.pts[0]));
    let key = false;
    for (const nal of nals) {
      const t = nalType(v.codec, nal);
      if (parameterSetTypes(v.codec).includes(t)) sets.set(t, nal.slice());
      if (isKeyNal(v.codec, t)) key = true;
    }
    if (!key) return;
    const have = new Set(nals.map((n) => nalType(v.codec!, n)));
    const missing = parameterSetTypes(v.codec).filter((t) => !have.has(t) && sets.has(t));
    const frame = {
      pts: pesPts,
      annexB: joinAnnexB([...missing.map((t) => sets.get(t)!), ...nals]),
    };
    if (v.keyframes.length === 0) v.keyframes.push(frame);
    else lastKey = frame;
  };

  for (let i = 0; i + PACKET <= seg.length;) {
    if (seg[i] !== SYNC) {
      const next = resync(seg, i);
      if (next < 0) break;
      resyncs++;
      i = next;
      continue;
    }
    const pusi = (seg[i + 1] & 0x40) !== 0;
    const pid = ((seg[i + 1] & 0x1f) << 8) | seg[i + 2];
    const afc = (seg[i + 3] >> 4) & 3;
    let p = i + 4;
    if (afc & 2) p += 1 + seg[i + 4];
    const end = i + PACKET;
    i = end;
    if (!(afc & 1) || p >= end) continue;
    if (pid === 0 && pusi && pmtPid < 0) pmtPid = readPat(seg.subarray(p, end));
    else if (pid === pmtPid && pusi && videoPid < 0) {
      const es = readPmt(seg.subarray(p, end));
      if (es.codec) {
        videoPid = es.pid;
        v.codec = es.codec;
      } else other ??= es.other;
    } else if (pid === videoPid) {
      if (pusi) {
        flush();
        const h = readPesHeader(seg.subarray(p, end));
        inPes = h !== null;
        if (!h) continue;
        pesPts = h.pts;
        p += h.dataAt;
      }
      if (inPes && p < end) pes.push(seg.subarray(p, end));
    }
  }
  flush();
  if (lastKey) v.keyframes.push(lastKey);
  v.parameterSets = [...sets.values()];
  if (v.units === 0) {
    v.problem = pmtPid < 0
      ? "no MPEG-TS program table (PAT) in the segment"
      : !v.codec
      ? other ? `video codec ${other} is not read natively` : "no H.264/H.265 video in the segment"
      : "no video access unit in the segment";
    if (resyncs > 0) v.problem += ` (lost sync ${resyncs} times)`;
  }
  return v;
}

/** The next index ≥ `from` where a packet plausibly starts, or -1. */
function resync(seg: Uint8Array, from: number): number {
  for (let j = seg.indexOf(SYNC, from + 1); j >= 0; j = seg.indexOf(SYNC, j + 1)) {
    if (j + PACKET >= seg.length || seg[j + PACKET] === SYNC) return j;
  }
  return -1;
}

/** A PTS made monotonic across the 33-bit wrap, relative to the first one seen. */
function unwrap(pts: number, first: number | undefined): number {
  if (first === undefined) return pts;
  const WRAP = 2 ** 33;
  if (pts < first - WRAP / 2) return pts + WRAP;
  return pts;
}

/** The PMT PID of the first program in a PAT section (after its pointer field), or -1. */
function readPat(b: Uint8Array): number {
  const s = 1 + b[0];
  if (s + 8 > b.length || b[s] !== 0x00) return -1;
  const end = Math.min(b.length, s + 3 + (((b[s + 1] & 0x0f) << 8) | b[s + 2]) - 4);
  for (let q = s + 8; q + 4 <= end; q += 4) {
    const program = (b[q] << 8) | b[q + 1];
    if (program !== 0) return ((b[q + 2] & 0x1f) << 8) | b[q + 3];
  }
  return -1;
}

/** The first H.264/H.265 elementary stream of a PMT section, or the name of another video. */
function readPmt(b: Uint8Array): { pid: number; codec?: TsCodec; other?: string } {
  const s = 1 + b[0];
  if (s + 12 > b.length || b[s] !== 0x02) return { pid: -1 };
  const end = Math.min(b.length, s + 3 + (((b[s + 1] & 0x0f) << 8) | b[s + 2]) - 4);
  let other: string | undefined;
  for (let q = s + 12 + (((b[s + 10] & 0x0f) << 8) | b[s + 11]); q + 5 <= end;) {
    const type = b[q];
    const pid = ((b[q + 1] & 0x1f) << 8) | b[q + 2];
    if (STREAM_TYPES[type]) return { pid, codec: STREAM_TYPES[type] };
    other ??= OTHER_VIDEO[type];
    q += 5 + (((b[q + 3] & 0x0f) << 8) | b[q + 4]);
  }
  return { pid: -1, other };
}

/** The PTS and where the data starts in a PES packet's first TS payload, or null. */
function readPesHeader(b: Uint8Array): { pts: number; dataAt: number } | null {
  if (b.length < 9 || b[0] !== 0 || b[1] !== 0 || b[2] !== 1) return null;
  const dataAt = 9 + b[8];
  let pts = NaN;
  if ((b[7] & 0x80) && b.length >= 14) {
    pts = (b[9] & 0x0e) * 2 ** 29 + b[10] * 2 ** 22 + (b[11] & 0xfe) * 2 ** 14 + b[12] * 2 ** 7 +
      (b[13] >> 1);
  }
  return dataAt <= b.length ? { pts, dataAt } : null;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
