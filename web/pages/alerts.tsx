/**
 * The Alerts page (channels, rules, maintenance windows, mutes, outbox health, delivery log) and
 * its three forms. Secrets are write-only: a stored one shows as "•••• set" over an empty input.
 */

import type { ComponentChildren } from "preact";
import { FormAssist } from "../../islands/mod.ts";
import {
  CHANNEL_TYPE_NAMES,
  type ChannelField,
  type ChannelForm,
  fieldsOf,
  MAX_HEADERS,
  type RuleForm,
  type WindowForm,
} from "../alerts_form.ts";
import { type PublicChannel, urlIsSecret } from "../alerts_view.ts";
import { Field } from "./editor.tsx";
import { Csrf, Island, SaveNotices } from "./layout.tsx";

/** A notice above a page: a save or a test's result. */
export interface Notice {
  ok: boolean;
  text: string;
}

/** What a refused save shows on a form. */
interface Refused {
  fields?: Record<string, string>;
  other?: string[];
  conflict?: boolean;
}

/** Props of {@link AlertsPage}: everything already secret-free and formatted. */
export interface AlertsPageProps {
  csrf: string;
  version: string;
  /** False when alerting does not run (no alerts task): live sections say so. */
  running: boolean;
  timeZone: string;
  channels: Array<PublicChannel & { set: string[] }>;
  rules: Array<{
    channels: string[];
    states: string[];
    filter: string;
    after: number;
    resolved: boolean;
    remind: number;
  }>;
  windows: Array<{ name: string; when: string; filter: string; active: boolean }>;
  mutes: Array<{ stream: string; until: string; note: string }>;
  outbox?: {
    pending: number;
    failed: number;
    muted: number;
    channels: Record<
      string,
      { pending: number; failed: number; last_error: string | null; last_ok_at: string | null }
    >;
  };
  deliveries: Array<{
    time: string;
    channel: string;
    stream: string;
    event: string;
    ok: boolean;
    status: number | null;
    answer: string;
  }>;
  /** The delivery log's channel filter. */
  channel?: string;
  notice?: Notice;
  conflict?: boolean;
  other?: string[];
}

function NoticeLine({ notice }: { notice?: Notice }) {
  if (!notice) return null;
  return <p class={notice.ok ? "note" : "alert"} role="status">{notice.text}</p>;
}

/** A POST button carrying the CSRF token and the config version. */
function PostButton(
  p: { action: string; csrf: string; version?: string; label: string; danger?: boolean },
) {
  return (
    <form method="post" action={p.action} class="inline">
      <Csrf token={p.csrf} />
      {p.version && <input type="hidden" name="_version" value={p.version} />}
      <button type="submit" class={p.danger ? "danger" : "secondary"}>{p.label}</button>
    </form>
  );
}

