/**
 * Tiny marker keyframes for the long-lived ffmpeg children: two variants per codec (16×16, a
 * white quarter top-left on dark blue / bottom-right on brown), each with its own parameter
 * sets, made once with `ffmpeg -f lavfi -i color=…,drawbox=… -frames:v 1 -c:v libx264|libx265
 * -preset ultrafast -bsf:v filter_units=remove_types=6|39` and kept here as bytes.
 */

/** The H.264 markers: SPS, PPS, one IDR slice each (64 bytes). */
export const H264_MARKERS: readonly [Uint8Array, Uint8Array] = [
  bytesOf(
    "AAAAAWdCwAraewEQAAADABAAAAMDKPEiagAAAAFozg/IAAABZYiEOhGA4AAhXAACEkAAIKwP8EAJzgECAkIAsA==",
  ),
  bytesOf(
    "AAAAAWdCwAraewEQAAADABAAAAMDKPEiagAAAAFozg/IAAABZYiEOhGA4AAhRAACEOAAIJY3wQBOcAoQCQgCQA==",
  ),
];

/** The H.265 markers: VPS, SPS, PPS, one IDR slice each (134 bytes). */
export const H265_MARKERS: readonly [Uint8Array, Uint8Array] = [
  bytesOf(
    "AAAAAUABDAH//wFgAAADAJAAAAMAAAMAHpWUCQAAAAFCAQEBYAAAAwCQAAADAAADAB6giEWWVlW8LwFoCAAAAwAIAAAD" +
      "AMhAAAAAAUQBwHPAiQAAASgBrHYme2nw+wA0mhSx56llNM945LaBItlPSnozTZeIsu+NxYN/hUNReICiOuLpEcA=",
  ),
  bytesOf(
    "AAAAAUABDAH//wFgAAADAJAAAAMAAAMAHpWUCQAAAAFCAQEBYAAAAwCQAAADAAADAB6giEWWVlW8LwFoCAAAAwAIAAAD" +
      "AMhAAAAAAUQBwHPAiQAAASgBrHYme2nw+KU0mhEM56lhJx7xyWy7p2U9ESjNNl3Pi743FQDuFQulXE0OOxeazg==",
  ),
];

/**
 * Access unit delimiters written after every unit: ffmpeg's Annex-B parsers end a picture only
 * when the next one starts, so without them each picture would wait for its successor.
 */
export const H264_AUD = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0]);
/** See {@link H264_AUD} (H.265 AUD, nal_unit_type 35, pic_type 2). */
export const H265_AUD = new Uint8Array([0, 0, 0, 1, 0x46, 0x01, 0x50]);

function bytesOf(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
