/**
 * The Alerts page's three forms: a channel (only its type's fields; secrets write-only, shown as
 * "•••• set" over an empty input), a rule, and a maintenance window.
 */

import { FormAssist } from "../../islands/mod.ts";
import {
  type ChannelField,
  type ChannelForm,
  fieldsOf,
  MAX_HEADERS,
  type RuleForm,
  urlIsSecret,
  type WindowForm,
} from "../alerts_form.ts";
import { type Notice, NoticeLine } from "./alerts.tsx";
import { Field } from "./editor.tsx";
import { Csrf, Island, SaveNotices } from "./layout.tsx";

/** What a refused save shows on a form. */
interface Refused {
  fields?: Record<string, string>;
  other?: string[];
  conflict?: boolean;
}

/** Props of {@link ChannelFormPage}. */
export interface ChannelFormProps extends Refused {
  csrf: string;
  version: string;
  /** The channel's stored name when editing. */
  original?: string;
  form: ChannelForm;
  /** The result of "Send test". */
  test?: Notice;
}

/** A write-only input: "•••• set" when stored, blank keeps it, a box removes it. */
function SecretInput({ name, set, label }: { name: string; set: boolean; label: string }) {
  return (
    <>
      <input
        id={`f-${name}`}
        name={name}
        type="password"
        autocomplete="new-password"
        placeholder={set ? "•••• set (leave blank to keep)" : "not set"}
      />
      {set && (
        <label class="check">
          <input type="checkbox" name={`${name}_clear`} /> Remove the stored {label.toLowerCase()}
        </label>
      )}
    </>
  );
}

