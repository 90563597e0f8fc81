/** Viewer accounts: the store, sign-in with a role, every mutating route refused, sessions ended. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { createUsers, userNameProblem } from "../../web/users.ts";
import { adminOnlyGet } from "../../web/guard.ts";
import { passwordProblem } from "../../web/auth.ts";
import { startWebStack } from "./harness.ts";
import { type Client, clientOf, cookieOf, csrfOf, setupAndSignIn } from "./helpers.ts";
import type { Hono } from "hono";
import type { WebEnv } from "../../web/guard.ts";

const ORIGIN = "http://localhost";
const CONFIG = `heartbeat_seconds: 60
streams:
  - {name: cam, url: "rtsp://user:hunter22@127.0.0.1:1/live", tags: [site-a]}
`;

function memoryMeta() {
  const m = new Map<string, string>();
  return {
    getMeta: (k: string) => m.get(k),
    setMeta: (k: string, v: string) => void m.set(k, v),
    m,
  };
}

/** Signs in through the login form with a user name; the session client, or the response. */
async function viewerSignIn(app: Hono<WebEnv>, user: string, password: string, ip = "10.0.0.9") {
  const page = await app.request(`${ORIGIN}/login`);
  const pre = cookieOf(page, "sp_csrf")!;
  const res = await app.request(`${ORIGIN}/login`, {
    method: "POST",
    headers: { cookie: pre, origin: ORIGIN },
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), user, password }),
  }, { remoteAddr: { hostname: ip } });
  const cookie = cookieOf(res, "sp_session");
  if (res.status !== 303 || !cookie) return { res };
  const home = await app.request(`${ORIGIN}/`, { headers: { cookie, accept: "text/html" } });
  return { res, client: clientOf(app, cookie, csrfOf(await home.text())) };
}

/** A path of `route` with every `:param` filled in. */
const fill = (path: string) => path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, "x").replace(/\*/g, "x");

Deno.test("createUsers() hashes passwords, checks names and ends sessions on reset and delete", async () => {
  const meta = memoryMeta();
  const ended: string[] = [];
  const users = createUsers({
    meta,
    iterations: 1000,
    passwordProblem,
    endSessions: (n) => ended.push(n),
  });
  assertEquals(await users.add("lobby", "long enough"), null);
  assert(!meta.m.get("viewers")!.includes("long enough"), "only a hash is stored");
  assertStringIncludes(meta.m.get("viewers")!, "pbkdf2-sha256$1000$");
  assertStringIncludes((await users.add("lobby", "long enough"))!, "exists already");
  assertStringIncludes((await users.add("admin", "long enough"))!, "administrator");
  assertStringIncludes((await users.add("a b", "long enough"))!, "letters, digits");
  assertStringIncludes((await users.add("guard", "short"))!, "at least 8");
  assert(await users.verify("lobby", "long enough"));
  assert(!(await users.verify("lobby", "wrong one")));
  assert(!(await users.verify("nobody", "long enough")));
  assertEquals(await users.reset("lobby", "another one"), null);
  assertEquals(ended, ["lobby"]);
  assert(await users.verify("lobby", "another one"));
  assertEquals(users.remove("lobby"), true);
  assertEquals(ended, ["lobby", "lobby"]);
  assertEquals(users.list(), []);
  assertEquals(userNameProblem("ok.name-1_2"), null);
});

Deno.test("adminOnlyGet() covers editors, confirmations and the admin's pages", () => {
  for (
    const p of [
      "/users",
      "/settings",
      "/mqtt",
      "/streams/new",
      "/streams/a/edit",
      "/streams/import",
    ]
  ) {
    assert(adminOnlyGet(p), p);
  }
  for (const p of ["/", "/streams/a", "/alerts", "/export", "/streams/a/preview", "/events"]) {
    assert(!adminOnlyGet(p), p);
  }
});

