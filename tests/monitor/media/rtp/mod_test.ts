/** Tests of the RTP folder's public face: codec selection from SDP names and fmtp. */

import { assert, assertEquals } from "../../../assert.ts";
import {
  codecFromEncodingName,
  createDepacketiser,
  describeParameterSets,
} from "../../../../monitor/media/rtp/mod.ts";

Deno.test("createDepacketiser() selects by SDP encoding name, case-insensitively", () => {
  for (
    const [name, codec] of [["H264", "H264"], ["h265", "H265"], ["HEVC", "H265"], ["jpeg", "JPEG"]]
  ) {
    const choice = createDepacketiser(name, "");
    assert(choice.ok && choice.depacketiser.codec === codec, name);
  }
  assertEquals(codecFromEncodingName("MP4V-ES"), null);
});

Deno.test("createDepacketiser() refuses other codecs and interleaved H.264 with a problem", () => {
  const other = createDepacketiser("MP4V-ES" + "x".repeat(10_000));
  assert(!other.ok && other.problem.code === "unsupported");
  assert(!other.ok && other.problem.message.length < 100);
  const interleaved = createDepacketiser("H264", "packetization-mode=2");
  assert(!interleaved.ok && interleaved.problem.message.includes("packetization-mode 2"));
});

Deno.test("createDepacketiser() preloads sprop parameter sets and reports bad ones", () => {
  const choice = createDepacketiser(
    "H264",
    "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAHtoCgL/lhA==,aM48gA==,%%",
  );
  assert(choice.ok);
  assertEquals(choice.problems.map((p) => p.code), ["bad-fmtp"]);
  const sets = choice.depacketiser.parameterSets();
  assertEquals(sets.map((s) => s[0] & 0x1f), [7, 8]);
  const sps = describeParameterSets("H264", sets);
  assertEquals(sps?.ok && [sps.sps.width, sps.sps.height, sps.sps.profile], [640, 360, 66]);
  assertEquals(describeParameterSets("JPEG", []), null);
});