function HeaderRows({ names }: { names: string[] }) {
  const rows = [...names, "", ""].slice(0, MAX_HEADERS);
  return (
    <table class="headers" id="f-headers">
      <tbody>
        {rows.map((h, i) => (
          <tr>
            <td>
              <input name={`header_name_${i}`} value={h} placeholder="Header name" />
              {h && <input type="hidden" name={`header_was_${i}`} value={h} />}
            </td>
            <td>
              <input
                name={`header_value_${i}`}
                type="password"
                autocomplete="new-password"
                placeholder={h ? "•••• set (leave blank to keep)" : "value"}
                aria-label={h ? `Value of ${h}` : "Header value"}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ChannelInput({ fl, form }: { fl: ChannelField; form: ChannelForm }) {
  const id = `f-${fl.key}`;
  const v = form.values[fl.key] ?? "";
  const secretUrl = fl.kind === "url" &&
    (form.set.includes("url") || urlIsSecret(form.type, undefined));
  if (fl.kind === "secret" || secretUrl) {
    return <SecretInput name={fl.key} set={form.set.includes(fl.key)} label={fl.label} />;
  }
  if (fl.kind === "headers") return <HeaderRows names={form.headers} />;
  if (fl.kind === "textarea") return <textarea id={id} name={fl.key} rows={4}>{v}</textarea>;
  if (fl.kind === "tls") {
    return (
      <select id={id} name={fl.key} value={v}>
        <option value="">starttls (default)</option>
        <option value="starttls">starttls</option>
        <option value="tls">tls (implicit, port 465)</option>
        <option value="none">none</option>
      </select>
    );
  }
  return (
    <input
      id={id}
      name={fl.key}
      value={v}
      spellcheck={false}
      inputMode={fl.kind === "number" ? "numeric" : undefined}
    />
  );
}

/** The add/edit form of one channel: only its type's fields. "Send test" tests the form's values. */
export function ChannelFormPage(p: ChannelFormProps) {
  const f = p.fields ?? {};
  const editing = p.original !== undefined;
  return (
    <section class="narrow">
      <h1>{editing ? `Edit channel ${p.original}` : `Add a ${p.form.type} channel`}</h1>
      <NoticeLine notice={p.test} />
      <SaveNotices conflict={p.conflict} other={p.other} />
      <form method="post" action="/alerts/channels" id="channel-form" class="stack" novalidate>
        <Csrf token={p.csrf} />
        <input type="hidden" name="_version" value={p.version} />
        {editing && <input type="hidden" name="_original" value={p.original} />}
        <input type="hidden" name="type" value={p.form.type} />
        <Field name="name" label="Name" hint="Rules name the channel by it" problem={f.name}>
          <input id="f-name" name="name" value={p.form.values.name ?? ""} required />
        </Field>
        {fieldsOf(p.form.type).map((fl) =>
          fl.kind === "bool"
            ? (
              <div class="field check">
                <label>
                  <input type="checkbox" name={fl.key} checked={p.form.values[fl.key] === "on"} />
                  {" "}
                  {fl.label}
                </label>
                <p class="problem" data-problem-for={fl.key} id={`p-${fl.key}`}>
                  {f[fl.key] ?? ""}
                </p>
              </div>
            )
            : (
              <Field name={fl.key} label={fl.label} hint={fl.hint} problem={f[fl.key]}>
                <ChannelInput fl={fl} form={p.form} />
              </Field>
            )
        )}
        <Island
          name="FormAssist"
          component={FormAssist}
          props={{
            formId: "channel-form",
            validateUrl: "/alerts/channels/validate",
            testUrl: "/alerts/channels/try",
            testLabel: "Send test",
          }}
        />
        <div class="buttons">
          <button type="submit">Save</button>
          <noscript>
            <button type="submit" class="secondary" formaction="/alerts/channels/test">
              Send test
            </button>
          </noscript>
          <a class="button secondary" href="/alerts">Cancel</a>
        </div>
      </form>
    </section>
  );
}

/** Props of {@link RuleFormPage}. */
export interface RuleFormProps extends Refused {
  csrf: string;
  version: string;
  /** `alerts.rules[index]` when editing. */
  index?: number;
  form: RuleForm;
  /** The configured channel names to choose from. */
  channelNames: string[];
}

const FilterFields = (
  { v, f }: { v: { streams: string; tags: string; sites: string }; f: Record<string, string> },
) => (
  <>
    <Field
      name="streams"
      label="Streams"
      hint="Names, comma-separated; blank: all"
      problem={f.streams}
    >
      <input id="f-streams" name="streams" value={v.streams} />
    </Field>
    <Field name="tags" label="Tags" hint="Any of these tags; blank: any" problem={f.tags}>
      <input id="f-tags" name="tags" value={v.tags} />
    </Field>
    <Field name="sites" label="Sites" hint="Any of these sites; blank: any" problem={f.sites}>
      <input id="f-sites" name="sites" value={v.sites} />
    </Field>
  </>
);

/** The add/edit form of a rule. */
export function RuleFormPage(p: RuleFormProps) {
  const f = p.fields ?? {};
  const v = p.form;
  const choices = [...new Set([...p.channelNames, ...v.channels])];
  return (
    <section class="narrow">
      <h1>{p.index === undefined ? "Add a rule" : `Edit rule ${p.index + 1}`}</h1>
      <SaveNotices conflict={p.conflict} other={p.other} />
      <form method="post" action="/alerts/rules" id="rule-form" class="stack" novalidate>
        <Csrf token={p.csrf} />
        <input type="hidden" name="_version" value={p.version} />
        {p.index !== undefined && <input type="hidden" name="_index" value={String(p.index)} />}
        <Field
          name="channels"
          label="Channels"
          hint="Hold Ctrl or ⌘ to pick several"
          problem={f.channels}
        >
          <select id="f-channels" name="channels" multiple size={Math.min(8, choices.length || 1)}>
            {choices.map((n) => (
              <option value={n} key={n} selected={v.channels.includes(n)}>{n}</option>
            ))}
          </select>
        </Field>
        <fieldset class="field">
          <legend>States that alert</legend>
          {["down", "degraded"].map((s) => (
            <label class="check">
              <input type="checkbox" name="states" value={s} checked={v.states.includes(s)} /> {s}
            </label>
          ))}
          <p class="problem" data-problem-for="states" id="p-states">{f.states ?? ""}</p>
        </fieldset>
        <FilterFields v={v} f={f} />
        <Field
          name="after_seconds"
          label="Alert after (seconds failing)"
          hint="Blank: at once"
          problem={f.after_seconds}
        >
          <input
            id="f-after_seconds"
            name="after_seconds"
            value={v.after_seconds}
            inputMode="numeric"
          />
        </Field>
        <div class="field check">
          <label>
            <input type="checkbox" name="resolved" checked={v.resolved} /> Send the recovery
          </label>
          <p class="problem" data-problem-for="resolved" id="p-resolved">{f.resolved ?? ""}</p>
        </div>
        <Field
          name="remind_minutes"
          label="Remind every (minutes)"
          hint="Blank or 0: never"
          problem={f.remind_minutes}
        >
          <input
            id="f-remind_minutes"
            name="remind_minutes"
            value={v.remind_minutes}
            inputMode="numeric"
          />
        </Field>
        <Island
          name="FormAssist"
          component={FormAssist}
          props={{ formId: "rule-form", validateUrl: "/alerts/rules/validate" }}
        />
        <div class="buttons">
          <button type="submit">Save</button>
          <a class="button secondary" href="/alerts">Cancel</a>
        </div>
      </form>
    </section>
  );
}

/** Props of {@link WindowFormPage}. */
export interface WindowFormProps extends Refused {
  csrf: string;
  version: string;
  index?: number;
  form: WindowForm;
  timeZone: string;
}

/** The add/edit form of a maintenance window: one-off (from/to) or repeating (cron + minutes). */
export function WindowFormPage(p: WindowFormProps) {
  const f = p.fields ?? {};
  const v = p.form;
  return (
    <section class="narrow">
      <h1>{p.index === undefined ? "Add a maintenance window" : `Edit window ${v.name}`}</h1>
      <SaveNotices conflict={p.conflict} other={p.other} />
      <form method="post" action="/alerts/maintenance" id="window-form" class="stack" novalidate>
        <Csrf token={p.csrf} />
        <input type="hidden" name="_version" value={p.version} />
        {p.index !== undefined && <input type="hidden" name="_index" value={String(p.index)} />}
        <Field name="name" label="Name" problem={f.name}>
          <input id="f-name" name="name" value={v.name} required />
        </Field>
        <fieldset class="field">
          <legend>Kind</legend>
          <label class="check">
            <input type="radio" name="mode" value="once" checked={v.mode === "once"} />{" "}
            Once, from … to
          </label>
          <label class="check">
            <input type="radio" name="mode" value="cron" checked={v.mode === "cron"} />{" "}
            Repeating (cron)
          </label>
        </fieldset>
        <Field name="from" label={`From (${p.timeZone})`} problem={f.from}>
          <input id="f-from" name="from" type="datetime-local" value={v.from} />
        </Field>
        <Field name="to" label={`To (${p.timeZone})`} problem={f.to}>
          <input id="f-to" name="to" type="datetime-local" value={v.to} />
        </Field>
        <Field
          name="cron"
          label="Starts (cron, 5 fields)"
          hint={`e.g. 0 3 * * * — in ${p.timeZone}`}
          problem={f.cron}
        >
          <input id="f-cron" name="cron" value={v.cron} spellcheck={false} />
        </Field>
        <Field name="minutes" label="Lasts (minutes)" problem={f.minutes}>
          <input id="f-minutes" name="minutes" value={v.minutes} inputMode="numeric" />
        </Field>
        <FilterFields v={v} f={f} />
        <Island
          name="FormAssist"
          component={FormAssist}
          props={{ formId: "window-form", validateUrl: "/alerts/maintenance/validate" }}
        />
        <div class="buttons">
          <button type="submit">Save</button>
          <a class="button secondary" href="/alerts">Cancel</a>
        </div>
      </form>
    </section>
  );
}
