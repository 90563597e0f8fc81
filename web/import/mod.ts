/** The public face of web/import/: bulk-import parsers, the preview's plan, the batch store. */

export { csvRecords, parseCsv } from "./csv.ts";
export { detectFormat, parseImport } from "./detect.ts";
export { parseFrigate, pickFrigateInput } from "./frigate.ts";
export { go2rtcSource, parseGo2rtc } from "./go2rtc.ts";
export { parseLines } from "./lines.ts";
export { importEdit, planImport } from "./plan.ts";
export type { ImportPlan, ImportStatus, PlannedCamera } from "./plan.ts";
export { createImportStore } from "./store.ts";
export type { ImportBatch, ImportStore, ImportStoreOptions } from "./store.ts";
export { IMPORT_FORMATS, MAX_CAMERAS, MAX_INPUT_BYTES } from "./types.ts";
export type { ImportCamera, ImportFormat, ParseResult } from "./types.ts";
export { nameFromUrl, splitTags } from "./util.ts";
