/** The stream editor (add, edit, rename, enable/disable) and the delete confirmation. */

import { FormAssist } from "../../islands/mod.ts";
import type { StreamValues } from "../stream_form.ts";
import { AlertFields, Field, MediaFields, PasswordField } from "./editor_fields.tsx";
import { Csrf, Island, SaveNotices } from "./layout.tsx";
import { PROBE_KINDS } from "../../monitor/mod.ts";

/** Props of {@link EditorPage}. */
export interface EditorProps {
  csrf: string;
  /** Fingerprint of config.yaml when the form was made (see versionOf). */
  version: string;
  /** The stream's current name when editing; undefined when adding. */
  original?: string;
  values: StreamValues;
  /** Problems per field (config loader messages). */
  fields?: Record<string, string>;
  /** Problems not tied to a field. */
  other?: string[];
  /** Set when config.yaml changed on disk since the form was loaded. */
  conflict?: boolean;
  heartbeatSeconds: number;
  /** Whether the stored URL (of this stream, or of the cloned one) has a password. */
  passwordSet?: boolean;
  /** The stream this new one is cloned from (its stored password is kept, write-only). */
  cloneOf?: string;
  /** The other streams' names, for "Depends on". */
  others?: string[];
  /** Set after a save that config.yaml's problems elsewhere keep from being applied. */
  pending?: string[];
}

export { Field } from "./editor_fields.tsx";

/** The notice after a save written to config.yaml but not applied (the file is broken elsewhere). */
function Pending({ name, problems }: { name: string; problems: string[] }) {
  return (
    <div class="alert editor-pending" role="status">
      <p>
        Saved {name} to config.yaml. It is not applied yet: the file still has{" "}
        {problems.length === 1 ? "a problem" : `${problems.length} problems`}{" "}
        elsewhere, so StreamPulse keeps running the last good config until{" "}
        {problems.length === 1 ? "it is" : "they are"} fixed:
      </p>
      <ul>{problems.map((m) => <li key={m}>{m}</li>)}</ul>
    </div>
  );
}

/** The add/edit form. Works without JavaScript; the island adds live validation and "Test now". */
export function EditorPage(p: EditorProps) {
  const v = p.values;
  const f = p.fields ?? {};
  const editing = p.original !== undefined;
  return (
    <section class="narrow">
      <h1>
        {editing ? `Edit ${p.original}` : p.cloneOf ? `Clone ${p.cloneOf}` : "Add a stream"}
      </h1>
      {p.pending && <Pending name={p.original ?? v.name} problems={p.pending} />}
      <SaveNotices
        conflict={p.conflict}
        other={p.other}
        hint="The form now shows your values over the current file: check them and save again."
      />
      <form method="post" action="/streams/save" id="stream-form" class="stack" novalidate>
        <Csrf token={p.csrf} />
        <input type="hidden" name="_version" value={p.version} />
        {editing && <input type="hidden" name="_original" value={p.original} />}
        {p.cloneOf && <input type="hidden" name="_clone_of" value={p.cloneOf} />}
        <Field name="name" label="Name" problem={f.name}>
          <input
            id="f-name"
            name="name"
            value={v.name}
            required
            maxLength={200}
            aria-describedby="p-name"
          />
        </Field>
        <Field
          name="url"
          label="URL"
          hint="rtsp://, rtsps://, http:// or https://, with the user name (rtsp://admin@host/…); the password goes below"
          problem={f.url}
        >
          <input
            id="f-url"
            name="url"
            value={v.url}
            required
            autocomplete="off"
            spellcheck={false}
            aria-describedby="h-url p-url"
          />
        </Field>
        <PasswordField set={p.passwordSet ?? false} from={p.cloneOf} problem={f.password} />
        <div class="field check">
          <label>
            <input type="checkbox" name="enabled" checked={v.enabled} />{" "}
            Enabled (checked on schedule)
          </label>
        </div>
        <Field name="kind" label="Probe" problem={f.kind}>
          <select id="f-kind" name="kind" value={v.kind}>
            <option value="">Automatic (from the URL)</option>
            {PROBE_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </Field>
        <Field
          name="interval"
          label="Check every (seconds)"
          hint={`Blank: the global ${p.heartbeatSeconds} s`}
          problem={f.interval}
        >
          <input
            id="f-interval"
            name="interval"
            value={v.interval}
            inputMode="decimal"
            aria-describedby="h-interval p-interval"
          />
        </Field>
        <Field
          name="timeout"
          label="Timeout (seconds)"
          hint="Blank: 5 s or the interval if shorter"
          problem={f.timeout}
        >
          <input
            id="f-timeout"
            name="timeout"
            value={v.timeout}
            inputMode="decimal"
            aria-describedby="h-timeout p-timeout"
          />
        </Field>
        <Field
          name="tags"
          label="Tags"
          hint="Comma separated, e.g. outside, garage"
          problem={f.tags}
        >
          <input id="f-tags" name="tags" value={v.tags} aria-describedby="h-tags p-tags" />
        </Field>
        <div class="field check">
          <label>
            <input type="checkbox" name="tls_insecure" checked={v.tlsInsecure} />{" "}
            Accept self-signed TLS certificates
          </label>
        </div>
        <MediaFields v={v} f={f} />
        <AlertFields v={v} f={f} others={p.others ?? []} />
        <Island
          name="FormAssist"
          component={FormAssist}
          props={{
            formId: "stream-form",
            validateUrl: "/streams/validate",
            testUrl: "/streams/test",
            testLabel: "Test now",
          }}
        />
        <div class="buttons">
          <button type="submit">Save</button>
          <a href={editing ? `/streams/${encodeURIComponent(p.original!)}` : "/"}>Cancel</a>
        </div>
      </form>
      <p class="editor-more">
        {editing && (
          <a href={`/streams/new?clone=${encodeURIComponent(p.original!)}`}>
            Clone this camera
          </a>
        )} <a href="/streams/tags">Edit tags of several cameras</a>
      </p>
    </section>
  );
}

/** Asks before deleting (a plain POST form, so no script dialog is needed). */
export function DeletePage(
  { name, csrf, version }: { name: string; csrf: string; version: string },
) {
  return (
    <section class="narrow">
      <h1>Delete {name}?</h1>
      <p>
        The stream is removed from config.yaml and no longer checked. Its history stays in the
        database until retention removes it.
      </p>
      <form method="post" action={`/streams/${encodeURIComponent(name)}/delete`} class="buttons">
        <Csrf token={csrf} />
        <input type="hidden" name="_version" value={version} />
        <button type="submit" class="danger">Delete</button>
        <a href={`/streams/${encodeURIComponent(name)}`}>Cancel</a>
      </form>
    </section>
  );
}
