/** The stream page: state in words, summary, evidence, state band and chart, health, incidents. */

import { Preview, type Row, StreamChart, StreamState } from "../../islands/mod.ts";
import type { DetailRow } from "../stream_summary.ts";
import { Csrf, Island } from "./layout.tsx";
import { Evidence, type Frame, Health, WhyDown } from "./stream_evidence.tsx";
import { type CheckLine, CheckTable, type IncidentLine, IncidentTable } from "./stream_tables.tsx";
import { type BandSegment, StateBand } from "./stream_timeline.tsx";

/** Everything the stream page shows (all untrusted text is rendered as text). */
export interface StreamPageProps {
  row: Row;
  now: number;
  csrf: string;
  /** The configured time zone: every time on the page is in it. */
  timeZone: string;
  /** The URL with credentials masked. */
  maskedUrl: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** "H.264 1920×1080 · 25 fps · 4.1 Mbit/s · keyframe every 2 s · TCP", or "". */
  summary: string;
  /** The chart's and band's range ("1h", "24h", "7d", "30d") and how it reads ("24 h"). */
  range: string;
  rangeLabel: string;
  band: { segments: BandSegment[]; from: number; to: number };
  /** The stored frames: last good and failing. */
  evidence: { last?: Frame; failure?: Frame };
  /** For a down stream: since when (formatted), how long, and the last passed check (or null). */
  down?: { since: string; held: string; lastGood: string | null };
  incidents: IncidentLine[];
  /** Alerting's state of this stream (absent: alerting does not run, no controls). */
  alerts?: {
    /** "until <time>" or "until unmuted" while muted. */
    mutedUntil?: string;
    /** The maintenance window in force now, by name. */
    maintenance?: string;
  };
  checks: CheckLine[];
  /** The last check's details, readable (web/stream_summary.ts detailRows()). */
  details: DetailRow[];
}

/** The mute buttons: the `for` value each sends, and its label. */
const MUTE_SPANS: Array<[string, string]> = [
  ["60", "Mute for 1 h"],
  ["480", "Mute for 8 h"],
  ["1440", "Mute for 24 h"],
  ["forever", "Mute until unmuted"],
];

const RANGES: Array<[string, string]> = [["1h", "1 h"], ["24h", "24 h"], ["7d", "7 d"], [
  "30d",
  "30 d",
]];

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
        {MUTE_SPANS.map(([v, label]) => (
          <button type="submit" name="for" value={v} class="secondary" key={v}>{label}</button>
        ))}
      </form>
    </>
  );
}

/** The raw details behind a disclosure: readable labels, lists as lists. */
function RawDetails({ rows }: { rows: DetailRow[] }) {
  return (
    <details class="stream-raw">
      <summary>Raw details of the last check ({rows.length})</summary>
      {rows.length === 0 ? <p class="muted">No details from the last check.</p> : (
        <dl class="facts">
          {rows.map((r) => [
            <dt key={`t${r.key}`} title={r.key}>{r.label}</dt>,
            <dd key={`d${r.key}`}>
              {typeof r.value === "string" ? r.value : (
                <ul class="stream-list">
                  {r.value.map((v, k) => <li key={k}>{v}</li>)}
                </ul>
              )}
            </dd>,
          ])}
        </dl>
      )}
    </details>
  );
}

/** Renders the stream page body. */
export function StreamPage(p: StreamPageProps) {
  const base = `/streams/${encodeURIComponent(p.row.name)}`;
  const r = p.row;
  return (
    <section class="stream-page">
      <div class="heading">
        <h1>{r.name}</h1>
        <div class="actions">
          <a class="button" href={`${base}/edit`}>Edit</a>
          <form method="post" action={`${base}/toggle`} class="inline">
            <Csrf token={p.csrf} />
            <input type="hidden" name="enabled" value={r.enabled ? "false" : "true"} />
            <button type="submit" class="secondary">{r.enabled ? "Disable" : "Enable"}</button>
          </form>
          <a class="button danger" href={`${base}/delete`}>Delete</a>
        </div>
      </div>
      <Island name="StreamState" component={StreamState} props={{ row: r, now: p.now }} />
      {p.summary && <p class="stream-summary">{p.summary}</p>}
      <dl class="facts">
        <dt>URL</dt>
        <dd>
          <code>{p.maskedUrl}</code>
        </dd>
        <dt>Probe</dt>
        <dd>{r.kind || "auto"}</dd>
        <dt>Every</dt>
        <dd>{p.intervalSeconds} s (timeout {p.timeoutSeconds} s)</dd>
        {r.tags.length > 0 && <dt>Tags</dt>}
        {r.tags.length > 0 && <dd>{r.tags.join(", ")}</dd>}
        <dt>Times in</dt>
        <dd>{p.timeZone}</dd>
      </dl>
      {p.down && <WhyDown cause={r.message} {...p.down} />}
      <h2>Evidence</h2>
      <Evidence name={r.name} {...p.evidence} />
      <h2 id="history">History</h2>
      <nav class="stream-ranges" aria-label="Range">
        {RANGES.map(([v, label]) => (
          <a
            key={v}
            href={`${base}?range=${v}#history`}
            aria-current={v === p.range ? "true" : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      <StateBand {...p.band} timeZone={p.timeZone} rangeLabel={p.rangeLabel} />
      {!p.down && (
        <Island
          name="StreamChart"
          component={StreamChart}
          props={{ name: r.name, range: p.range }}
        />
      )}
      <Health
        up={[r.up24h, r.up7d, r.up30d]}
        pic={[r.pic24h, r.pic7d, r.pic30d]}
        paused={!r.enabled}
      />
      <h2>Live preview</h2>
      <Island name="Preview" component={Preview} props={{ name: r.name }} />
      {p.alerts && <AlertControls base={base} csrf={p.csrf} {...p.alerts} />}
      <h2 id="incidents">Incidents (30 days)</h2>
      <IncidentTable incidents={p.incidents} base={base} csrf={p.csrf} canAck={!!p.alerts} />
      <h2>Last {p.checks.length} checks</h2>
      <CheckTable checks={p.checks} />
      <h2>Details</h2>
      <RawDetails rows={p.details} />
    </section>
  );
}
