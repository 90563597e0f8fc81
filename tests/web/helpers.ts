/** Request helpers for dashboard tests: sign in through the real forms, then send with cookie. */

import type { Hono } from "hono";
import type { WebEnv } from "../../web/guard.ts";

/** A signed-in client of an app (in process, via app.request). */
export interface Client {
  cookie: string;
  csrf: string;
  /** GET as a browser would (Accept: text/html). */
  get(path: string): Promise<Response>;
  /** POST a form with the CSRF token (unless `csrf: false`) and a same-origin Origin. */
  post(
    path: string,
    form: Record<string, string>,
    opts?: { csrf?: boolean; origin?: string },
  ): Promise<Response>;
}

const ORIGIN = "http://localhost";

/** The `name=value` of a Set-Cookie header named `name`, or undefined. */
export function cookieOf(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];
}

/** The hidden `_csrf` value of a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html) ??
    /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!m) throw new Error("no CSRF token in the page");
  return m[1];
}

/** Wraps an app so every request carries `cookie`. */
export function clientOf(app: Hono<WebEnv>, cookie: string, csrf: string): Client {
  return {
    cookie,
    csrf,
    get: async (path) =>
      await app.request(`${ORIGIN}${path}`, { headers: { cookie, accept: "text/html" } }),
    post: async (path, form, opts = {}) =>
      await app.request(`${ORIGIN}${path}`, {
        method: "POST",
        headers: { cookie, origin: opts.origin ?? ORIGIN },
        body: new URLSearchParams(opts.csrf === false ? form : { _csrf: csrf, ...form }),
      }),
  };
}

/** Runs first-run setup with `token` and returns a signed-in client. */
export async function setupAndSignIn(
  app: Hono<WebEnv>,
  token: string,
  password = "correct horse",
): Promise<Client> {
  const page = await app.request(`${ORIGIN}/setup`);
  const pre = cookieOf(page, "sp_csrf")!;
  const csrf = csrfOf(await page.text());
  const res = await app.request(`${ORIGIN}/setup`, {
    method: "POST",
    headers: { cookie: pre, origin: ORIGIN },
    body: new URLSearchParams({ _csrf: csrf, token, password, confirm: password }),
  });
  if (res.status !== 303) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
  const cookie = cookieOf(res, "sp_session")!;
  const home = await app.request(`${ORIGIN}/`, { headers: { cookie, accept: "text/html" } });
  return clientOf(app, cookie, csrfOf(await home.text()));
}

/** Signs in with a password through the login form. */
export async function signIn(
  app: Hono<WebEnv>,
  password: string,
  ip = "10.0.0.1",
): Promise<Response> {
  const page = await app.request(`${ORIGIN}/login`);
  const pre = cookieOf(page, "sp_csrf")!;
  const csrf = csrfOf(await page.text());
  return await app.request(`${ORIGIN}/login`, {
    method: "POST",
    headers: { cookie: pre, origin: ORIGIN },
    body: new URLSearchParams({ _csrf: csrf, password }),
  }, { remoteAddr: { hostname: ip } });
}
