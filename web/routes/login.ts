/** Routes of sign-in: first-run setup, login (rate-limited), logout. */

import { type Context, Hono } from "hono";
import type { Attempt } from "../auth.ts";
import type { WebContext } from "../context.ts";
import { clearSessionCookie, clientIp, setSessionCookie, type WebEnv } from "../guard.ts";
import { LoginPage, SetupPage } from "../pages/mod.ts";

/**
 * A path on this origin to return to after signing in, normalised (pathname + search + hash), or
 * "/" for anything else. Browsers drop tabs and line breaks inside URLs and read a backslash as
 * `/`, so `/\t/evil.example` means `//evil.example`: any control character, space, DEL or
 * backslash is refused outright, and what is left must resolve to `origin` and must not start
 * with `//` once normalised (`/a/..//evil.example`). CR/LF can thus never reach a header.
 */
export function safeNext(next: unknown, origin = "http://localhost"): string {
  if (typeof next !== "string" || next.length > 2048 || !next.startsWith("/")) return "/";
  for (let i = 0; i < next.length; i++) {
    const code = next.charCodeAt(i);
    if (code < 0x21 || code === 0x7f || code === 0x5c) return "/"; // controls, space, DEL, "\"
  }
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return "/";
  }
  const path = url.pathname + url.search + url.hash;
  if (url.origin !== new URL(origin).origin || !path.startsWith("/") || path.startsWith("//")) {
    return "/";
  }
  return path;
}

const field = (body: Record<string, unknown>, k: string) =>
  typeof body[k] === "string" ? (body[k] as string) : "";

/** The sign-in routes. */
export function authRoutes(ctx: WebContext, secure: boolean): Hono<WebEnv> {
  const { auth } = ctx;
  const app = new Hono<WebEnv>();

  const finish = (c: Context<WebEnv>, a: Attempt, next: string, fail: (e: string) => Response) => {
    if (a.ok) {
      setSessionCookie(c, a.session, secure);
      return c.redirect(next, 303);
    }
    if (a.retryAfterS) c.header("Retry-After", String(a.retryAfterS));
    return fail(a.error);
  };

  app.get("/login", (c) => {
    if (auth.needsSetup()) return c.redirect("/setup", 303);
    if (c.get("session")) return c.redirect("/", 303);
    const next = safeNext(c.req.query("next"), new URL(c.req.url).origin);
    return ctx.page(c, { title: "Sign in" }, (csrf) => LoginPage({ csrf, next }));
  });
  app.post("/login", async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(body.next, new URL(c.req.url).origin);
    const a = await auth.login(clientIp(c), field(body, "password"), field(body, "user"));
    return finish(
      c,
      a,
      next,
      (error) =>
        ctx.page(
          c,
          { title: "Sign in" },
          (csrf) => LoginPage({ csrf, error, next }),
          a.ok ? 200 : a.retryAfterS ? 429 : 401,
        ),
    );
  });

  app.get("/setup", (c) => {
    if (!auth.needsSetup()) return c.redirect("/login", 303);
    const token = c.req.query("token");
    return ctx.page(c, { title: "First start" }, (csrf) => SetupPage({ csrf, token }));
  });
  app.post("/setup", async (c) => {
    if (!auth.needsSetup()) return c.redirect("/login", 303);
    const body = await c.req.parseBody();
    const token = field(body, "token");
    const fail = (error: string, status: number) =>
      ctx.page(c, { title: "First start" }, (csrf) => SetupPage({ csrf, token, error }), status);
    if (field(body, "password") !== field(body, "confirm")) {
      return fail("The two passwords differ", 400);
    }
    const a = await auth.setup(clientIp(c), token, field(body, "password"));
    return finish(c, a, "/", (error) => fail(error, a.ok ? 200 : a.retryAfterS ? 429 : 400));
  });

  app.post("/logout", (c) => {
    const s = c.get("session");
    if (s) auth.logout(s.id);
    clearSessionCookie(c);
    return c.redirect("/login", 303);
  });
  return app;
}
