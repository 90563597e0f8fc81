/** Stream page parts: the evidence pair (last good vs failing frame), why a camera is down, health. */

import { formatRatio } from "../../islands/mod.ts";

/** One stored frame: its URL (versioned by its time) and when it was taken, in the zone. */
export interface Frame {
  src: string;
  time: string;
}

/** The last good frame beside the failing one, each labelled good / bad with its time. */
export function Evidence(p: { last?: Frame; failure?: Frame; name: string }) {
  if (!p.last && !p.failure) {
    return <p class="muted">No stored frames yet (they come from the media checks).</p>;
  }
  const tile = (f: Frame | undefined, good: boolean) => (
    <figure class={`stream-frame ${good ? "stream-frame-good" : "stream-frame-bad"}`}>
      {f
        ? (
          <img
            src={f.src}
            width={320}
            height={180}
            loading="lazy"
            alt={`${good ? "Last good" : "Failing"} frame of ${p.name} at ${f.time}`}
          />
        )
        : <div class="stream-frame-none">{good ? "No good frame yet" : "No failing frame"}</div>}
      <figcaption>
        <span class={`stream-tag ${good ? "stream-tag-good" : "stream-tag-bad"}`}>
          {good ? "✓ Good" : "✗ Bad"}
        </span>{" "}
        {good ? "Last good frame" : "Failing frame"}
        {f && (
          <>
            {" · "}
            <time>{f.time}</time>
          </>
        )}
      </figcaption>
    </figure>
  );
  return (
    <div class="stream-evidence">
      {tile(p.last, true)}
      {tile(p.failure, false)}
    </div>
  );
}

/** A down camera: the cause, since when, and the last good check, where the chart would be. */
export function WhyDown(
  p: { cause: string; since: string; held: string; lastGood: string | null },
) {
  return (
    <div class="stream-why" role="note">
      <p class="stream-why-cause">
        <strong>Down for {p.held}</strong> — {p.cause}
      </p>
      <dl class="facts">
        <dt>Down since</dt>
        <dd>{p.since}</dd>
        <dt>Last good check</dt>
        <dd>{p.lastGood ?? "never (no check has passed in the kept history)"}</dd>
      </dl>
    </div>
  );
}

/** Availability (reachable, time-weighted) and picture health (picture OK), apart, per window. */
export function Health(
  p: {
    up: Array<number | null>;
    pic: Array<number | null | undefined>;
    paused: boolean;
  },
) {
  const cell = (
    v: number | null | undefined,
  ) => (p.paused && v == null ? "paused" : formatRatio(v));
  return (
    <table class="stream-health">
      <caption class="stream-sr">Availability and picture health</caption>
      <thead>
        <tr>
          <td></td>
          <th scope="col" class="num">24 h</th>
          <th scope="col" class="num">7 d</th>
          <th scope="col" class="num">30 d</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">
            Availability <span class="muted">(reachable)</span>
          </th>
          {p.up.map((v, i) => <td class="num" key={i}>{cell(v)}</td>)}
        </tr>
        <tr>
          <th scope="row">
            Picture health <span class="muted">(picture OK)</span>
          </th>
          {p.pic.map((v, i) => <td class="num" key={i}>{cell(v)}</td>)}
        </tr>
      </tbody>
    </table>
  );
}
