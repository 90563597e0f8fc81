/** Parses CSV with a header row (`name,url,tags`, any order): quoted fields, `""`, CRLF. */

import { cleanName, nameFromUrl, splitTags } from "./util.ts";
import { type ImportCamera, MAX_CAMERAS, type ParseResult } from "./types.ts";

/**
 * Splits CSV text into records of fields (RFC 4180: fields in double quotes may hold commas,
 * line breaks and `""` for a quote). One linear pass, no regex over the input. Also accepts `;`
 * or a tab as the separator when `sep` says so.
 */
export function csvRecords(text: string, sep = ","): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const n = text.length;
  const end = () => (rec.push(field), field = "");
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') (field += '"', i++);
        else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === sep) end();
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      end();
      out.push(rec);
      rec = [];
    } else field += ch;
    i++;
  }
  if (field !== "" || rec.length > 0) (end(), out.push(rec));
  return out.filter((r) => r.some((f) => f.trim() !== ""));
}

/** The separator of a CSV header line: the first of `,` `;` tab it holds (default `,`). */
function separatorOf(text: string): string {
  const head = text.slice(0, text.search(/\r?\n|$/));
  for (const s of [",", ";", "\t"]) if (head.includes(s)) return s;
  return ",";
}

/**
 * Reads cameras from CSV with a header row naming the columns `name`, `url` and `tags` (case
 * and surrounding spaces ignored; only `url` is required; other columns ignored). Tags are
 * separated by `;`, `,` or spaces within their field. A row without a URL is invalid; a row
 * without a name gets one derived from the URL's host and path.
 */
export function parseCsv(text: string): ParseResult {
  const records = csvRecords(text.replace(/^\uFEFF/, ""), separatorOf(text));
  if (records.length === 0) return { cameras: [], problems: ["The CSV is empty"] };
  const header = records[0].map((h) => h.trim().toLowerCase());
  const col = (k: string) => header.indexOf(k);
  const [iName, iUrl, iTags] = [col("name"), col("url"), col("tags")];
  if (iUrl < 0) {
    return {
      cameras: [],
      problems: ['The CSV header row has no "url" column (expected e.g. name,url,tags)'],
    };
  }
  const cameras: ImportCamera[] = [];
  const problems: string[] = [];
  for (let r = 1; r < records.length; r++) {
    if (cameras.length >= MAX_CAMERAS) {
      problems.push(`More than ${MAX_CAMERAS} cameras: rows after ${r} were not read`);
      break;
    }
    const rec = records[r];
    const url = (rec[iUrl] ?? "").trim();
    const given = iName >= 0 ? cleanName(rec[iName] ?? "") : "";
    cameras.push({
      name: given || (url ? nameFromUrl(url) : ""),
      url,
      tags: iTags >= 0 ? splitTags(rec[iTags] ?? "") : [],
      source: `row ${r + 1}`,
      warnings: [],
      invalid: url ? undefined : "the url field is empty",
    });
  }
  return { cameras, problems };
}
