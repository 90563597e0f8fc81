/** The MQTT editor: every key of the `mqtt:` block; the password is write-only. */

import { FormAssist } from "../../islands/mod.ts";
import { MQTT_FIELDS } from "../mqtt_form.ts";
import { Field } from "./editor.tsx";
import { Csrf, Island, SaveNotices } from "./layout.tsx";

/** Props of {@link MqttPage}. */
export interface MqttProps {
  csrf: string;
  version: string;
  /** Form values per key (booleans for switches). */
  values: Record<string, string | boolean>;
  /** Whether a password is stored (its value is never sent to the browser). */
  hasPassword: boolean;
  fields?: Record<string, string>;
  other?: string[];
  conflict?: boolean;
  saved?: boolean;
  /** The MQTT task's connection (from /api/health); shown while enabled but not connected. */
  connection?: { enabled: boolean; connected: boolean; lastError: string | null };
}

/** Renders the MQTT form with "Test connection". */
export function MqttPage(p: MqttProps) {
  const f = p.fields ?? {};
  return (
    <section class="narrow">
      <h1>MQTT</h1>
      {p.saved && <p class="note" role="status">Saved. The MQTT task uses the new settings now.</p>}
      <SaveNotices conflict={p.conflict} other={p.other} />
      {p.connection?.enabled && !p.connection.connected && (
        <p class="alert" role="alert" id="mqtt-trouble">
          Not connected to the MQTT broker{p.connection.lastError
            ? `: ${p.connection.lastError}`
            : "."}
        </p>
      )}
      <form method="post" action="/mqtt" id="mqtt-form" class="stack" novalidate>
        <Csrf token={p.csrf} />
        <input type="hidden" name="_version" value={p.version} />
        {MQTT_FIELDS.map((field) => {
          const v = p.values[field.key];
          const id = `f-${field.key}`;
          if (field.type === "bool") {
            return (
              <div class="field check">
                <label>
                  <input type="checkbox" name={field.key} checked={v === true} /> {field.label}
                </label>
                <p class="problem" data-problem-for={field.key}>{f[field.key] ?? ""}</p>
              </div>
            );
          }
          return (
            <Field name={field.key} label={field.label} hint={field.hint} problem={f[field.key]}>
              {field.type === "qos"
                ? (
                  <select id={id} name={field.key} value={String(v)}>
                    <option value="0">0 — at most once</option>
                    <option value="1">1 — at least once</option>
                    <option value="2">2 — exactly once</option>
                  </select>
                )
                : field.type === "password"
                ? (
                  <input
                    id={id}
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    placeholder={p.hasPassword ? "•••••• (unchanged)" : "not set"}
                  />
                )
                : (
                  <input
                    id={id}
                    name={field.key}
                    value={String(v)}
                    inputMode={field.type === "number" ? "numeric" : undefined}
                    spellcheck={false}
                  />
                )}
            </Field>
          );
        })}
        {p.hasPassword && (
          <div class="field check">
            <label>
              <input type="checkbox" name="password_clear" /> Remove the stored password
            </label>
          </div>
        )}
        <Island
          name="FormAssist"
          component={FormAssist}
          props={{
            formId: "mqtt-form",
            validateUrl: "/mqtt/validate",
            testUrl: "/mqtt/test",
            testLabel: "Test connection",
          }}
        />
        <div class="buttons">
          <button type="submit">Save</button>
        </div>
      </form>
    </section>
  );
}
