/** Stream page parts: incidents (causes, acknowledgements, the ack form) and the last checks. */

import { Badge, formatDuration, formatLatency, type Row } from "../../islands/mod.ts";
import { Csrf } from "./layout.tsx";

/** An incident as the stream page shows it (times already in the configured zone). */
export interface IncidentLine {
  id: number;
  state: "down" | "degraded";
  start: string;
  end: string | null;
  duration_seconds: number;
  cause: string;
  /** The acknowledgement: when (formatted) and its note. */
  ack: { time: string; note: string } | null;
}

/** A check as the stream page shows it (time already in the configured zone). */
export interface CheckLine {
  time: string;
  ok: boolean;
  state: Row["state"];
  latencyMs: number | null;
  message: string;
}

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

/** The incidents table; on a phone each row stacks (labels from `data-label`). */
export function IncidentTable(
  p: { incidents: IncidentLine[]; base: string; csrf: string; canAck: boolean },
) {
  if (p.incidents.length === 0) return <p class="muted">No incidents.</p>;
  return (
    <table class="stream-stack">
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
          <tr key={i.id}>
            <td data-label="State">
              <Badge state={i.state} />
            </td>
            <td data-label="From" class="nowrap">{i.start}</td>
            <td data-label="To" class="nowrap">{i.end ?? "ongoing"}</td>
            <td data-label="Duration">{formatDuration(i.duration_seconds * 1000)}</td>
            <td data-label="Cause" class="msg">{i.cause}</td>
            <td data-label="Acknowledged" class="msg">
              {i.ack && (
                <>
                  <span class="nowrap">{i.ack.time}</span>
                  {i.ack.note && <span class="ack-note">{i.ack.note}</span>}
                </>
              )}
              {!i.ack && (i.end !== null || !p.canAck) && <span class="muted">no</span>}
              {i.end === null && p.canAck && (
                <AckForm
                  action={`${p.base}/incidents/${i.id}/ack`}
                  csrf={p.csrf}
                  again={!!i.ack}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The last checks; on a phone each row stacks and the message wraps. */
export function CheckTable({ checks }: { checks: CheckLine[] }) {
  if (checks.length === 0) return <p class="muted">Not checked yet.</p>;
  return (
    <table class="stream-stack">
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
        {checks.map((c, k) => (
          <tr key={k}>
            <td data-label="Time" class="nowrap">{c.time}</td>
            <td data-label="Result">{c.ok ? "passed" : "failed"}</td>
            <td data-label="State">
              <Badge state={c.state} />
            </td>
            <td data-label="Latency" class="num">{formatLatency(c.latencyMs)}</td>
            <td data-label="Message" class="msg">{c.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
