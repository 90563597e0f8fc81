/** `streams[].rtsp_transport`: auto, tcp or udp; absent stays absent (auto). */

import { assertEquals, assertThrows } from "../../assert.ts";
import { ConfigError, parseConfig } from "../../../monitor/config/mod.ts";

const yaml = (extra: string) =>
  `streams:\n  - name: cam\n    url: rtsp://127.0.0.1:8554/live\n${extra}`;

Deno.test("parseConfig() reads rtsp_transport auto, tcp and udp, any case, and leaves it out when absent", () => {
  assertEquals(parseConfig(yaml("    rtsp_transport: udp\n")).streams[0].rtspTransport, "udp");
  assertEquals(parseConfig(yaml("    rtsp_transport: TCP\n")).streams[0].rtspTransport, "tcp");
  assertEquals(parseConfig(yaml("    rtsp_transport: auto\n")).streams[0].rtspTransport, "auto");
  assertEquals("rtspTransport" in parseConfig(yaml("")).streams[0], false);
});

Deno.test("parseConfig() refuses an unknown rtsp_transport with its path and the choices", () => {
  const err = assertThrows(() => parseConfig(yaml("    rtsp_transport: http\n")), ConfigError);
  assertEquals(err.problems.map((p) => [p.path, p.message]), [
    ["streams[0].rtsp_transport", '"http" is not one of auto, tcp, udp'],
  ]);
  const wrongType = assertThrows(() => parseConfig(yaml("    rtsp_transport: 5\n")), ConfigError);
  assertEquals(wrongType.problems[0].path, "streams[0].rtsp_transport");
});
