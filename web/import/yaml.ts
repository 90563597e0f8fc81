/** Reads untrusted YAML for the importers: bounded aliases, errors that never quote the text. */

import { parseDocument } from "yaml";

/**
 * Parses YAML into plain data, or returns a problem naming the line and column. Error texts
 * carry no excerpt of the input (it may hold passwords); aliases are capped against
 * billion-laughs documents.
 */
export function readYaml(text: string, what: string): { data?: unknown; problem?: string } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const err = doc.errors[0];
  if (err) {
    const pos = Math.min(err.pos[0], text.length);
    const before = text.slice(0, pos);
    const line = before.split("\n").length;
    const where = ` at line ${line}, column ${pos - before.lastIndexOf("\n")}`;
    return { problem: `The ${what} is not valid YAML${where} (${err.code})` };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch {
    return { problem: `The ${what} uses too many YAML aliases` };
  }
}

/** True for a plain object (a YAML mapping). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
