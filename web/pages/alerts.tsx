/**
 * The Alerts page: channels, rules, maintenance windows, mutes, outbox health and the delivery
 * log (the forms are in alerts_forms.tsx). Secrets never reach it: a stored one shows as "set".
 */

import type { ComponentChildren } from "preact";
import { CHANNEL_TYPE_NAMES } from "../alerts_form.ts";
import type { PublicChannel } from "../alerts_view.ts";
import { Csrf, SaveNotices } from "./layout.tsx";

/** A notice above a page: a save or a test's result. */
export interface Notice {
  ok: boolean;
  text: string;
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

/** A notice line (green for ok, red otherwise), or nothing. */
export function NoticeLine({ notice }: { notice?: Notice }) {
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

/** A row's actions: Edit (`<base>/edit`), the extra buttons, and Delete (POST `<base>/delete`). */
function RowActions(
  p: { base: string; csrf: string; version: string; children?: ComponentChildren },
) {
  return (
    <td class="actions">
      <a class="button" href={`${p.base}/edit`}>Edit</a>
      {p.children}
      <PostButton
        action={`${p.base}/delete`}
        csrf={p.csrf}
        version={p.version}
        label="Delete"
        danger
      />
    </td>
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
                <RowActions
                  base={`/alerts/channels/${enc(c.name)}`}
                  csrf={p.csrf}
                  version={p.version}
                >
                  <PostButton
                    action={`/alerts/channels/${enc(c.name)}/test`}
                    csrf={p.csrf}
                    label="Send test"
                  />
                </RowActions>
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
                <RowActions base={`/alerts/rules/${i}`} csrf={p.csrf} version={p.version} />
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
                <RowActions base={`/alerts/maintenance/${i}`} csrf={p.csrf} version={p.version} />
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
