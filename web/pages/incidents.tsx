/** The global incident log: every stream's incidents by time, with filters, ack and CSV. */

import { Badge, formatDuration } from "../../islands/mod.ts";
import { Csrf } from "./layout.tsx";

/** One incident as the log shows it (times already in the configured zone). */
export interface IncidentLogRow {
  id: number;
  stream: string;
  /** False for a stream no longer in config.yaml (no link: its page is gone). */
  configured: boolean;
  state: "down" | "degraded";
  start: string;
  /** Null while it lasts. */
  end: string | null;
  durationMs: number;
  cause: string;
  endCause: string | null;
  ack: { time: string; note: string } | null;
}

/** The filter form's current values (as typed; empty for none). */
export interface IncidentLogForm {
  range: string;
  state: string;
  stream: string;
  tag: string;
  site: string;
  open: boolean;
  /** datetime-local values in the configured zone (empty when not given). */
  from: string;
  to: string;
}

/** Props of {@link IncidentsPage}. */
export interface IncidentsPageProps {
  rows: IncidentLogRow[];
  form: IncidentLogForm;
  /** Choices of the selects. */
  streams: string[];
  tags: string[];
  sites: string[];
  ranges: string[];
  timezone: string;
  csrf: string;
  /** 1-based page; `older`/`newer` are hrefs or undefined. */
  page: number;
  older?: string;
  newer?: string;
  /** `/incidents.csv?…` and `/api/incidents?…` of the same filter. */
  csvHref: string;
  apiHref: string;
  /** This page's own path and query, where an ack comes back to. */
  back: string;
  /** False without alerting (no ack forms). */
  canAck: boolean;
  /** A filter value that was refused, in words. */
  error?: string;
}

const RANGE_LABEL: Record<string, string> = {
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
};

/** `2025-11-01T12:00:20+01:00` → `2025-11-01 12:00:20` (the zone is named above the table). */
const local = (t: string) => t.slice(0, 19).replace("T", " ");

function Select(
  p: { name: string; label: string; value: string; all: string; options: string[] },
) {
  return (
    <label>
      {p.label}
      <select name={p.name}>
        <option value="">{p.all}</option>
        {p.options.map((o) => <option key={o} value={o} selected={o === p.value}>{o}</option>)}
      </select>
    </label>
  );
}

/** The GET filter form: works without JavaScript, every choice lands in the URL. */
function Filters(p: IncidentsPageProps) {
  const f = p.form;
  return (
    <form method="get" action="/incidents" class="incidents-filters" aria-label="Filter incidents">
      <label>
        Time
        <select name="range">
          {p.ranges.map((r) => (
            <option key={r} value={r} selected={r === f.range}>{RANGE_LABEL[r] ?? r}</option>
          ))}
        </select>
      </label>
      <label>
        From
        <input type="datetime-local" name="from" value={f.from} />
      </label>
      <label>
        To
        <input type="datetime-local" name="to" value={f.to} />
      </label>
      <Select
        name="state"
        label="State"
        value={f.state}
        all="Down or degraded"
        options={["down", "degraded"]}
      />
      <Select name="stream" label="Stream" value={f.stream} all="All streams" options={p.streams} />
      {p.tags.length > 0 && (
        <Select name="tag" label="Tag" value={f.tag} all="All tags" options={p.tags} />
      )}
      {p.sites.length > 0 && (
        <Select name="site" label="Site" value={f.site} all="All sites" options={p.sites} />
      )}
      <label class="check">
        <input type="checkbox" name="open" value="1" checked={f.open} /> Open only
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}

function AckCell({ row, p }: { row: IncidentLogRow; p: IncidentsPageProps }) {
  return (
    <>
      {row.ack && (
        <>
          <span class="nowrap">{local(row.ack.time)}</span>
          {row.ack.note && <span class="ack-note">{row.ack.note}</span>}
        </>
      )}
      {p.canAck && (
        <form method="post" action={`/incidents/${row.id}/ack`} class="ack">
          <Csrf token={p.csrf} />
          <input type="hidden" name="back" value={p.back} />
          <input
            name="note"
            maxLength={1000}
            placeholder="Note (optional)"
            aria-label={`Note for the incident of ${row.stream} at ${local(row.start)}`}
          />
          <button type="submit" class="secondary">{row.ack ? "Update note" : "Acknowledge"}</button>
        </form>
      )}
    </>
  );
}

function Row({ row, p }: { row: IncidentLogRow; p: IncidentsPageProps }) {
  const href = `/streams/${encodeURIComponent(row.stream)}`;
  return (
    <tr id={`incident-${row.id}`} class={row.end === null ? "incidents-open" : undefined}>
      <th scope="row" class="incidents-stream">
        {row.configured ? <a href={href}>{row.stream}</a> : row.stream}
      </th>
      <td>
        <Badge state={row.state} />
      </td>
      <td class="nowrap" data-label="Start">{local(row.start)}</td>
      <td class="nowrap" data-label="End">
        {row.end === null ? <strong>ongoing</strong> : local(row.end)}
        <span class="incidents-duration">{formatDuration(row.durationMs)}</span>
      </td>
      <td class="incidents-cause" data-label="Cause">
        {row.cause}
        {row.endCause && <span class="incidents-end-cause">Ended: {row.endCause}</span>}
      </td>
      <td class="incidents-ack" data-label="Acknowledged">
        <AckCell row={row} p={p} />
      </td>
    </tr>
  );
}

/** The incident log body. */
export function IncidentsPage(p: IncidentsPageProps) {
  return (
    <section>
      <div class="heading">
        <h1>Incidents</h1>
        <a class="button" href={p.csvHref}>Download CSV</a>
      </div>
      <Filters {...p} />
      {p.error && <p class="alert" role="alert">{p.error}</p>}
      <p class="muted">
        Times in {p.timezone}{" "}
        (From and To too; they win over Time). Newest first{p.page > 1 ? `, page ${p.page}` : ""}.
        Also as <a href={p.apiHref}>JSON</a>.
      </p>
      {p.rows.length === 0
        ? <p class="empty">No incidents match these filters.</p>
        : (
          <div class="scroll">
            <table class="incidents-table">
              <caption class="sr">Incidents, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Stream</th>
                  <th scope="col">State</th>
                  <th scope="col">Start</th>
                  <th scope="col">End / duration</th>
                  <th scope="col">Cause</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>{p.rows.map((row) => <Row key={row.id} row={row} p={p} />)}</tbody>
            </table>
          </div>
        )}
      {(p.older || p.newer) && (
        <nav class="incidents-pages" aria-label="Pages">
          {p.newer && <a href={p.newer}>← Newer</a>}
          {p.older && <a href={p.older}>Older →</a>}
        </nav>
      )}
    </section>
  );
}
