/** Stream URLs at config load: a length cap, raw spaces and `@` in passwords, control chars. */

import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { ConfigError, parseConfig } from "../../../monitor/config/parse.ts";

const config = (url: string) => `streams:\n  - name: cam\n    url: ${JSON.stringify(url)}\n`;
const problemsOf = (url: string) =>
  assertThrows(() => parseConfig(config(url)), ConfigError).problems;

Deno.test("parseConfig() rejects a 200,000-character stream URL at once, naming streams[0].url", () => {
  const url = `rtsp://admin:SECRETPW@${"a".repeat(200_000)}/live`;
  const t = performance.now();
  const problems = problemsOf(url);
  console.log(`rejected in ${(performance.now() - t).toFixed(1)} ms`);
  assertEquals(problems, [{
    path: "streams[0].url",
    message: "is 200027 characters long; at most 4096 are allowed",
    stream: "cam",
  }]);
});

Deno.test("parseConfig() accepts a stream URL of 4096 characters", () => {
  const url = `rtsp://cam/${"p".repeat(4096 - 11)}`;
  assertEquals(parseConfig(config(url)).streams[0].url, url);
});

Deno.test("parseConfig() percent-encodes a raw space or @ in a stream URL's user-info", () => {
  const cases: [string, string][] = [
    ["rtsp://admin:SPACE SECRET@host/x", "rtsp://admin:SPACE%20SECRET@host/x"],
    ["rtsp://a:b@c@host/x", "rtsp://a:b%40c@host/x"],
    ["rtsp://us er@host:554/x?q=a b@c", "rtsp://us%20er@host:554/x?q=a b@c"],
    ["http://u:p%40ss@host/x", "http://u:p%40ss@host/x"],
    ["rtsp://host/x", "rtsp://host/x"],
  ];
  for (const [raw, want] of cases) {
    const got = parseConfig(config(raw)).streams[0].url;
    assertEquals(got, want, raw);
    const u = new URL(got); // the parser reads the same credentials from both forms
    assertEquals([u.username, u.password], [new URL(raw).username, new URL(raw).password]);
  }
});

Deno.test("parseConfig() rejects a tab or line break in a stream URL without quoting it", () => {
  for (const url of ["rtsp://admin:TAB\tSECRET@host/x", "rtsp://host/x\ny", "rtsp://a:b\r@h/x"]) {
    const problems = problemsOf(url);
    assertEquals(problems.map((p) => [p.path, p.stream]), [["streams[0].url", "cam"]], url);
    const { message } = problems[0];
    assert(/control character/.test(message), message);
    assert(!/SECRET|admin/.test(message), message);
  }
});
