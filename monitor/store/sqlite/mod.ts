/** The public face of monitor/store/sqlite/: what code outside the folder may import. */

export type { ExportRow, RollupRow } from "./reports.ts";
export { openStore } from "./store.ts";
export type { PruneOptions, PruneResult } from "./store.ts";
