/** Parses pasted lines: `name url [tags]` or just a URL per line; `#` comments and blanks skipped. */

import { cleanName, looksLikeUrl, nameFromUrl, splitTags } from "./util.ts";
import { type ImportCamera, MAX_CAMERAS, type ParseResult } from "./types.ts";

/**
 * Reads one camera per line. The first word that looks like a URL (`scheme://…`) is the URL;
 * the words before it are the name (derived from host and path when there are none), the words
 * after it are tags (separated by spaces, `,` or `;`). A line without a URL is invalid.
 */
export function parseLines(text: string): ParseResult {
  const cameras: ImportCamera[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    if (cameras.length >= MAX_CAMERAS) {
      problems.push(`More than ${MAX_CAMERAS} cameras: lines after ${i} were not read`);
      break;
    }
    const words = line.split(/\s+/);
    const at = words.findIndex(looksLikeUrl);
    const source = `line ${i + 1}`;
    if (at < 0) {
      cameras.push({
        // Not the line's text: it may hold credentials without a scheme (admin:pw@10.0.0.5).
        name: "",
        url: "",
        tags: [],
        source,
        warnings: [],
        invalid: "no URL on this line (expected e.g. rtsp://host/path)",
      });
      continue;
    }
    const url = words[at];
    const name = cleanName(words.slice(0, at).join(" ")) || nameFromUrl(url);
    cameras.push({
      name,
      url,
      tags: splitTags(words.slice(at + 1).join(" ")),
      source,
      warnings: [],
    });
  }
  return { cameras, problems };
}