function Table({ head, children }: { head: string[]; children: ComponentChildren }) {
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>{head.map((h) => <th scope="col" key={h}>{h}</th>)}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

const enc = encodeURIComponent;

/** The overview with every section. */
export function AlertsPage(p: AlertsPageProps) {
  const names = p.channels.map((c) => c.name);
  return (
    <section>
      <h1>Alerts</h1>
      <NoticeLine notice={p.notice} />
      <SaveNotices conflict={p.conflict} other={p.other} hint="Reload the page and try again." />
      {!p.running && <p class="alert">Alerting is not running: nothing is sent.</p>}

      <h2>Channels</h2>
      {p.channels.length === 0
        ? <p class="muted">No channels.</p>
        : (
          <Table head={["Name", "Type", "Sends to", "Secrets", ""]}>
            {p.channels.map((c) => (
              <tr>
                <th scope="row">{c.name}</th>
                <td>{c.type}</td>
                <td>{c.origin ?? c.host ?? (c.set.includes("url") ? "•••• (secret URL)" : "")}</td>
                <td>{c.set.map((k) => `${k}: •••• set`).join(", ")}</td>
                <td class="actions">
                  <a class="button" href={`/alerts/channels/${enc(c.name)}/edit`}>Edit</a>
                  <PostButton
                    action={`/alerts/channels/${enc(c.name)}/test`}
                    csrf={p.csrf}
                    label="Send test"
                  />
                  <PostButton
                    action={`/alerts/channels/${enc(c.name)}/delete`}
                    csrf={p.csrf}
                    version={p.version}
                    label="Delete"
                    danger
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}
      <form method="get" action="/alerts/channels/new" class="toolbar">
        <label>
          New channel of type{" "}
          <select name="type">
            {CHANNEL_TYPE_NAMES.map((t) => <option value={t} key={t}>{t}</option>)}
          </select>
        </label>
        <button type="submit">Add a channel</button>
      </form>

      <h2>Rules</h2>
      {p.rules.length === 0
        ? <p class="muted">No rules: nothing is sent.</p>
        : (
          <Table head={["#", "Channels", "States", "Streams", "After", "Resolved", "Remind", ""]}>
            {p.rules.map((r, i) => (
              <tr>
                <td>{i + 1}</td>
                <td>{r.channels.join(", ")}</td>
                <td>{r.states.join(", ")}</td>
                <td>{r.filter}</td>
                <td class="num">{r.after} s</td>
                <td>{r.resolved ? "yes" : "no"}</td>
                <td class="num">{r.remind ? `${r.remind} min` : "never"}</td>
                <td class="actions">
                  <a class="button" href={`/alerts/rules/${i}/edit`}>Edit</a>
                  <PostButton
                    action={`/alerts/rules/${i}/delete`}
                    csrf={p.csrf}
                    version={p.version}
                    label="Delete"
                    danger
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}
      {names.length > 0 && <a class="button" href="/alerts/rules/new">Add a rule</a>}

      <h2>Maintenance windows</h2>
      {p.windows.length === 0
        ? <p class="muted">No maintenance windows.</p>
        : (
          <Table head={["Name", `When (${p.timeZone})`, "Streams", "Now", ""]}>
            {p.windows.map((w, i) => (
              <tr>
                <th scope="row">{w.name}</th>
                <td>{w.when}</td>
                <td>{w.filter}</td>
                <td>{w.active ? <strong class="in-force">in force now</strong> : "—"}</td>
                <td class="actions">
                  <a class="button" href={`/alerts/maintenance/${i}/edit`}>Edit</a>
                  <PostButton
                    action={`/alerts/maintenance/${i}/delete`}
                    csrf={p.csrf}
                    version={p.version}
                    label="Delete"
                    danger
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}
      <a class="button" href="/alerts/maintenance/new">Add a window</a>

      <h2>Mutes</h2>
      {p.mutes.length === 0
        ? <p class="muted">No stream is muted.</p>
        : (
          <Table head={["Stream", "Until", "Note", ""]}>
            {p.mutes.map((m) => (
              <tr>
                <th scope="row">
                  <a href={`/streams/${enc(m.stream)}`}>{m.stream}</a>
                </th>
                <td class="nowrap">{m.until}</td>
                <td class="msg">{m.note}</td>
                <td>
                  <PostButton
                    action={`/alerts/mutes/${enc(m.stream)}/unmute`}
                    csrf={p.csrf}
                    label="Unmute"
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}

      <h2>Outbox</h2>
      {!p.outbox ? <p class="muted">Not running.</p> : (
        <>
          <p class="counts">
            <span>
              <b>{p.outbox.pending}</b> pending
            </span>{" "}
            <span>
              <b>{p.outbox.failed}</b> failed (24 h)
            </span>{" "}
            <span>
              <b>{p.outbox.muted}</b> muted
            </span>
          </p>
          {Object.keys(p.outbox.channels).length > 0 && (
            <Table head={["Channel", "Pending", "Failed", "Last success", "Last error"]}>
              {Object.entries(p.outbox.channels).map(([name, c]) => (
                <tr>
                  <th scope="row">{name}</th>
                  <td class="num">{c.pending}</td>
                  <td class="num">{c.failed}</td>
                  <td class="nowrap">{c.last_ok_at ?? "never"}</td>
                  <td class="msg">{c.last_error ?? ""}</td>
                </tr>
              ))}
            </Table>
          )}
        </>
      )}

      <h2>Delivery log</h2>
      <form method="get" action="/alerts" class="toolbar">
        <label>
          Channel{" "}
          <select name="channel" value={p.channel ?? ""}>
            <option value="">all</option>
            {names.map((n) => <option value={n} key={n}>{n}</option>)}
          </select>
        </label>
        <button type="submit" class="secondary">Filter</button>
      </form>
      {p.deliveries.length === 0
        ? <p class="muted">Nothing sent yet.</p>
        : (
          <Table head={["Time", "Channel", "Stream", "Event", "Result", "Status", "Answer"]}>
            {p.deliveries.map((d) => (
              <tr>
                <td class="nowrap">{d.time}</td>
                <td>{d.channel}</td>
                <td>{d.stream}</td>
                <td>{d.event}</td>
                <td class={d.ok ? "result-ok" : "result-failed"}>{d.ok ? "ok" : "failed"}</td>
                <td class="num">{d.status ?? ""}</td>
                <td class="msg">{d.answer}</td>
              </tr>
            ))}
          </Table>
        )}
    </section>
  );
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
