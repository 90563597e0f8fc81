/** Routes of sign-in: first-run setup, login (rate-limited), logout. */

import { Hono } from "hono";
import type { Context } from "hono";
import type { Attempt } from "./auth.ts";
import type { WebContext } from "./app.ts";
import { clearSessionCookie, clientIp, setSessionCookie, type WebEnv } from "./guard.ts";
import { LoginPage } from "./pages/login.tsx";
import { SetupPage } from "./pages/setup.tsx";

/** A local path to return to after signing in ("/" for anything else, e.g. `//evil.example`). */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])/.test(next) ? next : "/";
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
    const next = c.req.query("next");
    return ctx.page(c, { title: "Sign in" }, (csrf) => LoginPage({ csrf, next }));
  });
  app.post("/login", async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(body.next);
    const a = await auth.login(clientIp(c), field(body, "password"));
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
