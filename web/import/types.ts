/** What every import parser returns: the cameras found, with warnings and per-entry problems. */

/** One camera found in pasted or uploaded text, before it is checked against config.yaml. */
export interface ImportCamera {
  name: string;
  /** The URL as written (it may hold credentials: never render it unmasked). */
  url: string;
  tags: string[];
  /** Where it came from: "line 3", "cameras.front_door", "streams.garage". */
  source: string;
  /** Things worth a look that do not stop the import (env placeholders, skipped sources). */
  warnings: string[];
  /** Why it cannot be imported as is (no URL, no usable source); undefined when it can. */
  invalid?: string;
}

/** A parser's whole answer. */
export interface ParseResult {
  cameras: ImportCamera[];
  /** Problems of the input as a whole (not YAML, no `cameras:` key, …). */
  problems: string[];
}

/** The formats the import form offers. */
export const IMPORT_FORMATS = ["auto", "lines", "csv", "frigate", "go2rtc"] as const;

/** One of {@link IMPORT_FORMATS}. */
export type ImportFormat = typeof IMPORT_FORMATS[number];

/** Most cameras one import may hold. */
export const MAX_CAMERAS = 5000;

/** Largest input accepted, in bytes. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** Longest camera name kept (the editor's limit). */
export const MAX_NAME = 200;
