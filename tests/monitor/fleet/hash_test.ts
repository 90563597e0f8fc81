/** The 64-bit hash against FNV-1a's published vectors and a bigint reference of the whole recipe. */

import { assertEquals } from "../../assert.ts";
import { fmix64, fnv1a64, hex64, utf8 } from "../../../monitor/fleet/hash.ts";

const M64 = (1n << 64n) - 1n;

/** The same recipe written plainly with bigint: slow, obviously right. */
function reference(text: string): { fnv: bigint; mixed: bigint } {
  let h = 0xcbf29ce484222325n;
  for (const b of utf8(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & M64;
  let m = h;
  m ^= m >> 33n;
  m = (m * 0xff51afd7ed558ccdn) & M64;
  m ^= m >> 33n;
  m = (m * 0xc4ceb9fe1a85ec53n) & M64;
  m ^= m >> 33n;
  return { fnv: h, mixed: m };
}

const hex = (n: bigint) => n.toString(16).padStart(16, "0");

Deno.test("fnv1a64() matches the published FNV-1a 64 test vectors", () => {
  assertEquals(hex64(fnv1a64(utf8(""))), "cbf29ce484222325");
  assertEquals(hex64(fnv1a64(utf8("a"))), "af63dc4c8601ec8c");
  assertEquals(hex64(fnv1a64(utf8("foobar"))), "85944171f73967e8");
});

Deno.test("fnv1a64() and fmix64() agree with a bigint reference on many inputs", () => {
  const inputs = ["", "a", "cam-1", "node-a\0cam-2", "Caméra — entrée 北", "x".repeat(300)];
  for (let i = 0; i < 500; i++) inputs.push(`stream-${i}-${(i * 7919) % 1013}`);
  for (const text of inputs) {
    const want = reference(text);
    const fnv = fnv1a64(utf8(text));
    assertEquals(hex64(fnv), hex(want.fnv), `fnv of ${JSON.stringify(text)}`);
    assertEquals(hex64(fmix64(fnv)), hex(want.mixed), `fmix of ${JSON.stringify(text)}`);
  }
});

Deno.test("fnv1a64() continues from a prefix state as if the bytes were joined", () => {
  const joined = fnv1a64(utf8("node-a\0cam-7"));
  const continued = fnv1a64(utf8("cam-7"), fnv1a64(utf8("node-a\0")));
  assertEquals(hex64(continued), hex64(joined));
});
