/** Credential masking: WHATWG user-info rules, hostile sizes, and clipping that never leaks. */

import { assert, assertEquals } from "../assert.ts";
import { clipText, maskUrl, redactText, urlSecrets } from "../../monitor/redact.ts";

const MB = 1024 * 1024;

/** Runs `fn`, prints how long it took, returns its result. */
function timed<T>(what: string, fn: () => T): T {
  const t = performance.now();
  const out = fn();
  console.log(`${what}: ${(performance.now() - t).toFixed(1)} ms`);
  return out;
}

Deno.test("maskUrl() masks a password holding a raw space, tab or @ up to the last @", () => {
  assertEquals(maskUrl("rtsp://admin:SPACE SECRET@host/x"), "rtsp://***@host/x");
  assertEquals(maskUrl("rtsp://a:b@c@host/x"), "rtsp://***@host/x");
  assertEquals(maskUrl("rtsp://a:p\tw@host/x"), "rtsp://***@host/x");
  assertEquals(maskUrl("rtsp://a:p\\w@host/x"), "rtsp://***@host/x");
  // The authority ends at "/", "?" or "#": an "@" after it is not user-info.
  assertEquals(maskUrl("http://cam/a@b?c@d#e@f"), "http://cam/a@b?c@d#e@f");
  assertEquals(maskUrl("http://u:p@cam?x@y"), "http://***@cam?x@y");
  assertEquals(maskUrl("//u:p@cdn/x.m3u8"), "//***@cdn/x.m3u8");
  assertEquals(
    maskUrl("to rtsp://a:b@c@h1/x and http://u:p q@h2/y"),
    "to rtsp://***@h1/x and http://***@h2/y",
  );
});

Deno.test("maskUrl() and redactText() stay correct on 1 MB inputs", () => {
  // The shapes that made the old regex quadratic: long scheme-like runs, long authorities.
  const letters = "a".repeat(MB);
  assertEquals(timed("maskUrl(1 MB of letters)", () => maskUrl(letters)), letters);
  const noAt = "x://" + "b".repeat(MB);
  assertEquals(timed("maskUrl(x:// + 1 MB, no @)", () => maskUrl(noAt)), noAt);
  const longUser = `rtsp://${"u".repeat(MB)}:SECRET@cam/live`;
  assertEquals(timed("maskUrl(1 MB user-info)", () => maskUrl(longUser)), "rtsp://***@cam/live");
  const many = "a://b@".repeat(MB / 6);
  const masked = timed("maskUrl(175,000 URLs)", () => maskUrl(many));
  assert(!masked.includes("b@"), masked.slice(0, 100));
  const text = `${"z".repeat(MB)} rtsp://admin:SPACE SECRET@cam/x ${"y".repeat(MB)}`;
  const out = timed("redactText(2 MB)", () => redactText(text, ["SPACE SECRET"]));
  assert(!out.includes("SECRET"));
  assert(out.includes("rtsp://***@cam/x"));
});

Deno.test("clipText() bounds text and never leaves a cut-off password behind", () => {
  const url = "rtsp://admin:hunter22@cam/live";
  for (let max = 1; max < url.length; max++) {
    const out = clipText(url, max);
    assert(out.length <= max + 1, `${max}: ${out}`);
    for (const part of ["hun", "unt", "ter", "er2", "adm", "dmi", "min"]) {
      assert(!out.includes(part), `${max}: ${out}`);
    }
  }
  assertEquals(clipText("rtsp://a:b@c@host/x", 12), "rtsp://***…");
  assertEquals(clipText(url, 100), "rtsp://***@cam/live");
  assertEquals(clipText("bad\r\nline\x00", 100), "bad  line ");
  const huge = "q".repeat(4 * MB);
  assertEquals(timed("clipText(4 MB, 300)", () => clipText(huge, 300)), `${"q".repeat(300)}…`);
});

Deno.test("urlSecrets() finds a raw, a percent-encoded and a parser-encoded password", () => {
  assertEquals(urlSecrets("rtsp://a:b@c@host/x"), ["b@c", "b%40c"]);
  assertEquals(urlSecrets("rtsp://admin:SPACE SECRET@host/x"), ["SPACE SECRET", "SPACE%20SECRET"]);
  assertEquals(urlSecrets("rtsp://u:p%40ss@h/x"), ["p@ss", "p%40ss"]);
  assertEquals(urlSecrets("rtsp://h/x"), []);
});
