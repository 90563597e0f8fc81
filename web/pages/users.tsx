/** The Users page (admin only): viewer accounts and the public status page's groups. */

import { Csrf } from "./layout.tsx";

/** Props of {@link UsersPage}. */
export interface UsersProps {
  csrf: string;
  viewers: Array<{ name: string; created: string }>;
  /** The outcome of the last action (a refusal names the problem). */
  note?: { ok: boolean; text: string };
  /** Values typed into the add form, kept after a refusal (never the password). */
  newName?: string;
  publicEnabled: boolean;
  /** The groups as text, one a line (`Site A: #tag, Stream name`). */
  groupsText: string;
  /** Problems of the groups text, by line. */
  groupProblems?: string[];
  /** The public groups' badge paths, for copying into a wiki. */
  badges: Array<{ name: string; slug: string }>;
}

const enc = encodeURIComponent;

/** Renders the viewer list, the add form and the public status settings. */
export function UsersPage(p: UsersProps) {
  return (
    <section class="narrow users-page">
      <h1>Users</h1>
      {p.note && <p class={p.note.ok ? "note" : "alert"} role="status">{p.note.text}</p>}
      <p class="muted">
        Viewers sign in with their user name and password and see every page, but cannot change
        anything. The admin signs in with the password alone.
      </p>
      <h2>Viewers</h2>
      {p.viewers.length === 0 ? <p class="muted">No viewers yet.</p> : (
        <table class="users-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Created</th>
              <th scope="col">New password</th>
              <th scope="col">
                <span class="users-sr">Delete</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.viewers.map((v) => (
              <tr key={v.name}>
                <th scope="row">{v.name}</th>
                <td>{v.created}</td>
                <td>
                  <form
                    method="post"
                    action={`/users/${enc(v.name)}/password`}
                    class="users-inline"
                  >
                    <Csrf token={p.csrf} />
                    <input
                      type="password"
                      name="password"
                      required
                      minLength={8}
                      autocomplete="new-password"
                      aria-label={`New password for ${v.name}`}
                    />
                    <button type="submit">Reset</button>
                  </form>
                </td>
                <td>
                  <form method="post" action={`/users/${enc(v.name)}/delete`} class="users-inline">
                    <Csrf token={p.csrf} />
                    <button type="submit" class="danger" aria-label={`Delete ${v.name}`}>
                      Delete
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Add a viewer</h3>
      <form method="post" action="/users" class="stack" id="users-add">
        <Csrf token={p.csrf} />
        <label>
          User name (letters, digits, ".", "_", "-")
          <input
            name="name"
            required
            maxLength={40}
            pattern="[A-Za-z0-9._\-]{1,40}"
            autocomplete="off"
            spellcheck={false}
            value={p.newName ?? ""}
          />
        </label>
        <label>
          Password (at least 8 characters)
          <input
            type="password"
            name="password"
            required
            minLength={8}
            autocomplete="new-password"
          />
        </label>
        <div class="buttons">
          <button type="submit">Add viewer</button>
        </div>
      </form>
      <h2 id="public">Public status page</h2>
      <p class="muted">
        Off by default. When on, <a href="/status">/status</a>{" "}
        and the badges below answer without sign-in and show the chosen groups' streams with their
        state and availability only: no addresses, tags or causes. Kept in the database, not in
        config.yaml, like the accounts.
      </p>
      {(p.groupProblems?.length ?? 0) > 0 && (
        <ul class="problems" role="alert">{p.groupProblems!.map((m) => <li key={m}>{m}</li>)}</ul>
      )}
      <form method="post" action="/users/public" class="stack">
        <Csrf token={p.csrf} />
        <label class="users-check">
          <input type="checkbox" name="enabled" value="on" checked={p.publicEnabled} />{" "}
          Show the public status page and badges
        </label>
        <label>
          Groups, one a line: a name, a colon, then #tags and stream names separated by commas
          <textarea
            name="groups"
            rows={5}
            spellcheck={false}
            placeholder="Site A: #site-a, Front Door"
          >
            {p.groupsText}
          </textarea>
        </label>
        <div class="buttons">
          <button type="submit">Save public page</button>
        </div>
      </form>
      {p.publicEnabled && p.badges.length > 0 && (
        <ul class="users-badges">
          {p.badges.map((b) => (
            <li key={b.slug}>
              {b.name}: <code>/badge/{b.slug}/state.svg</code>,{" "}
              <code>/badge/{b.slug}/uptime.svg?days=30</code>, per stream{" "}
              <code>/badge/{b.slug}/&lt;stream&gt;/state.svg</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
