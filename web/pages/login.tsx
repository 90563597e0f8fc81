/** The sign-in page. */

import { Csrf } from "./layout.tsx";

/** Props of {@link LoginPage}. */
export interface LoginProps {
  csrf: string;
  error?: string;
  /** Where to go after signing in (a local path). */
  next?: string;
}

/** The password form; the server rate-limits failed attempts per address. */
export function LoginPage({ csrf, error, next }: LoginProps) {
  return (
    <section class="narrow">
      <h1>Sign in</h1>
      {error && <p class="alert" role="alert">{error}</p>}
      <form method="post" action="/login" class="stack">
        <Csrf token={csrf} />
        {next && <input type="hidden" name="next" value={next} />}
        <label>
          User name (leave empty for the admin)
          <input name="user" autocomplete="username" spellcheck={false} maxLength={40} />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            autofocus
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
