/** Settings: heartbeat, time zone (with the browser's offered), retention, admin password. */

import { FormAssist, ZoneButton } from "../../islands/mod.ts";
import { Field } from "./editor.tsx";
import { Csrf, Island, SaveNotices } from "./layout.tsx";

/** Props of {@link SettingsPage}. */
export interface SettingsProps {
  csrf: string;
  version: string;
  values: { heartbeat: string; timezone: string; retention: string };
  zones: string[];
  fields?: Record<string, string>;
  other?: string[];
  conflict?: boolean;
  saved?: boolean;
  /** Message of the password form (error or success). */
  passwordNote?: { ok: boolean; text: string };
  passwordFromEnv: boolean;
}

/** Renders both settings forms. */
export function SettingsPage(p: SettingsProps) {
  const f = p.fields ?? {};
  return (
    <section class="narrow">
      <h1>Settings</h1>
      {p.saved && <p class="note" role="status">Saved and applied.</p>}
      <SaveNotices conflict={p.conflict} other={p.other} />
      <form method="post" action="/settings" id="settings-form" class="stack" novalidate>
        <Csrf token={p.csrf} />
        <input type="hidden" name="_version" value={p.version} />
        <Field
          name="heartbeat"
          label="Check every (seconds)"
          hint="Streams without their own interval"
          problem={f.heartbeat}
        >
          <input id="f-heartbeat" name="heartbeat" value={p.values.heartbeat} inputMode="decimal" />
        </Field>
        <Field
          name="timezone"
          label="Time zone"
          hint="Used for times in the API, MQTT and CSV"
          problem={f.timezone}
        >
          <input
            id="f-timezone"
            name="timezone"
            value={p.values.timezone}
            list="zones"
            spellcheck={false}
          />
        </Field>
        <datalist id="zones">{p.zones.map((z) => <option key={z} value={z} />)}</datalist>
        <Island name="ZoneButton" component={ZoneButton} props={{ targetId: "f-timezone" }} />
        <Field
          name="retention"
          label="Keep raw checks (days)"
          hint="Hourly rollups are kept 400 days"
          problem={f.retention}
        >
          <input id="f-retention" name="retention" value={p.values.retention} inputMode="numeric" />
        </Field>
        <Island
          name="FormAssist"
          component={FormAssist}
          props={{ formId: "settings-form", validateUrl: "/settings/validate" }}
        />
        <div class="buttons">
          <button type="submit">Save</button>
        </div>
      </form>
      <h2>Admin password</h2>
      {p.passwordNote && (
        <p class={p.passwordNote.ok ? "note" : "alert"} role="status">{p.passwordNote.text}</p>
      )}
      {p.passwordFromEnv
        ? <p class="muted">The password is set by STREAMPULSE_ADMIN_PASSWORD; change it there.</p>
        : (
          <form method="post" action="/settings/password" class="stack">
            <Csrf token={p.csrf} />
            <label>
              Current password
              <input type="password" name="current" required autocomplete="current-password" />
            </label>
            <label>
              New password (at least 8 characters)
              <input
                type="password"
                name="password"
                required
                minLength={8}
                autocomplete="new-password"
              />
            </label>
            <label>
              Repeat the new password
              <input
                type="password"
                name="confirm"
                required
                minLength={8}
                autocomplete="new-password"
              />
            </label>
            <div class="buttons">
              <button type="submit">Change password</button>
            </div>
          </form>
        )}
    </section>
  );
}
