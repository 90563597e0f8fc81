/** The browser entry: hydrates every server-rendered `[data-island]` with its JSON props. */

import { type FunctionComponent, h, hydrate, render } from "preact";
import { CameraGrid } from "./CameraGrid.tsx";
import { FormAssist } from "./FormAssist.tsx";
import { LiveBadge } from "./LiveBadge.tsx";
import { LiveTable } from "./LiveTable.tsx";
import { Preview } from "./Preview.tsx";
import { liveState, whenSynced } from "./signals.ts";
import { StreamChart } from "./StreamChart.tsx";
import { StreamState } from "./StreamState.tsx";
import { ZoneButton } from "./ZoneButton.tsx";

// deno-lint-ignore no-explicit-any
const islands: Record<string, FunctionComponent<any>> = {
  CameraGrid,
  FormAssist,
  LiveBadge,
  LiveTable,
  Preview,
  StreamChart,
  StreamState,
  ZoneButton,
};

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const component = islands[el.dataset.island ?? ""];
  if (!component) continue;
  const props = JSON.parse(el.dataset.props ?? "{}");
  if (el.dataset.live === undefined) {
    hydrate(h(component, props), el);
    continue;
  }
  // A live island's server HTML stays until the event stream's first snapshot; then the island
  // renders from the shared state (its props carry no rows). render() over existing DOM reuses
  // the server's nodes and corrects their attributes and text, unlike hydrate(), which trusts
  // them — so whatever changed between the page and the snapshot is fixed.
  whenSynced(liveState([], props.now ?? Date.now(), "/events")).then(() =>
    render(h(component, props), el)
  );
}
