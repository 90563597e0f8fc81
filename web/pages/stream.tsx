/** The stream page: live state, chart and timeline, preview, incidents, last checks, media. */

import {
  Badge,
  formatDuration,
  formatLatency,
  LiveBadge,
  Preview,
  type Row,
  StreamChart,
} from "../../islands/mod.ts";
import { Csrf, Island } from "./layout.tsx";

/** Everything the stream page shows (all untrusted text is rendered as text). */
export interface StreamPageProps {
  row: Row;
  now: number;
  csrf: string;
  /** The URL with credentials masked. */
  maskedUrl: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Incidents as the status API returns them (monitor/store's incidentEntry()), with id and ack. */
  incidents: Array<
    {
      id: number;
      state: "down" | "degraded";
      start: string;
      end: string | null;
      duration_seconds: number;
      cause: string;
      /** The acknowledgement: when (formatted) and its note. */
      ack: { time: string; note: string } | null;
    }
  >;
  /** Alerting's state of this stream (absent: alerting does not run, no controls). */
  alerts?: {
    /** "until <time>" or "until unmuted" while muted. */
    mutedUntil?: string;
    /** The maintenance window in force now, by name. */
    maintenance?: string;
  };
  checks: Array<
    { time: string; ok: boolean; state: Row["state"]; latencyMs: number | null; message: string }
  >;
  /** The last check's details, flattened to key → text. */
  details: Array<[string, string]>;
}

/** The mute buttons: the `for` value each sends, and its label. */
const MUTE_SPANS: Array<[string, string]> = [
  ["60", "Mute for 1 h"],
  ["480", "Mute for 8 h"],
  ["1440", "Mute for 24 h"],
  ["forever", "Mute until unmuted"],
];

/** Acknowledges an open incident with a note: its reminders stop, the note goes into messages. */
function AckForm({ action, csrf, again }: { action: string; csrf: string; again: boolean }) {
  return (
    <form method="post" action={action} class="ack">
      <Csrf token={csrf} />
      <input name="note" maxLength={1000} placeholder="Note (optional)" aria-label="Note" />
      <button type="submit" class="secondary">{again ? "Update note" : "Acknowledge"}</button>
    </form>
  );
}

/** Mute state, maintenance state and the mute form. */
function AlertControls(
  p: { base: string; csrf: string; mutedUntil?: string; maintenance?: string },
) {
  return (
    <>
      <h2>Alerts</h2>
      {p.maintenance && (
        <p class="note" role="status">In maintenance window “{p.maintenance}”: no alerts.</p>
      )}
      {p.mutedUntil
        ? (
          <form method="post" action={`${p.base}/mute`} class="inline">
            <Csrf token={p.csrf} />
            <input type="hidden" name="for" value="unmute" />
            <span class="muted-state">Muted {p.mutedUntil}.</span>{" "}
            <button type="submit" class="secondary">Unmute</button>
          </form>
        )
        : <p class="muted">Not muted.</p>}
      <form method="post" action={`${p.base}/mute`} class="mute">
        <Csrf token={p.csrf} />
        <input name="note" maxLength={1000} placeholder="Why (optional)" aria-label="Mute note" />
        {MUTE_SPANS
          .map(([v, label]) => (
            <button type="submit" name="for" value={v} class="secondary" key={v}>{label}</button>
          ))}
      </form>
    </>
  );
}

/** Renders the stream page body. */
export function StreamPage(p: StreamPageProps) {
  const base = `/streams/${encodeURIComponent(p.row.name)}`;
  return (
    <section>
      <div class="heading">
        <h1>{p.row.name}</h1>
        <div class="actions">
          <a class="button" href={`${base}/edit`}>Edit</a>
          <form method="post" action={`${base}/toggle`} class="inline">
            <Csrf token={p.csrf} />
            <input type="hidden" name="enabled" value={p.row.enabled ? "false" : "true"} />
            <button type="submit" class="secondary">{p.row.enabled ? "Disable" : "Enable"}</button>
          </form>
          <a class="button danger" href={`${base}/delete`}>Delete</a>
        </div>
      </div>
      <Island name="LiveBadge" component={LiveBadge} props={{ row: p.row, now: p.now }} />
      <dl class="facts">
        <dt>URL</dt>
        <dd>
          <code>{p.maskedUrl}</code>
        </dd>
        <dt>Probe</dt>
        <dd>{p.row.kind || "auto"}</dd>
        <dt>Every</dt>
        <dd>{p.intervalSeconds} s (timeout {p.timeoutSeconds} s)</dd>
        {p.row.tags.length > 0 && <dt>Tags</dt>}
        {p.row.tags.length > 0 && <dd>{p.row.tags.join(", ")}</dd>}
      </dl>
      <h2>History</h2>
      <Island
        name="StreamChart"
        component={StreamChart}
        props={{ name: p.row.name, range: "24h" }}
      />
      <h2>Live preview</h2>
      <Island name="Preview" component={Preview} props={{ name: p.row.name }} />
      <h2>Media details</h2>
      {p.details.length === 0
        ? <p class="muted">No details from the last check.</p>
        : (
          <dl class="facts">
            {p.details.map(([k, v]) => [<dt key={`t${k}`}>{k}</dt>, <dd key={`d${k}`}>{v}</dd>])}
          </dl>
        )}
      {p.alerts && <AlertControls base={base} csrf={p.csrf} {...p.alerts} />}
      <h2 id="incidents">Incidents (30 days)</h2>
      {p.incidents.length === 0 ? <p class="muted">No incidents.</p> : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Duration</th>
                <th scope="col">Cause</th>
                <th scope="col">Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {p.incidents.map((i) => (
                <tr>
                  <td>
                    <Badge state={i.state} />
                  </td>
                  <td class="nowrap">{i.start}</td>
                  <td class="nowrap">{i.end ?? "ongoing"}</td>
                  <td>{formatDuration(i.duration_seconds * 1000)}</td>
                  <td class="msg">{i.cause}</td>
                  <td class="msg">
                    {i.ack && (
                      <>
                        <span class="nowrap">{i.ack.time}</span>
                        {i.ack.note && <span class="ack-note">{i.ack.note}</span>}
                      </>
                    )}
                    {i.end === null && p.alerts && (
                      <AckForm
                        action={`${base}/incidents/${i.id}/ack`}
                        csrf={p.csrf}
                        again={!!i.ack}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Last {p.checks.length} checks</h2>
      {p.checks.length === 0 ? <p class="muted">Not checked yet.</p> : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Result</th>
                <th scope="col">State</th>
                <th scope="col" class="num">Latency</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {p.checks.map((c) => (
                <tr>
                  <td class="nowrap">{c.time}</td>
                  <td>{c.ok ? "passed" : "failed"}</td>
                  <td>
                    <Badge state={c.state} />
                  </td>
                  <td class="num">{formatLatency(c.latencyMs)}</td>
                  <td class="msg">{c.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
