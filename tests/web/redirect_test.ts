/** Case 7: the page to return to after sign-in is always on this origin. */

import { assert, assertEquals } from "../assert.ts";
import { safeNext } from "../../web/routes/login.ts";
import { startWebStack } from "./harness.ts";
import { loginForm, postLogin } from "./http.ts";

const ORIGIN = "http://dash.example:8000";
const HOSTILE = [
  "/\t/evil.example:1234/",
  "/\n/evil.example/",
  "/\r\n/evil.example/",
  "//evil.example",
  "/\\evil.example",
  "/\\/evil.example",
  "\\/evil.example",
  " //evil.example",
  "https://evil.example/",
  "http:evil.example",
  "/%0d%0aSet-Cookie:x=1",
  "/a/..//evil.example",
  "/./\t/evil.example",
  "javascript:alert(1)",
  "/x\u0000y",
];

Deno.test("safeNext() keeps only paths that stay on the origin", () => {
  for (const next of HOSTILE) {
    const got = safeNext(next, ORIGIN);
    assertEquals(new URL(got, ORIGIN).origin, ORIGIN, `${JSON.stringify(next)} -> ${got}`);
    assert(![...got].some((ch) => ch < " " || ch === "\\"), JSON.stringify(got));
    assert(!got.startsWith("//"), JSON.stringify(got));
  }
  assertEquals(safeNext("/\t/evil.example:1234/", ORIGIN), "/");
  assertEquals(safeNext("/streams/a", ORIGIN), "/streams/a");
  assertEquals(safeNext("/streams/a%20b?x=1#top", ORIGIN), "/streams/a%20b?x=1#top");
  assertEquals(safeNext("/streams/./a/../b", ORIGIN), "/streams/b", "normalised");
  assertEquals(safeNext(undefined, ORIGIN), "/");
  assertEquals(safeNext("/" + "a".repeat(5000), ORIGIN), "/");
});

Deno.test("POST /login never redirects to another origin, and CR/LF in next is no 500", async () => {
  const s = await startWebStack({ env: { STREAMPULSE_ADMIN_PASSWORD: "password1" } });
  try {
    const form = await loginForm(s.url);
    const origin = new URL(s.url).origin;
    for (const next of HOSTILE) {
      const r = await postLogin(s.url, form, "password1", next);
      const where = r.location === null ? "(none)" : new URL(r.location, s.url).href;
      if (r.status !== 303 || new URL(where, s.url).origin !== origin) {
        console.log(`next=${JSON.stringify(next)}: ${r.status}, went to ${where}`);
      }
      assertEquals(r.status, 303, `next=${JSON.stringify(next)}`);
      assertEquals(new URL(r.location!, s.url).origin, origin, `next=${JSON.stringify(next)}`);
    }
    assertEquals((await postLogin(s.url, form, "password1", "/settings")).location, "/settings");
  } finally {
    await s.stop();
  }
});
