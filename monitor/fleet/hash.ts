/** A stable 64-bit string hash in pure TypeScript (FNV-1a 64, then the MurmurHash3 finaliser). */

/**
 * A 64-bit value as two unsigned 32-bit halves. Plain numbers instead of `bigint` keep the hot
 * loop of rendezvous hashing (one hash per node per stream) free of allocations of big integers.
 */
export interface Hash64 {
  /** Bits 32..63, unsigned. */
  hi: number;
  /** Bits 0..31, unsigned. */
  lo: number;
}

/** FNV-1a 64 offset basis, 0xcbf29ce484222325. */
export const FNV64_OFFSET: Readonly<Hash64> = { hi: 0xcbf29ce4, lo: 0x84222325 };

const PRIME_HI = 0x00000100; // FNV-1a 64 prime 0x00000100000001b3
const PRIME_LO = 0x000001b3;
const MIX1_HI = 0xff51afd7; // MurmurHash3 fmix64 constants
const MIX1_LO = 0xed558ccd;
const MIX2_HI = 0xc4ceb9fe;
const MIX2_LO = 0x1a85ec53;

const encoder = new TextEncoder();

/** (a × b) mod 2⁶⁴ on 16-bit limbs; every partial sum stays below 2⁵³, so it is exact. */
function mul64(ah: number, al: number, bh: number, bl: number): Hash64 {
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  const c0 = a0 * b0;
  const c1 = Math.floor(c0 / 65536) + a0 * b1 + a1 * b0;
  const c2 = Math.floor(c1 / 65536) + a0 * b2 + a1 * b1 + a2 * b0;
  const c3 = Math.floor(c2 / 65536) + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  return {
    hi: ((c2 & 0xffff) | ((c3 & 0xffff) << 16)) >>> 0,
    lo: ((c0 & 0xffff) | ((c1 & 0xffff) << 16)) >>> 0,
  };
}

/**
 * Continues an FNV-1a 64 hash over `bytes` from `state` (start from {@link FNV64_OFFSET}). FNV is
 * a streaming hash, so a common prefix (a node's name) is hashed once and continued per stream.
 */
export function fnv1a64(bytes: Uint8Array, state: Readonly<Hash64> = FNV64_OFFSET): Hash64 {
  let h: Hash64 = { hi: state.hi, lo: state.lo };
  for (let i = 0; i < bytes.length; i++) {
    h = mul64(h.hi, (h.lo ^ bytes[i]) >>> 0, PRIME_HI, PRIME_LO);
  }
  return h;
}

/**
 * MurmurHash3's 64-bit finaliser (`fmix64`). FNV-1a alone mixes its last bytes only into the
 * middle bits (the prime is 2⁴⁰ + 0x1b3), so "cam-1" … "cam-9" would compare nearly alike for
 * every node and pile up on one; the finaliser spreads every input bit over the whole value.
 */
export function fmix64(h: Readonly<Hash64>): Hash64 {
  let hi = h.hi, lo = (h.lo ^ (h.hi >>> 1)) >>> 0; // h ^= h >>> 33
  let m = mul64(hi, lo, MIX1_HI, MIX1_LO);
  hi = m.hi, lo = (m.lo ^ (m.hi >>> 1)) >>> 0;
  m = mul64(hi, lo, MIX2_HI, MIX2_LO);
  return { hi: m.hi, lo: (m.lo ^ (m.hi >>> 1)) >>> 0 };
}

/** The UTF-8 bytes of `text` (what the hashes read). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Orders two 64-bit values as unsigned numbers: negative, zero or positive. */
export function compare64(a: Readonly<Hash64>, b: Readonly<Hash64>): number {
  return a.hi !== b.hi ? a.hi - b.hi : a.lo - b.lo;
}

/** The value as 16 lowercase hex digits (for test vectors and logs). */
export function hex64(h: Readonly<Hash64>): string {
  return h.hi.toString(16).padStart(8, "0") + h.lo.toString(16).padStart(8, "0");
}
