/** Unit tests of the SDP parser: tracks, codecs, fmtp and control URLs. */

import { assertEquals } from "../../assert.ts";
import { normalizeCodec, parseFmtp, parseSdp } from "../../../monitor/probes/sdp.ts";

// As answered by the GStreamer RTSP test server (tests/fixtures/rtsp_server.py).
const GSTREAMER_SDP = [
  "v=0",
  "o=- 8150795519827958251 1 IN IP4 127.0.0.1",
  "s=Session streamed with GStreamer",
  "t=0 0",
  "a=tool:GStreamer",
  "a=control:*",
  "a=range:npt=now-",
  "m=video 0 RTP/AVP 96",
  "c=IN IP4 0.0.0.0",
  "a=rtpmap:96 H264/90000",
  "a=framerate:10",
  "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAFdoFB+wFqDAwNSgAAAMACAAAAwCkeLF1," +
  "aM48gA==;profile-level-id=42c015;level-asymmetry-allowed=1",
  "a=control:stream=0",
  "",
].join("\r\n");

Deno.test("parseSdp() reads GStreamer's H264 track with fmtp and control", () => {
  assertEquals(parseSdp(GSTREAMER_SDP), {
    control: "*",
    tracks: [{
      media: "video",
      payloadType: 96,
      codec: "H264",
      clockRate: 90000,
      control: "stream=0",
      fmtp: {
        "packetization-mode": "1",
        "sprop-parameter-sets": "Z0LAFdoFB+wFqDAwNSgAAAMACAAAAwCkeLF1,aM48gA==",
        "profile-level-id": "42c015",
        "level-asymmetry-allowed": "1",
      },
    }],
  });
});

Deno.test("parseSdp() reads video and audio tracks with LF line ends and absolute controls", () => {
  const sdp = [
    "v=0",
    "m=video 0 RTP/AVP 98",
    "a=rtpmap:98 H265/90000",
    "a=control:rtsp://cam/ch1/trackID=1",
    "m=audio 0 RTP/AVP 97",
    "a=rtpmap:97 mpeg4-generic/16000/1",
    "a=fmtp:97 streamtype=5; mode=AAC-hbr",
    "a=control:trackID=2",
  ].join("\n");
  const { tracks } = parseSdp(sdp);
  assertEquals(tracks.map((t) => [t.media, t.codec, t.clockRate, t.control]), [
    ["video", "H265", 90000, "rtsp://cam/ch1/trackID=1"],
    ["audio", "AAC", 16000, "trackID=2"],
  ]);
  assertEquals(tracks[1].fmtp, { streamtype: "5", mode: "AAC-hbr" });
});

Deno.test("parseSdp() names static payload types without rtpmap (26 → MJPEG)", () => {
  const { tracks } = parseSdp("v=0\r\nm=video 0 RTP/AVP 26\r\nm=audio 0 RTP/AVP 0\r\n");
  assertEquals(tracks, [
    { media: "video", payloadType: 26, codec: "MJPEG", clockRate: 90000 },
    { media: "audio", payloadType: 0, codec: "PCMU", clockRate: 8000 },
  ]);
});

Deno.test("parseSdp() uses the first payload type when an m= line lists several", () => {
  const sdp = "m=video 0 RTP/AVP 97 96\na=rtpmap:96 H264/90000\na=rtpmap:97 MP4V-ES/90000\n" +
    "a=fmtp:96 profile-level-id=42e01f\na=fmtp:97 profile-level-id=1\n";
  const [track] = parseSdp(sdp).tracks;
  assertEquals([track.codec, track.fmtp], ["MPEG4", { "profile-level-id": "1" }]);
});

Deno.test("parseSdp() skips junk and never throws", () => {
  assertEquals(parseSdp(""), { tracks: [] });
  assertEquals(parseSdp("\x00\xff garbage\n=\nm=\na=rtpmap\nm=video x y z\n"), {
    tracks: [{ media: "" }, { media: "video" }],
  });
});

Deno.test("normalizeCodec() maps rtpmap names to familiar codec names", () => {
  assertEquals(
    ["h264", "JPEG", "HEVC", "MP4V-ES", "MP4A-LATM", "opus"].map(normalizeCodec),
    ["H264", "MJPEG", "H265", "MPEG4", "AAC", "OPUS"],
  );
});

Deno.test("parseFmtp() keeps '=' inside values and lower-cases keys", () => {
  assertEquals(parseFmtp(" Profile-Level-Id=42c015 ; sprop-vps=QAEM==;flag"), {
    "profile-level-id": "42c015",
    "sprop-vps": "QAEM==",
    flag: "",
  });
});
