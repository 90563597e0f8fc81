/** The browser entry: hydrates every server-rendered `[data-island]` with its JSON props. */

import { type FunctionComponent, h, hydrate, render } from "preact";
import { liveState, whenSynced } from "./signals.ts";

// deno-lint-ignore no-explicit-any
type Island = FunctionComponent<any>;

// Each island is its own chunk, loaded only by pages that have it: the dashboard does not ship
// the chart, the preview's MSE player or the grid (the bundle is built with code splitting).
const islands: Record<string, () => Promise<Island>> = {
  CameraGrid: () => import("./CameraGrid.tsx").then((m) => m.CameraGrid),
  FormAssist: () => import("./FormAssist.tsx").then((m) => m.FormAssist),
  LiveBadge: () => import("./LiveBadge.tsx").then((m) => m.LiveBadge),
  LiveTable: () => import("./LiveTable.tsx").then((m) => m.LiveTable),
  Preview: () => import("./Preview.tsx").then((m) => m.Preview),
  StreamChart: () => import("./StreamChart.tsx").then((m) => m.StreamChart),
  StreamState: () => import("./StreamState.tsx").then((m) => m.StreamState),
  ZoneButton: () => import("./ZoneButton.tsx").then((m) => m.ZoneButton),
};

/** Hydrates (or, for a live island, renders after the first snapshot) one island element. */
function mount(el: HTMLElement, component: Island): void {
  const props = JSON.parse(el.dataset.props ?? "{}");
  if (el.dataset.live === undefined) {
    hydrate(h(component, props), el);
    return;
  }
  // A live island's server HTML stays until the event stream's first snapshot; then the island
  // renders from the shared state (its props carry no rows). render() over existing DOM reuses
  // the server's nodes and corrects their attributes and text, unlike hydrate(), which trusts
  // them — so whatever changed between the page and the snapshot is fixed.
  whenSynced(liveState([], props.now ?? Date.now(), "/events")).then(() =>
    render(h(component, props), el)
  );
}

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const load = islands[el.dataset.island ?? ""];
  if (load) load().then((component) => mount(el, component));
}
