/** The first-run page: the setup token from the log, then the admin password. */

import { Csrf } from "./layout.tsx";

/** Props of {@link SetupPage}. */
export interface SetupProps {
  csrf: string;
  /** Prefilled from the link printed in the log. */
  token?: string;
  error?: string;
}

/** Asks for the one-time token before the admin password can be set. */
export function SetupPage({ csrf, token, error }: SetupProps) {
  return (
    <section class="narrow">
      <h1>Welcome to StreamPulse</h1>
      <p>
        No admin password is set yet. Enter the setup token printed in the log at the first start
        (look for “no admin password yet”), then choose the admin password. You can also set{" "}
        <code>STREAMPULSE_ADMIN_PASSWORD</code> in the environment instead.
      </p>
      {error && <p class="alert" role="alert">{error}</p>}
      <form method="post" action="/setup" class="stack">
        <Csrf token={csrf} />
        <label>
          Setup token
          <input name="token" value={token ?? ""} required autocomplete="off" spellcheck={false} />
        </label>
        <label>
          New admin password (at least 8 characters)
          <input
            type="password"
            name="password"
            minLength={8}
            required
            autocomplete="new-password"
          />
        </label>
        <label>
          Repeat the password
          <input
            type="password"
            name="confirm"
            minLength={8}
            required
            autocomplete="new-password"
          />
        </label>
        <button type="submit">Set password and sign in</button>
      </form>
    </section>
  );
}