Deno.test("a viewer signs in on the login form, sees pages without edit controls, and is refused every mutating route", async () => {
  const s = await startWebStack({ config: CONFIG, listen: false });
  try {
    const admin = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const added = await admin.post("/users", { name: "lobby", password: "viewer pass" });
    assertEquals(added.status, 303);
    const usersPage = await (await admin.get("/users")).text();
    assertStringIncludes(usersPage, "lobby");
    assert(!usersPage.includes("viewer pass"));

    assertEquals((await viewerSignIn(s.web.app, "lobby", "wrong pass")).res.status, 401);
    assertEquals((await viewerSignIn(s.web.app, "ghost", "viewer pass")).res.status, 401);
    const { client: viewer } = await viewerSignIn(s.web.app, "lobby", "viewer pass");
    assert(viewer, "the viewer signs in");
    const home = await (await viewer.get("/")).text();
    assertStringIncludes(home, 'data-role="viewer"');
    const nav = /<nav aria-label="Main">[\s\S]*?<\/nav>/.exec(home)?.[0] ?? "";
    assertStringIncludes(nav, 'href="/alerts"');
    for (const href of ["/streams/new", "/users", "/settings", "/mqtt"]) {
      assert(!nav.includes(`href="${href}"`), `no ${href} in a viewer's nav`);
    }
    const adminNav = /<nav aria-label="Main">[\s\S]*?<\/nav>/.exec(
      await (await admin.get("/")).text(),
    );
    assertStringIncludes(adminNav?.[0] ?? "", 'href="/users"');
    assertEquals((await viewer.get("/streams/cam")).status, 200);
    assertEquals((await viewer.get("/alerts")).status, 200);

    // Every non-GET route of the app, found from the app itself, so new routes are covered.
    const posts = [
      ...new Set(
        s.web.app.routes.filter((r) => !["GET", "HEAD", "OPTIONS", "ALL"].includes(r.method))
          .map((r) => `${r.method} ${fill(r.path)}`),
      ),
    ].filter((r) => r !== "POST /logout");
    assert(posts.length >= 20, `found only ${posts.length} routes: ${posts.join(", ")}`);
    posts.push("POST /api/incidents/1/ack", "POST /api/streams/cam/mute");
    for (const r of posts) {
      const [method, path] = r.split(" ");
      const res = await s.web.app.request(`${ORIGIN}${path}`, {
        method,
        headers: { cookie: viewer.cookie, origin: ORIGIN, "x-csrf-token": viewer.csrf },
        body: new URLSearchParams({ _csrf: viewer.csrf, name: "x", password: "long enough" }),
      });
      assertEquals(res.status, 403, `${r} must refuse a viewer`);
      await res.body?.cancel();
    }
    const gets = [
      ...new Set(
        s.web.app.routes.filter((r) => r.method === "GET" && adminOnlyGet(r.path))
          .map((r) => fill(r.path)),
      ),
    ];
    assert(gets.includes("/users") && gets.includes("/streams/new"), gets.join(", "));
    for (const path of gets) {
      const res = await viewer.get(path);
      assertEquals(res.status, 403, `GET ${path} must refuse a viewer`);
      await res.body?.cancel();
    }
    // Watching stays open: the event stream's first snapshot and the chart data.
    assertEquals((await viewer.get("/streams/cam/series?range=24h")).status, 200);
    // The admin is not refused by the same guard.
    const adminTry = await admin.post("/users", { name: "second", password: "long enough" });
    assertEquals(adminTry.status, 303);
    // Signing out still works for a viewer.
    assertEquals((await viewer.post("/logout", {})).status, 303);
  } finally {
    await s.stop();
  }
});

Deno.test("deleting a viewer or resetting its password ends its sessions; the admin's own password change keeps them", async () => {
  const s = await startWebStack({ config: CONFIG, listen: false });
  try {
    const admin: Client = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    await admin.post("/users", { name: "lobby", password: "viewer pass" });
    const first = (await viewerSignIn(s.web.app, "lobby", "viewer pass")).client!;
    assertEquals((await first.get("/")).status, 200);
    const change = await admin.post("/settings/password", {
      current: "correct horse",
      password: "correct horse 2",
      confirm: "correct horse 2",
    });
    assertEquals(change.status, 200);
    assertEquals((await first.get("/")).status, 200, "the admin's password change keeps viewers");

    assertEquals(
      (await admin.post("/users/lobby/password", { password: "new viewer pass" })).status,
      303,
    );
    assertEquals((await first.get("/")).status, 303, "a reset signs the viewer out");
    assertEquals((await viewerSignIn(s.web.app, "lobby", "viewer pass")).res.status, 401);
    const second = (await viewerSignIn(s.web.app, "lobby", "new viewer pass")).client!;
    assertEquals((await second.get("/")).status, 200);
    assertEquals((await admin.post("/users/lobby/delete", {})).status, 303);
    assertEquals((await second.get("/")).status, 303, "a deleted viewer is signed out");
    assertEquals((await viewerSignIn(s.web.app, "lobby", "new viewer pass")).res.status, 401);
    assertStringIncludes(await (await admin.get("/users")).text(), "No viewers yet");
  } finally {
    await s.stop();
  }
});
