import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../../assert.ts";
import {
  checkMediaUrl,
  inputArgs,
  MediaUrlError,
  parseProbeOutput,
  probeMedia,
  protocolWhitelist,
  ratio,
  stderrReason,
} from "../../../monitor/media/ffprobe.ts";
import { sampleFrames } from "../../../monitor/media/frames.ts";
import {
  type CommandRunner,
  createProcessPool,
  type RunResult,
} from "../../../monitor/media/process_pool.ts";

const REFUSED = [
  "file:///etc/passwd",
  "-version",
  "concat:a|b",
  "pipe:0",
  "data:text/plain,hello",
  "-i",
  "ftp://cam/x",
  "rtsp://",
  "rtsp://cam/live -f null",
  "subfile,,start,0,end,100,,:/etc/passwd",
  "/etc/passwd",
];

const result = (stdout: string, extra: Partial<RunResult> = {}): RunResult => ({
  code: 0,
  stdout: new TextEncoder().encode(stdout),
  stderr: "",
  timedOut: false,
  aborted: false,
  truncated: false,
  ms: 10,
  pid: 1,
  ...extra,
});

Deno.test("checkMediaUrl() refuses everything but rtsp/rtsps/http/https URLs with a host", () => {
  for (const url of REFUSED) {
    const err = assertThrows(() => checkMediaUrl(url), MediaUrlError);
    assertStringIncludes(err.message, "Refusing media URL");
  }
  assertEquals(checkMediaUrl("RTSP://cam:554/live"), "rtsp");
  assertEquals(checkMediaUrl("https://cam/x.m3u8"), "https");
});

Deno.test("checkMediaUrl() names the scheme and never echoes credentials", () => {
  const err = assertThrows(() => checkMediaUrl("file://admin:s3cret@h/etc/passwd"), MediaUrlError);
  assertStringIncludes(err.message, 'scheme "file" is not allowed');
  assert(!err.message.includes("s3cret"), err.message);
  assertStringIncludes(checkError("-version"), "looks like a command-line option");
});

function checkError(url: string): string {
  try {
    checkMediaUrl(url);
  } catch (err) {
    return (err as Error).message;
  }
  return "";
}

Deno.test("probeMedia() and sampleFrames() refuse bad URLs before any process runs", async () => {
  const calls: string[][] = [];
  const recorder: CommandRunner = (cmd, args) => {
    calls.push([cmd, ...args]);
    return Promise.resolve(result("{}"));
  };
  const pool = createProcessPool({ max: 2 });
  for (const url of REFUSED) {
    for (const run of [recorder, pool.run]) {
      const io = { source: "rtsp" as const, ioTimeoutSeconds: 2, run };
      await assertRejects(() => probeMedia(url, io), MediaUrlError);
      await assertRejects(() => sampleFrames(url, io), MediaUrlError);
    }
  }
  assertEquals(calls, []);
  assertEquals(pool.stats().started, 0);
  const ps = await new Deno.Command("pgrep", { args: ["-f", "etc/passwd"] }).output();
  assertEquals(
    new TextDecoder().decode(ps.stdout).trim(),
    "",
    "an ffprobe/ffmpeg process appeared",
  );
});

Deno.test("inputArgs() puts the URL right after -i with the scheme's whitelist and timeouts", () => {
  const rtsp = inputArgs("rtsp://cam/live", { source: "rtsp", ioTimeoutSeconds: 3 });
  assertEquals(rtsp, [
    "-protocol_whitelist",
    "rtsp,tcp",
    "-timeout",
    "3000000",
    "-rtsp_transport",
    "tcp",
    "-i",
    "rtsp://cam/live",
  ]);
  const mjpeg = inputArgs("https://cam/video.mjpg", { source: "http", ioTimeoutSeconds: 2 });
  assertEquals(mjpeg.slice(-2), ["-i", "https://cam/video.mjpg"]);
  assert(mjpeg.includes("-use_wallclock_as_timestamps"));
  assertEquals(mjpeg[mjpeg.indexOf("-tls_verify") + 1], "1");
  const insecure = inputArgs("https://cam/x", {
    source: "http",
    ioTimeoutSeconds: 2,
    tlsInsecure: true,
  });
  assert(!insecure.includes("-tls_verify"));
});

Deno.test("protocolWhitelist() allows the least each source needs", () => {
  assertEquals(protocolWhitelist("rtsp", "rtsp"), "rtsp,tcp");
  assertEquals(protocolWhitelist("rtsps", "rtsp"), "rtsp,rtsps,tcp,tls");
  assertEquals(protocolWhitelist("http", "http"), "http,tcp");
  assertEquals(protocolWhitelist("http", "hls"), "http,tcp,crypto");
  assertEquals(protocolWhitelist("https", "hls"), "https,tls,tcp,crypto");
});

Deno.test("parseProbeOutput() measures fps, bitrate and keyframe from packets", () => {
  const packets = Array.from({ length: 21 }, (_, i) => ({
    pts_time: (i / 10).toFixed(6),
    size: "1000",
    flags: i % 10 === 0 ? "K_" : "__",
  }));
  const json = JSON.stringify({
    packets,
    streams: [{
      codec_name: "h264",
      codec_type: "video",
      width: 320,
      height: 240,
      r_frame_rate: "20/1",
    }],
  });
  const f = parseProbeOutput(result(json));
  assertEquals(f, {
    codec: "h264",
    width: 320,
    height: 240,
    fps: 10,
    rFrameRate: 20,
    bitrateKbps: 80, // 21 000 bytes over 2.1 s
    packets: 21,
    keyframe: true,
    spanSeconds: 2,
  });
});

Deno.test("parseProbeOutput() does not take exit code 0 as proof", () => {
  assertStringIncludes(
    assertThrows(() => parseProbeOutput(result("")), Error).message,
    "ffprobe failed",
  );
  assertStringIncludes(
    assertThrows(() => parseProbeOutput(result('{"streams": []}')), Error).message,
    "no video stream",
  );
  const noPackets = parseProbeOutput(
    result('{"streams":[{"codec_name":"h264","codec_type":"video"}]}'),
  );
  assertEquals([noPackets.packets, noPackets.keyframe, noPackets.fps], [0, false, undefined]);
});

Deno.test("parseProbeOutput() explains failures without credentials", () => {
  const failed = result("{}", { code: 1, stderr: "rtsp://admin:pw@cam/x: Connection refused\n" });
  assertEquals(
    assertThrows(() => parseProbeOutput(failed), Error).message,
    "ffprobe failed: connection refused",
  );
  const timedOut = result("", { code: null, timedOut: true, ms: 9000 });
  assertStringIncludes(assertThrows(() => parseProbeOutput(timedOut), Error).message, "timed out");
  assertEquals(stderrReason("rtsp://u:secret@cam/x: Invalid data found"), "Invalid data found");
});

Deno.test("ratio() reads ffprobe rates", () => {
  assertEquals([ratio("25/1"), ratio("30000/1001")?.toFixed(2), ratio("0/0"), ratio("x")], [
    25,
    "29.97",
    undefined,
    undefined,
  ]);
});
