/** Stream facts from RTP packets: fps and bitrate from RTP time, keyframe interval, packet loss. */

/** One received packet as the statistics need it. */
export interface PacketSample {
  /** Arrival time (ms, any epoch shared by all samples). */
  arrivalMs: number;
  /** RTP timestamp (32-bit, wraps). */
  rtpTimestamp: number;
  /** RTP clock rate in Hz (90,000 for video). */
  clockRate: number;
  /** Bytes received (payload or whole packet, as the caller chooses). */
  bytes: number;
  /** True when this packet belongs to a keyframe. */
  keyframe: boolean;
  /** RTP sequence number (16-bit, wraps). */
  sequence: number;
}

/** What a window of packets says about the stream; null where there was too little to tell. */
export interface StreamStats {
  /** Packets counted. */
  packets: number;
  /** Bytes counted. */
  bytes: number;
  /** Pictures: distinct consecutive RTP timestamps. */
  frames: number;
  /** Media time covered, first to last timestamp (s). */
  mediaSeconds: number;
  /** Pictures per second of RTP time: (frames − 1) / mediaSeconds. */
  fps: number | null;
  /** kbit/s over the media time of the frames seen (so a bursty delivery does not inflate it). */
  bitrateKbps: number | null;
  /** Distinct keyframes seen. */
  keyframes: number;
  /** Mean RTP time between keyframes (s). */
  keyframeIntervalSeconds: number | null;
  /** From the first packet (or `startMs`) to the first keyframe packet's arrival (ms). */
  timeToFirstKeyframeMs: number | null;
  /** Packets the sequence numbers say were sent, first to highest. */
  expectedPackets: number;
  /** expected − received (never below 0: duplicates do not hide loss elsewhere). */
  lostPackets: number;
  /** lostPackets / expectedPackets, 0 when nothing was expected. */
  lossRatio: number;
  /** Samples refused (clock rate not in 1 Hz–1 MHz, non-finite numbers). */
  invalidSamples: number;
}

/** An accumulator: O(1) per packet, so a long window costs no more than its packets. */
export interface StreamStatsAccumulator {
  /** Counts one packet. */
  add(sample: PacketSample): void;
  /** The facts so far. */
  summary(): StreamStats;
}

/**
 * Creates an accumulator. RTP timestamps and sequence numbers are unwrapped by their signed
 * distance to the previous one (32- and 16-bit), so wrap-around and mild reordering are harmless.
 * `startMs` (e.g. when PLAY was sent) is where time to first keyframe is measured from.
 */
export function createStreamStats(options: { startMs?: number } = {}): StreamStatsAccumulator {
  let packets = 0, bytes = 0, frames = 0, keyframes = 0, invalid = 0;
  let firstArrival = NaN, firstKeyArrival = NaN;
  let clockRate = 0;
  let prevTs = 0, extTs = 0, minTs = 0, maxTs = 0;
  let firstKeyTs = NaN, lastKeyTs = NaN;
  let prevSeq = 0, extSeq = 0, minSeq = 0, maxSeq = 0;
  return {
    add(s) {
      if (
        !(s.clockRate >= 1 && s.clockRate <= 1_000_000) || !Number.isFinite(s.arrivalMs) ||
        !Number.isFinite(s.bytes) || !Number.isFinite(s.rtpTimestamp + s.sequence)
      ) {
        invalid++;
        return;
      }
      const ts = s.rtpTimestamp >>> 0;
      const seq = s.sequence & 0xffff;
      if (packets === 0) {
        firstArrival = s.arrivalMs;
        clockRate = s.clockRate;
        frames = 1;
      } else {
        const dTs = (ts - prevTs) | 0; // signed 32-bit distance
        if (dTs !== 0) frames++;
        extTs += dTs;
        extSeq += ((seq - prevSeq + 0x8000) & 0xffff) - 0x8000; // signed 16-bit distance
      }
      prevTs = ts;
      prevSeq = seq;
      minTs = Math.min(minTs, extTs);
      maxTs = Math.max(maxTs, extTs);
      minSeq = Math.min(minSeq, extSeq);
      maxSeq = Math.max(maxSeq, extSeq);
      packets++;
      bytes += Math.max(0, s.bytes);
      if (s.keyframe) {
        if (Number.isNaN(firstKeyArrival)) firstKeyArrival = s.arrivalMs;
        if (extTs !== lastKeyTs) {
          keyframes++;
          if (Number.isNaN(firstKeyTs)) firstKeyTs = extTs;
          lastKeyTs = extTs;
        }
      }
    },
    summary() {
      const mediaSeconds = packets > 0 ? (maxTs - minTs) / clockRate : 0;
      const fps = frames > 1 && mediaSeconds > 0 ? (frames - 1) / mediaSeconds : null;
      // N frames occupy N frame periods: the span plus one period.
      const span = fps ? mediaSeconds + 1 / fps : 0;
      const expected = packets > 0 ? maxSeq - minSeq + 1 : 0;
      const lost = Math.max(0, expected - packets);
      const start = options.startMs ?? firstArrival;
      return {
        packets,
        bytes,
        frames: packets > 0 ? frames : 0,
        mediaSeconds,
        fps,
        bitrateKbps: span > 0 ? (bytes * 8) / span / 1000 : null,
        keyframes,
        keyframeIntervalSeconds: keyframes > 1
          ? (lastKeyTs - firstKeyTs) / (keyframes - 1) / clockRate
          : null,
        timeToFirstKeyframeMs: Number.isNaN(firstKeyArrival) ? null : firstKeyArrival - start,
        expectedPackets: expected,
        lostPackets: lost,
        lossRatio: expected > 0 ? lost / expected : 0,
        invalidSamples: invalid,
      };
    },
  };
}

/** Computes {@link StreamStats} for a whole list of samples at once. */
export function computeStreamStats(
  samples: Iterable<PacketSample>,
  options: { startMs?: number } = {},
): StreamStats {
  const acc = createStreamStats(options);
  for (const s of samples) acc.add(s);
  return acc.summary();
}
