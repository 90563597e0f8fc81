/** Pure reading of a fragmented MP4's init segment (ftyp + moov): where it ends, its video codec. */

/** The video track of an init segment, as MSE wants it. */
export interface Mp4Video {
  /** The sample entry: "avc1", "avc3", "hvc1", "hev1", "mp4v", … */
  entry: string;
  /** RFC 6381 codec string (`avc1.64001f`, `hvc1.1.6.L93.B0`), or undefined when not H.264/H.265. */
  codec?: string;
}

const ascii = (b: Uint8Array, at: number) =>
  String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
const u32 = (b: Uint8Array, at: number) =>
  ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** One box header at `at` inside `[at, end)`: its type and where it ends, or undefined. */
function boxAt(b: Uint8Array, at: number, end: number): { type: string; end: number } | undefined {
  if (at + 8 > end) return undefined;
  let size = u32(b, at);
  if (size === 1) {
    if (at + 16 > end) return undefined;
    const hi = u32(b, at + 8);
    if (hi !== 0) return undefined; // over 4 GiB: never an init segment
    size = u32(b, at + 12);
  } else if (size === 0) size = end - at;
  if (size < 8) return undefined;
  return { type: ascii(b, at + 4), end: at + size };
}

/**
 * The byte length of the init segment at the start of `bytes` (the boxes up to and including
 * `moov`), 0 while it is still incomplete, or -1 when the bytes are no MP4 (a first box other
 * than ftyp/moov/free, or more than `maxBoxes` boxes before moov).
 */
export function initSegmentLength(bytes: Uint8Array, maxBoxes = 8): number {
  let at = 0;
  for (let i = 0; i < maxBoxes; i++) {
    if (at + 8 > bytes.length) return 0;
    const size = u32(bytes, at);
    const type = ascii(bytes, at + 4);
    if (i === 0 && type !== "ftyp" && type !== "moov") return -1;
    if (!["ftyp", "moov", "free", "skip", "uuid"].includes(type) || size < 8) return -1;
    if (at + size > bytes.length) return 0;
    at += size;
    if (type === "moov") return at;
  }
  return -1;
}

/** The children of the box spanning `[start, end)` whose payload starts at `start + skip`. */
function* children(b: Uint8Array, start: number, end: number): Generator<[string, number, number]> {
  let at = start;
  for (let i = 0; i < 64; i++) {
    const box = boxAt(b, at, end);
    if (!box || box.end > end) return;
    yield [box.type, at, box.end];
    at = box.end;
  }
}

/** The first child of type `type` in `[start, end)`: `[payload start, end]`. */
function find(
  b: Uint8Array,
  start: number,
  end: number,
  type: string,
): [number, number] | undefined {
  for (const [t, at, e] of children(b, start, end)) if (t === type) return [at + 8, e];
  return undefined;
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** `avc1.PPCCLL` from an avcC payload (profile, constraint flags, level of the SPS). */
function avcCodec(entry: string, b: Uint8Array, at: number, end: number): string | undefined {
  if (at + 4 > end || b[at] !== 1) return undefined;
  return `${entry}.${hex2(b[at + 1])}${hex2(b[at + 2])}${hex2(b[at + 3])}`;
}

/** `hvc1.P.C.TL.B…` from an hvcC payload (ISO/IEC 14496-15 annex E). */
function hevcCodec(entry: string, b: Uint8Array, at: number, end: number): string | undefined {
  if (at + 13 > end) return undefined;
  const space = ["", "A", "B", "C"][b[at + 1] >> 6];
  const tier = (b[at + 1] >> 5) & 1 ? "H" : "L";
  const profile = b[at + 1] & 0x1f;
  let compat = u32(b, at + 2);
  let reversed = 0;
  for (let i = 0; i < 32; i++, compat >>>= 1) reversed = ((reversed << 1) | (compat & 1)) >>> 0;
  const flags = [...b.subarray(at + 6, at + 12)];
  while (flags.length && flags[flags.length - 1] === 0) flags.pop();
  const tail = flags.map((f) => `.${f.toString(16).toUpperCase()}`).join("");
  return `${entry}.${space}${profile}.${reversed.toString(16).toUpperCase()}.${tier}${
    b[at + 12]
  }${tail}`;
}

/**
 * The first video track of an init segment (`bytes` from {@link initSegmentLength}'s start), or
 * undefined when it has none. Bounded: at most 64 boxes are looked at on each level.
 */
export function videoOfInit(bytes: Uint8Array): Mp4Video | undefined {
  const moov = (() => {
    for (const [t, at, e] of children(bytes, 0, bytes.length)) if (t === "moov") return [at + 8, e];
  })();
  if (!moov) return undefined;
  for (const [t, at, e] of children(bytes, moov[0], moov[1])) {
    if (t !== "trak") continue;
    const mdia = find(bytes, at + 8, e, "mdia");
    const hdlr = mdia && find(bytes, mdia[0], mdia[1], "hdlr");
    if (!mdia || !hdlr || hdlr[0] + 12 > hdlr[1] || ascii(bytes, hdlr[0] + 8) !== "vide") continue;
    const minf = find(bytes, mdia[0], mdia[1], "minf");
    const stbl = minf && find(bytes, minf[0], minf[1], "stbl");
    const stsd = stbl && find(bytes, stbl[0], stbl[1], "stsd");
    if (!stsd) continue;
    const first = boxAt(bytes, stsd[0] + 8, stsd[1]); // after version, flags and entry count
    if (!first || first.end > stsd[1]) continue;
    const entry = first.type;
    const body = stsd[0] + 8 + 8 + 78; // a visual sample entry's fixed fields, then its boxes
    const avcC = find(bytes, body, first.end, "avcC");
    const hvcC = find(bytes, body, first.end, "hvcC");
    const codec = (entry === "avc1" || entry === "avc3") && avcC
      ? avcCodec(entry, bytes, avcC[0], avcC[1])
      : (entry === "hvc1" || entry === "hev1") && hvcC
      ? hevcCodec(entry, bytes, hvcC[0], hvcC[1])
      : undefined;
    return { entry, codec };
  }
  return undefined;
}
