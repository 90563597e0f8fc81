/** Real-socket helpers for dashboard tests: the login form and signed-in requests over fetch. */

import { cookieOf, csrfOf } from "./helpers.ts";

/** The pre-session CSRF cookie and token of `/login`, fetched over HTTP. */
export async function loginForm(url: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${url}/login`);
  const cookie = cookieOf(page, "sp_csrf");
  const csrf = csrfOf(await page.text());
  if (!cookie) throw new Error(`GET /login set no sp_csrf cookie (status ${page.status})`);
  return { cookie, csrf };
}

/** POSTs the login form over HTTP (redirects not followed); the body is consumed. */
export async function postLogin(
  url: string,
  form: { cookie: string; csrf: string },
  password: string,
  next?: string,
): Promise<{ status: number; location: string | null; session?: string }> {
  const body = new URLSearchParams({ _csrf: form.csrf, password });
  if (next !== undefined) body.set("next", next);
  const res = await fetch(`${url}/login`, {
    method: "POST",
    headers: { cookie: form.cookie, origin: url },
    body,
    redirect: "manual",
  });
  await res.body?.cancel();
  return {
    status: res.status,
    location: res.headers.get("location"),
    session: cookieOf(res, "sp_session"),
  };
}

/** A browser signed in over HTTP: its cookie and the session's CSRF token. */
export interface HttpSession {
  cookie: string;
  csrf: string;
  /** POSTs a form with the CSRF token and a same-origin Origin (redirects not followed). */
  post(path: string, form: Record<string, string>): Promise<Response>;
}

/** Signs in through the login form over HTTP. */
export async function httpSignIn(url: string, password: string): Promise<HttpSession> {
  const r = await postLogin(url, await loginForm(url), password);
  if (r.status !== 303 || !r.session) throw new Error(`sign-in failed: ${r.status}`);
  const cookie = r.session;
  const home = await fetch(`${url}/`, { headers: { cookie, accept: "text/html" } });
  const csrf = csrfOf(await home.text());
  return {
    cookie,
    csrf,
    post: (path, form) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { cookie, origin: url },
        body: new URLSearchParams({ _csrf: csrf, ...form }),
        redirect: "manual",
      }),
  };
}
