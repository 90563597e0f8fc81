/** Case 4 over real sockets: parallel guesses cannot outrun the login rate limit. */

import { assert, assertEquals } from "../assert.ts";
import { startWebStack } from "./harness.ts";
import { loginForm, postLogin } from "./http.ts";

Deno.test("POST /login counts 20 parallel guesses before hashing: at most 5 are tried", async () => {
  // Slow hashes (as in production) so every request is in flight before the first check ends.
  const s = await startWebStack({
    env: { STREAMPULSE_ADMIN_PASSWORD: "password1" },
    iterations: 200_000,
  });
  try {
    const form = await loginForm(s.url);
    const guesses = Array.from({ length: 19 }, (_, i) => `wrong-${i}`);
    const results = await Promise.all(
      [...guesses, "password1"].map((pw) => postLogin(s.url, form, pw)),
    );
    const count = (status: number) => results.filter((r) => r.status === status).length;
    const tried = s.logs().split("\n").filter((l) => l.includes("failed password check")).length;
    console.log(
      `20 parallel POSTs: ${count(401)} wrong guesses answered 401, ${tried} checked, ` +
        `${count(429)} refused 429, ${count(303)} signed in`,
    );
    assert(count(401) <= 5, `${count(401)} wrong guesses were tried (limit 5)`);
    assert(tried <= 6, `${tried} wrong passwords were hashed (5 + one delayed locked attempt)`);
    assert(count(429) >= 13, `only ${count(429)} requests got 429`);
    // The same address is locked now, but the admin behind it still gets in, after a delay.
    const admin = await postLogin(s.url, form, "password1");
    assertEquals(admin.status, 303, "the right password passes a per-address lockout");
    const again = await postLogin(s.url, form, "still-wrong");
    assertEquals(again.status, 429, "a wrong one during the lockout is refused");
  } finally {
    await s.stop();
  }
});
