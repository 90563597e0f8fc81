/** The public status page (/status, no sign-in): chosen groups, each stream's state and uptime. */

import type { BadgeState } from "../badges.ts";

/** One stream as the public may see it: name, state, availability; no URL, tag or cause. */
export interface PublicStream {
  name: string;
  state: BadgeState;
  up24h: number | null;
  up30d: number | null;
}

/** One group of {@link PublicStatusPage}. */
export interface PublicGroupView {
  name: string;
  slug: string;
  state: BadgeState;
  streams: PublicStream[];
}

const pct = (r: number | null) =>
  r === null ? "–" : `${(Math.floor(r * 10_000) / 100).toFixed(2)} %`;

/** Renders every public group with a badge of its state and a table of its streams. */
export function PublicStatusPage(
  { groups, updated }: { groups: PublicGroupView[]; updated: string },
) {
  return (
    <section class="pub-status">
      <h1>Status</h1>
      <p class="muted">Updated {updated}. Availability is the share of time each stream was up.</p>
      {groups.map((g) => (
        <section class="pub-group" key={g.slug} aria-labelledby={`g-${g.slug}`}>
          <h2 id={`g-${g.slug}`}>
            {g.name} <span class={`pub-state pub-${g.state}`}>{g.state}</span>
          </h2>
          {g.streams.length === 0
            ? <p class="muted">No streams in this group.</p>
            : (
              <table class="pub-table">
                <thead>
                  <tr>
                    <th scope="col">Stream</th>
                    <th scope="col">State</th>
                    <th scope="col">24 h</th>
                    <th scope="col">30 days</th>
                  </tr>
                </thead>
                <tbody>
                  {g.streams.map((s) => (
                    <tr key={s.name}>
                      <th scope="row">{s.name}</th>
                      <td>
                        <span class={`pub-state pub-${s.state}`}>{s.state}</span>
                      </td>
                      <td>{pct(s.up24h)}</td>
                      <td>{pct(s.up30d)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
      ))}
    </section>
  );
}
