/** A bit reader for H.26x RBSP: emulation prevention removed, Exp-Golomb codes, no throwing. */

/**
 * Removes emulation-prevention bytes (00 00 03 → 00 00) from a NAL unit's payload, in one pass,
 * so the bits read are the RBSP the standard's syntax tables describe.
 */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const byte = nal[i];
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

/**
 * Reads bits MSB first. Reading past the end, or an Exp-Golomb code longer than 32 bits, sets
 * `overrun` and yields 0 from then on; the caller checks `overrun` once at the end instead of
 * wrapping every read, and a hostile SPS cannot make it loop or throw.
 */
export class BitReader {
  #bytes: Uint8Array;
  #bit = 0;
  /** True once a read went past the end or met an impossible code. */
  overrun = false;

  /** Wraps RBSP bytes (already unescaped). */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Bits not yet read. */
  get left(): number {
    return this.overrun ? 0 : this.#bytes.length * 8 - this.#bit;
  }

  /** Reads `n` (0–32) bits as an unsigned number. */
  bits(n: number): number {
    if (this.overrun || n > this.left) {
      this.overrun = true;
      return 0;
    }
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.#bytes[this.#bit >> 3];
      value = value * 2 + ((byte >> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return value;
  }

  /** Reads one bit as a boolean. */
  flag(): boolean {
    return this.bits(1) === 1;
  }

  /** Skips `n` bits. */
  skip(n: number): void {
    if (n > this.left) this.overrun = true;
    else this.#bit += n;
  }

  /** ue(v): unsigned Exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (!this.overrun && this.bits(1) === 0) {
      if (++zeros > 31) this.overrun = true;
    }
    if (this.overrun) return 0;
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** se(v): signed Exp-Golomb (1, −1, 2, −2, …). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
