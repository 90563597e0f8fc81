/** H.264 and H.265 sequence parameter sets → profile, level and picture size (cropping applied). */

import { BitReader, unescapeRbsp } from "./bits.ts";
import { problem, type RtpProblem } from "./packet.ts";

/** What an SPS says about the picture. */
export interface SpsInfo {
  /** profile_idc (H.264: 66 baseline, 77 main, 100 high…; H.265: 1 Main, 2 Main 10…). */
  profile: number;
  /** Level as a number: 3.1 for level_idc 31 (H.264) or general_level_idc 93 (H.265). */
  level: number;
  /** Displayed width in pixels, after cropping / the conformance window. */
  width: number;
  /** Displayed height in pixels. */
  height: number;
  /** chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormat: number;
}

/** An SPS's facts or why it could not be read. */
export type SpsResult = { ok: true; sps: SpsInfo } | { ok: false; problem: RtpProblem };

/** Parameter sets are small; a longer "SPS" is refused before any bit is read. */
const MAX_SPS_BYTES = 4096;
/** Profiles whose SPS carries chroma format, bit depths and scaling lists (H.264 §7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** Bounds the size arithmetic; 16384 px is beyond every level in both standards. */
const MAX_DIMENSION = 16384;

const bad = (message: string): SpsResult => ({
  ok: false,
  problem: problem("bad-parameter-set", message),
});

/** Parses an H.264 SPS NAL unit (header byte included, type 7). */
export function parseH264Sps(nal: Uint8Array): SpsResult {
  if (nal.length < 4 || nal.length > MAX_SPS_BYTES || (nal[0] & 0x1f) !== 7) {
    return bad(`H.264 SPS of ${nal.length} bytes with NAL type ${nal[0] & 0x1f}: not an SPS`);
  }
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profile = r.bits(8);
  r.skip(8); // constraint_set flags
  const levelIdc = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separatePlanes = false;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat > 3) return bad(`H.264 SPS chroma_format_idc ${chromaFormat} is invalid`);
    if (chromaFormat === 3) separatePlanes = r.flag();
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) { // seq_scaling_matrix_present_flag
      const lists = chromaFormat === 3 ? 12 : 8;
      for (let i = 0; i < lists && !r.overrun; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) return bad(`H.264 SPS POC cycle of ${cycle} frames is invalid`);
    for (let i = 0; i < cycle; i++) r.se();
  } else if (pocType > 2) return bad(`H.264 SPS pic_order_cnt_type ${pocType} is invalid`);
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.flag()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  if (r.overrun) return bad("H.264 SPS ends before its picture size: cut off or corrupt");
  // §7.4.2.1.1: crop units depend on chroma subsampling and on field coding.
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const mono = chromaFormat === 0 || separatePlanes;
  const cropX = mono ? 1 : chromaFormat === 3 ? 1 : 2;
  const cropY = (mono ? 1 : chromaFormat === 1 ? 2 : 1) * fieldFactor;
  const width = widthMbs * 16 - cropX * (crop[0] + crop[1]);
  const height = heightMapUnits * 16 * fieldFactor - cropY * (crop[2] + crop[3]);
  return sized({ profile, level: levelIdc / 10, width, height, chromaFormat }, "H.264");
}

/** scaling_list(): delta-coded entries that stop early when next_scale becomes 0. */
function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size && !r.overrun; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Parses an H.265 SPS NAL unit (2-byte header included, type 33). */
export function parseH265Sps(nal: Uint8Array): SpsResult {
  const type = nal.length > 0 ? (nal[0] >> 1) & 0x3f : -1;
  if (nal.length < 6 || nal.length > MAX_SPS_BYTES || type !== 33) {
    return bad(`H.265 SPS of ${nal.length} bytes with NAL type ${type}: not an SPS`);
  }
  const r = new BitReader(unescapeRbsp(nal.subarray(2)));
  r.skip(4); // sps_video_parameter_set_id
  const subLayers = r.bits(3); // sps_max_sub_layers_minus1
  r.skip(1); // sps_temporal_id_nesting_flag
  // profile_tier_level(1, subLayers), §7.3.3
  r.skip(3); // general_profile_space, general_tier_flag
  const profile = r.bits(5);
  r.skip(32 + 4 + 43 + 1); // compatibility flags, source flags, reserved bits, inbld flag
  const levelIdc = r.bits(8);
  const present: Array<[boolean, boolean]> = [];
  for (let i = 0; i < subLayers; i++) present.push([r.flag(), r.flag()]);
  if (subLayers > 0) { for (let i = subLayers; i < 8; i++) r.skip(2); }
  for (const [profilePresent, levelPresent] of present) {
    if (profilePresent) r.skip(88);
    if (levelPresent) r.skip(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat > 3) return bad(`H.265 SPS chroma_format_idc ${chromaFormat} is invalid`);
  const separatePlanes = chromaFormat === 3 ? r.flag() : false;
  const lumaWidth = r.ue();
  const lumaHeight = r.ue();
  let window = [0, 0, 0, 0];
  if (r.flag()) window = [r.ue(), r.ue(), r.ue(), r.ue()];
  if (r.overrun) return bad("H.265 SPS ends before its picture size: cut off or corrupt");
  // Table 6-1: SubWidthC / SubHeightC; 1 for monochrome and separate planes.
  const subW = chromaFormat === 1 || chromaFormat === 2 ? (separatePlanes ? 1 : 2) : 1;
  const subH = chromaFormat === 1 ? 2 : 1;
  const width = lumaWidth - subW * (window[0] + window[1]);
  const height = lumaHeight - subH * (window[2] + window[3]);
  return sized({ profile, level: levelIdc / 30, width, height, chromaFormat }, "H.265");
}

/** Refuses sizes no real picture has (negative after cropping, or absurdly large). */
function sized(info: SpsInfo, codec: string): SpsResult {
  if (
    info.width < 1 || info.height < 1 || info.width > MAX_DIMENSION || info.height > MAX_DIMENSION
  ) {
    return bad(`${codec} SPS picture size ${info.width}×${info.height} is out of range`);
  }
  info.level = Math.round(info.level * 10) / 10;
  return { ok: true, sps: info };
}
