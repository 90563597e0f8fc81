/** Hono middleware of the dashboard: security headers, sessions, sign-in redirects, CSRF, roles. */

import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Auth, Session } from "./auth.ts";
import { randomToken, safeEqual } from "./password.ts";

/** Hono typing of the dashboard app: the session (if any) is a request variable. */
export type WebEnv = {
  Bindings: { remoteAddr?: { hostname?: string } };
  Variables: { session: Session | undefined };
};

const SESSION_COOKIE = "sp_session";
const PRE_COOKIE = "sp_csrf";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** The peer address Deno.serve passes as `info.remoteAddr` ("unknown" under app.request()). */
export function clientIp(c: Context<WebEnv>): string {
  return c.env?.remoteAddr?.hostname ?? "unknown";
}

/** True when cookies must be Secure: forced, or the request came over https (maybe via a proxy). */
export function isSecure(c: Context, force: boolean): boolean {
  return force || c.req.url.startsWith("https:") || c.req.header("x-forwarded-proto") === "https";
}

/** Strict headers on every response: a CSP without inline script, no framing, no sniffing. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "frame-ancestors 'none'; form-action 'self'",
    );
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "same-origin");
  };
}

/** Reads the session cookie into `c.var.session`. */
export function loadSession(auth: Auth): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    c.set("session", auth.session(getCookie(c, SESSION_COOKIE)));
    await next();
  };
}

/** Starts a session cookie: HttpOnly, SameSite=Strict, Secure over https. */
export function setSessionCookie(c: Context, session: Session, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, session.id, {
    httpOnly: true,
    sameSite: "Strict",
    secure: isSecure(c, secure),
    path: "/",
  });
  deleteCookie(c, PRE_COOKIE, { path: "/" });
}

/** Ends the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/**
 * The CSRF token a page's forms must carry: the session's synchronizer token, or before sign-in
 * a random token kept in a SameSite=Strict cookie (double submit) for the login and setup forms.
 */
export function csrfToken(c: Context<WebEnv>, secure: boolean): string {
  const s = c.get("session");
  if (s) return s.csrf;
  let t = getCookie(c, PRE_COOKIE);
  if (!t || t.length < 20) {
    t = randomToken();
    setCookie(c, PRE_COOKIE, t, {
      httpOnly: true,
      sameSite: "Strict",
      secure: isSecure(c, secure),
      path: "/",
      maxAge: 3600,
    });
  }
  return t;
}

/** True when the request's Origin (or Sec-Fetch-Site) says it came from this site. */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin) {
    const host = c.req.header("x-forwarded-host") ?? c.req.header("host") ??
      new URL(c.req.url).host;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  const site = c.req.header("sec-fetch-site");
  return site === undefined || site === "same-origin" || site === "none";
}

/** Largest form body read (the bulk import's 1 MiB upload plus its form fields). */
export const MAX_FORM_BYTES = 2 * 1024 * 1024;
/** Longest a form body may take to arrive. */
const FORM_READ_MS = 30_000;

/**
 * The request with its body read into memory, at most {@link MAX_FORM_BYTES} and within
 * {@link FORM_READ_MS}; a message (413 / 408) when it is larger or slower.
 */
export async function boundBody(req: Request): Promise<Request | string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > MAX_FORM_BYTES) return `Request body too large (over ${MAX_FORM_BYTES} bytes)`;
  if (!req.body) return req;
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    reader.cancel().catch(() => {});
  }, FORM_READ_MS);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_FORM_BYTES) {
        await reader.cancel().catch(() => {});
        return `Request body too large (over ${MAX_FORM_BYTES} bytes)`;
      }
      parts.push(value);
    }
  } catch {
    return "Request body did not arrive in time";
  } finally {
    clearTimeout(timer);
  }
  if (late) return "Request body did not arrive in time";
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of parts) body.set(p, (at += p.length) - p.length);
  return new Request(req.url, { method: req.method, headers: req.headers, body });
}

/**
 * Refuses every POST/PUT/PATCH/DELETE (403) that comes from another origin or lacks the CSRF
 * token (`X-CSRF-Token` header or `_csrf` form field).
 */
export function csrfGuard(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return await next();
    if (!sameOrigin(c)) return c.text("Cross-origin request refused", 403);
    let given = c.req.header("x-csrf-token");
    if (!given && /form/.test(c.req.header("content-type") ?? "")) {
      // Read before anyone is known to be signed in: bounded in size and time, whatever the
      // Content-Length says (a chunked body has none).
      const bounded = await boundBody(c.req.raw);
      if (typeof bounded === "string") {
        return c.text(bounded, bounded.startsWith("Request body too large") ? 413 : 408);
      }
      c.req.raw = bounded;
      const body = await c.req.parseBody();
      given = typeof body._csrf === "string" ? body._csrf : undefined;
    }
    const expected = c.get("session")?.csrf ?? getCookie(c, PRE_COOKIE);
    if (!given || !expected || !safeEqual(given, expected)) {
      return c.text("Missing or invalid CSRF token; reload the page and try again", 403);
    }
    await next();
  };
}

/** Sends visitors without a session to /setup (no admin yet) or /login; APIs get 401. */
export function requireSession(auth: Auth): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (c.get("session")) return await next();
    const target = auth.needsSetup() ? "/setup" : "/login";
    const wantsHtml = c.req.method === "GET" &&
      (c.req.header("accept") ?? "").includes("text/html");
    if (!wantsHtml) return c.json({ error: "Sign in first" }, 401);
    const next_ = c.req.path === "/" ? "" : `?next=${encodeURIComponent(c.req.path)}`;
    return c.redirect(`${target}${target === "/login" ? next_ : ""}`, 303);
  };
}

/**
 * GET paths only the admin may open: editor and confirmation forms (`…/new`, `…/edit`,
 * `…/delete`, `…/clone`, `…/import…`) and the admin's own pages (`/users`, `/settings`, `/mqtt`).
 * Matched by segment, so editors added later under these names are covered too.
 */
export function adminOnlyGet(path: string): boolean {
  const segs = path.split("/").filter(Boolean);
  if (["users", "settings", "mqtt"].includes(segs[0] ?? "")) return true;
  return segs.some((s) => EDITOR_SEGMENTS.has(s));
}

const EDITOR_SEGMENTS = new Set(["new", "edit", "delete", "clone", "import"]);

/** What a viewer may still send that is not a GET: signing out. */
const VIEWER_POSTS = new Set(["/logout"]);

/**
 * Enforces roles for every route at once (mounted before all of them): a viewer's session gets
 * 403 for every POST/PUT/PATCH/DELETE (the dashboard's forms, "Test now", ack, mute, Send test,
 * import, and the status API's writes through /api/*) except signing out, and for the admin-only
 * GET pages of {@link adminOnlyGet}. Previews, snapshots, charts and the event stream are GETs
 * and stay open: watching is what viewers are for.
 */
export function roleGuard(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const s = c.get("session");
    if (!s || s.role === "admin") return await next();
    const safe = SAFE.has(c.req.method);
    if (safe ? adminOnlyGet(c.req.path) : !VIEWER_POSTS.has(c.req.path)) {
      const msg = "Viewers cannot change anything; ask the admin";
      return (c.req.header("accept") ?? "").includes("text/html")
        ? c.html(`<!doctype html><title>Refused</title><p>${msg}.</p>`, 403)
        : c.json({ error: msg }, 403);
    }
    await next();
  };
}
