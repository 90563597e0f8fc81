/** A state badge: colour plus text (and a shape from the CSS), so it reads without colour too. */

import type { State } from "./types.ts";

const LABEL: Record<State, string> = {
  up: "Up",
  degraded: "Degraded",
  down: "Down",
  unknown: "Unknown",
};

/** Renders the badge of `state`. */
export function Badge({ state }: { state: State }) {
  return <span class={`badge badge-${state}`} data-state={state}>{LABEL[state]}</span>;
}
