/** The public face of monitor/status/: what code outside the folder may import. */

export { createAvailability } from "./availability.ts";
export type {
  AvailabilityDeps,
  AvailabilitySource,
  AvailabilityStore,
  AvailabilityStream,
} from "./availability.ts";
export type { SlaFigures } from "./sla.ts";
export { createSlaReporter } from "./sla_report.ts";
export type { SlaReporter } from "./sla_report.ts";
export { combineMedia, nextState } from "./state.ts";
export type { MediaVerdict } from "./state.ts";
export { createStatusView, historyEntry, streamEntry, streamMessage } from "./view.ts";
export type { PictureFreshness, StatusEntry, StatusView, UptimeCache } from "./view.ts";
