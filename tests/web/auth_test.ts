/** Sign-in: password hashes, setup token, sessions, CSRF, rate limit, logout. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { createAuth } from "../../web/auth.ts";
import { hashPassword, verifyPassword } from "../../web/password.ts";
import { startWebStack } from "./harness.ts";
import { cookieOf, csrfOf, setupAndSignIn, signIn } from "./helpers.ts";

function memoryMeta() {
  const m = new Map<string, string>();
  return {
    getMeta: (k: string) => m.get(k),
    setMeta: (k: string, v: string) => void m.set(k, v),
    m,
  };
}
const quiet = { info: () => {}, warn: () => {} };

Deno.test("hashPassword() uses PBKDF2-SHA256 with 600,000 iterations and a random salt", async () => {
  const a = await hashPassword("correct horse");
  const b = await hashPassword("correct horse", 1000);
  assert(a.startsWith("pbkdf2-sha256$600000$"), a);
  assert(!a.includes("correct"));
  assert(await verifyPassword("correct horse", a));
  assert(await verifyPassword("correct horse", b));
  assert(!(await verifyPassword("correct horsf", b)));
  assert(!(await verifyPassword("x", "garbage")));
  assert(a.split("$")[2] !== (await hashPassword("correct horse", 1000)).split("$")[2]);
});

Deno.test("createAuth() logs a setup token once and accepts it only once", async () => {
  const meta = memoryMeta();
  const lines: string[] = [];
  const auth = createAuth({
    meta,
    logger: { info: () => {}, warn: (m) => lines.push(m) },
    iterations: 1000,
  });
  const token = auth.setupToken()!;
  assertEquals(lines.length, 1);
  assertStringIncludes(lines[0], `/setup?token=${token}`);
  assert(!meta.m.get("setup_token")!.includes(token), "only a hash of the token is stored");
  assertEquals((await auth.setup("1.1.1.1", "wrong", "long enough")).ok, false);
  assertEquals((await auth.setup("1.1.1.1", token, "short")).ok, false);
  assertEquals((await auth.setup("1.1.1.1", token, "long enough")).ok, true);
  assertEquals(auth.needsSetup(), false);
  assertEquals(auth.setupToken(), undefined);
  assertEquals((await auth.setup("1.1.1.1", token, "other password")).ok, false);
  assertEquals((await auth.login("1.1.1.1", "long enough")).ok, true);
});

Deno.test("createAuth() takes STREAMPULSE_ADMIN_PASSWORD and prints no token", async () => {
  const meta = memoryMeta();
  const env = (k: string) => (k === "STREAMPULSE_ADMIN_PASSWORD" ? "from the env" : undefined);
  const auth = createAuth({ meta, logger: quiet, env, iterations: 1000 });
  assertEquals(auth.setupToken(), undefined);
  assertEquals(auth.needsSetup(), false);
  assertEquals((await auth.login("1.1.1.1", "from the env")).ok, true);
  assertEquals((await auth.login("1.1.1.1", "something else")).ok, false);
  assertEquals(auth.managedByEnv(), true);
});

Deno.test("login() lets the right password through a locked address only after a delay", async () => {
  let t = 1_000_000;
  const meta = memoryMeta();
  const auth = createAuth({
    meta,
    logger: quiet,
    env: () => "password1",
    iterations: 1000,
    now: () => t,
    limits: { lockedDelayMs: 50 },
  });
  for (let i = 0; i < 5; i++) assertEquals((await auth.login("1.1.1.1", "nope")).ok, false);
  const wrong = await auth.login("1.1.1.1", "nope");
  assert(!wrong.ok && wrong.retryAfterS! > 0, "a wrong password while locked gets 429");
  const started = performance.now();
  assertEquals((await auth.login("1.1.1.1", "password1")).ok, true, "the admin still gets in");
  assert(performance.now() - started >= 45, "after the locked-lane delay");
  const [a, b] = await Promise.all([auth.login("1.1.1.1", "x"), auth.login("1.1.1.1", "y")]);
  assert(!a.ok && !b.ok && a.retryAfterS && b.retryAfterS, "one locked attempt at a time");
  assertEquals((await auth.login("2.2.2.2", "password1")).ok, true, "other addresses: no delay");
  t += 15 * 60_000 + 1;
  const fresh = await auth.login("1.1.1.1", "nope");
  assert(!fresh.ok && fresh.retryAfterS === undefined, "a new window: a plain 401 again");
});

Deno.test("login() stops every check, the right password too, at the global ceiling", async () => {
  const lines: string[] = [];
  const auth = createAuth({
    meta: memoryMeta(),
    logger: { info: () => {}, warn: (m) => lines.push(m) },
    env: () => "password1",
    iterations: 1000,
    limits: { maxGlobalFailures: 8 },
  });
  const ips = ["1.0.0.1", "1.0.0.2", "1.0.0.3"];
  await Promise.all(ips.flatMap((ip) => [1, 2, 3].map(() => auth.login(ip, "guess"))));
  const stopped = await auth.login("9.9.9.9", "password1");
  assert(!stopped.ok && stopped.retryAfterS! > 0, "the ceiling holds for everyone");
  assertStringIncludes(stopped.error, "on this server");
  assertEquals(lines.filter((l) => l.includes("failed password check")).length, 8);
  assertEquals(lines.filter((l) => l.includes("every sign-in is refused")).length, 1);
});

Deno.test("login() refuses as busy beyond the hashing slots, without counting a failure", async () => {
  const auth = createAuth({
    meta: memoryMeta(),
    logger: quiet,
    env: () => "password1",
    iterations: 20_000,
    limits: { maxConcurrent: 1, maxQueued: 1, maxFailures: 100 },
  });
  await auth.login("0.0.0.0", "warm-up: the env password is hashed first");
  const all = await Promise.all([1, 2, 3, 4].map((i) => auth.login(`3.0.0.${i}`, "nope")));
  const busy = all.filter((a) => !a.ok && a.error.includes("busy"));
  assertEquals(busy.length, 2, "one hashing, one waiting, the rest refused at once");
  assertEquals(busy[0].ok ? 0 : busy[0].retryAfterS, 1);
});

Deno.test("the dashboard sends visitors to /setup first, then to /login", async () => {
  const s = await startWebStack({ listen: false });
  try {
    const home = await s.web.app.request("http://localhost/", { headers: { accept: "text/html" } });
    assertEquals(home.status, 303);
    assertEquals(home.headers.get("location"), "/setup");
    const token = s.web.setupToken()!;
    assertStringIncludes(s.logs(), token);
    await setupAndSignIn(s.web.app, token);
    const again = await s.web.app.request("http://localhost/streams/new", {
      headers: { accept: "text/html" },
    });
    assertEquals(again.headers.get("location"), "/login?next=%2Fstreams%2Fnew");
    const api = await s.web.app.request("http://localhost/api/status");
    assertEquals(api.status, 401, "the status API on the dashboard port needs a session");
  } finally {
    await s.stop();
  }
});

Deno.test("POST /login sets an HttpOnly SameSite=Strict cookie, Secure over https", async () => {
  const s = await startWebStack({
    listen: false,
    env: { STREAMPULSE_ADMIN_PASSWORD: "password1" },
  });
  try {
    const res = await signIn(s.web.app, "password1");
    assertEquals(res.status, 303);
    const set = res.headers.getSetCookie().find((c) => c.startsWith("sp_session="))!;
    assertStringIncludes(set, "HttpOnly");
    assertStringIncludes(set, "SameSite=Strict");
    assert(!set.includes("Secure"));
    const page = await s.web.app.request("https://dash.example/login");
    const pre = page.headers.getSetCookie()[0];
    assertStringIncludes(pre, "Secure");
    const res2 = await s.web.app.request("https://dash.example/login", {
      method: "POST",
      headers: { cookie: pre.split(";")[0], origin: "https://dash.example" },
      body: new URLSearchParams({ _csrf: csrfOf(await page.text()), password: "password1" }),
    });
    assertStringIncludes(
      res2.headers.getSetCookie().find((c) => c.startsWith("sp_session="))!,
      "Secure",
    );
  } finally {
    await s.stop();
  }
});

Deno.test("wrong passwords are refused and rate-limited with 429 and Retry-After", async () => {
  const s = await startWebStack({
    listen: false,
    env: { STREAMPULSE_ADMIN_PASSWORD: "password1" },
  });
  try {
    for (let i = 0; i < 5; i++) {
      const r = await signIn(s.web.app, "wrong", "10.1.1.1");
      assertEquals(r.status, 401);
      assertStringIncludes(await r.text(), "Wrong password");
    }
    const limited = await signIn(s.web.app, "wrong", "10.1.1.1");
    assertEquals(limited.status, 429);
    assert(Number(limited.headers.get("retry-after")) > 0);
    assertStringIncludes(await limited.text(), "Too many failed attempts");
    assertEquals((await signIn(s.web.app, "password1", "10.9.9.9")).status, 303);
  } finally {
    await s.stop();
  }
});

Deno.test("state-changing requests without the CSRF token or from another origin get 403", async () => {
  const s = await startWebStack({ listen: false });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const form = { name: "x", url: "rtsp://127.0.0.1/x", enabled: "on", _version: "v" };
    const none = await c.post("/streams/save", form, { csrf: false });
    assertEquals(none.status, 403);
    const wrong = await c.post("/streams/save", { ...form, _csrf: "not-the-token" }, {
      csrf: false,
    });
    assertEquals(wrong.status, 403);
    const foreign = await c.post("/streams/save", form, { origin: "https://evil.example" });
    assertEquals(foreign.status, 403);
    const logoutNoToken = await c.post("/logout", {}, { csrf: false });
    assertEquals(logoutNoToken.status, 403);
    assertEquals(await Deno.readTextFile(s.configPath), "heartbeat_seconds: 1\nstreams: []\n");
  } finally {
    await s.stop();
  }
});

Deno.test("POST /logout ends the session", async () => {
  const s = await startWebStack({ listen: false });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    assertEquals((await c.get("/")).status, 200);
    const out = await c.post("/logout", {});
    assertEquals(out.status, 303);
    assertEquals(out.headers.get("location"), "/login");
    assertStringIncludes(cookieOf(out, "sp_session") ?? "", "sp_session=");
    assertEquals((await c.get("/")).status, 303, "the old cookie no longer works");
  } finally {
    await s.stop();
  }
});

Deno.test("safe redirects: /login?next=//evil.example goes home instead", async () => {
  const { safeNext } = await import("../../web/routes/login.ts");
  assertEquals(safeNext("/streams/a"), "/streams/a");
  assertEquals(safeNext("//evil.example"), "/");
  assertEquals(safeNext("/\\evil.example"), "/");
  assertEquals(safeNext("https://evil.example"), "/");
});
