/** Picks the parser for pasted or uploaded text: the chosen format, or a guess from the text. */

import { parseCsv } from "./csv.ts";
import { parseFrigate } from "./frigate.ts";
import { parseGo2rtc } from "./go2rtc.ts";
import { parseLines } from "./lines.ts";
import { type ImportFormat, MAX_INPUT_BYTES, type ParseResult } from "./types.ts";

/**
 * Guesses the format of `text` without parsing it all: a top-level `cameras:` key is Frigate,
 * a top-level `streams:` key go2rtc, a first line naming a `url` column CSV, else lines.
 */
export function detectFormat(text: string): Exclude<ImportFormat, "auto"> {
  const head = text.slice(0, 64 * 1024);
  if (/^cameras:[ \t]*(#.*)?$/m.test(head)) return "frigate";
  if (/^streams:[ \t]*(#.*)?$/m.test(head)) return "go2rtc";
  const first = head.replace(/^\uFEFF/, "").split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  if (/(^|[,;\t])\s*"?url"?\s*([,;\t]|$)/i.test(first)) return "csv";
  return "lines";
}

/** Parses `text` as `format` ("auto": {@link detectFormat}); refuses input over 1 MiB. */
export function parseImport(
  text: string,
  format: ImportFormat = "auto",
): ParseResult & { format: Exclude<ImportFormat, "auto"> } {
  const used = format === "auto" ? detectFormat(text) : format;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_INPUT_BYTES) {
    return {
      format: used,
      cameras: [],
      problems: [`The input is ${bytes} bytes; at most ${MAX_INPUT_BYTES} (1 MiB) are accepted`],
    };
  }
  const parse = { lines: parseLines, csv: parseCsv, frigate: parseFrigate, go2rtc: parseGo2rtc };
  return { format: used, ...parse[used](text) };
}
