/** The JFIF header RFC 2435 leaves out: quantisation tables from Q (Appendix A) and Appendix B's headers. */

/** ITU T.81 Annex K.1 luminance quantisation table, natural (row) order. */
// deno-fmt-ignore
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
  92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
/** Annex K.1 chrominance table, natural order: four rows of detail, the rest 99. */
const CHROMA_Q = [
  ...[17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99],
  ...[24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99],
  ...new Array(32).fill(99),
];

/** Natural-order index of each zigzag position (DQT segments list coefficients in zigzag order). */
const ZIGZAG = [
  0,
  1,
  8,
  16,
  9,
  2,
  3,
  10,
  17,
  24,
  32,
  25,
  18,
  11,
  4,
  5,
  12,
  19,
  26,
  33,
  40,
  48,
  41,
  34,
  27,
  20,
  13,
  6,
  7,
  14,
  21,
  28,
  35,
  42,
  49,
  56,
  57,
  50,
  43,
  36,
  29,
  22,
  15,
  23,
  30,
  37,
  44,
  51,
  58,
  59,
  52,
  45,
  38,
  31,
  39,
  46,
  53,
  60,
  61,
  54,
  47,
  55,
  62,
  63,
];

/**
 * RFC 2435 Appendix A `MakeTables`: the luma and chroma tables (zigzag order, 64 bytes each)
 * for Q 1–99; Q 50 gives the Annex K tables unscaled.
 */
export function quantTablesForQ(q: number): Uint8Array {
  const factor = Math.min(99, Math.max(1, q));
  const scale = factor < 50 ? Math.floor(5000 / factor) : 200 - factor * 2;
  const out = new Uint8Array(128);
  for (let i = 0; i < 64; i++) {
    const lq = Math.floor((LUMA_Q[ZIGZAG[i]] * scale + 50) / 100);
    const cq = Math.floor((CHROMA_Q[ZIGZAG[i]] * scale + 50) / 100);
    out[i] = Math.min(255, Math.max(1, lq));
    out[64 + i] = Math.min(255, Math.max(1, cq));
  }
  return out;
}

// Annex K.3 Huffman tables: 16 code-length counts, then the symbols.
const DC_LUMA = hex("00010501010101010100000000000000000102030405060708090a0b");
const DC_CHROMA = hex("00030101010101010101010000000000000102030405060708090a0b");
const AC_LUMA = hex(
  "0002010303020403050504040000017d" +
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f0" +
    "2433627282090a161718191a25262728292a3435363738393a434445464748494a" +
    "535455565758595a636465666768696a737475767778797a838485868788898a" +
    "92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6" +
    "c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa",
);
const AC_CHROMA = hex(
  "00020102040403040705040400010277" +
    "000102031104052131061241510761711322328108144291a1b1c109233352f0" +
    "156272d10a162434e125f11718191a262728292a35363738393a434445464748" +
    "494a535455565758595a636465666768696a737475767778797a828384858687" +
    "88898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3" +
    "c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa",
);

/** What the RFC 2435 main header and its optional headers said about one frame. */
export interface JpegFrameHeader {
  /** RFC 2435 type with the restart bit cleared: 0 (4:2:2) or 1 (4:2:0). */
  type: 0 | 1;
  /** Picture width in pixels (the header's value × 8). */
  width: number;
  /** Picture height in pixels. */
  height: number;
  /** Luma then chroma table, 64 bytes each, zigzag order. */
  tables: Uint8Array;
  /** Restart interval in MCUs, 0 when the type had no restart markers. */
  restartInterval: number;
}

/** Builds SOI … SOS for a frame, as RFC 2435 Appendix B `MakeHeaders` does. */
export function jpegHeaders(h: JpegFrameHeader): Uint8Array {
  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, body: ArrayLike<number>) => {
    out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff);
    for (let i = 0; i < body.length; i++) out.push(body[i]);
  };
  segment(0xdb, [0, ...h.tables.subarray(0, 64)]);
  segment(0xdb, [
    1,
    ...h.tables.subarray(h.tables.length >= 128 ? 64 : 0, h.tables.length >= 128 ? 128 : 64),
  ]);
  if (h.restartInterval > 0) segment(0xdd, [h.restartInterval >> 8, h.restartInterval & 0xff]);
  segment(0xc0, [
    8,
    h.height >> 8,
    h.height & 0xff,
    h.width >> 8,
    h.width & 0xff,
    3,
    0,
    h.type === 0 ? 0x21 : 0x22,
    0,
    1,
    0x11,
    1,
    2,
    0x11,
    1,
  ]);
  segment(0xc4, [0x00, ...DC_LUMA]);
  segment(0xc4, [0x10, ...AC_LUMA]);
  segment(0xc4, [0x01, ...DC_CHROMA]);
  segment(0xc4, [0x11, ...AC_CHROMA]);
  segment(0xda, [3, 0, 0x00, 1, 0x11, 2, 0x11, 0, 63, 0]);
  return new Uint8Array(out);
}

/** Hex text → bytes (module constants only). */
function hex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
