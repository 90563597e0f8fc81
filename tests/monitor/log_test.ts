import { assertEquals } from "../assert.ts";
import { createLogger } from "../../monitor/log.ts";
import { maskUrl, redactText } from "../../monitor/redact.ts";

Deno.test("maskUrl() hides user and password of any scheme", () => {
  assertEquals(maskUrl("rtsp://admin:pa:ss@cam:554/live"), "rtsp://***@cam:554/live");
  assertEquals(maskUrl("http://user@h/x"), "http://***@h/x");
  assertEquals(maskUrl("rtsp://cam/live"), "rtsp://cam/live");
});

Deno.test("redactText() masks URLs inside text and named secrets", () => {
  assertEquals(
    redactText("failed on rtsp://u:p@h/x with hunter2", ["hunter2"]),
    "failed on rtsp://***@h/x with ***",
  );
});

Deno.test("createLogger() writes one redacted line per event at or above its level", () => {
  const lines: string[] = [];
  const log = createLogger({
    level: "info",
    write: (l) => lines.push(l),
    now: () => new Date(0),
  });
  log.addSecret("topsecret");
  log.debug("hidden");
  log.info("a\nb rtsp://x:y@h/ topsecret");
  assertEquals(lines, ["1970-01-01T00:00:00.000Z INFO a\\nb rtsp://***@h/ ***"]);
});
