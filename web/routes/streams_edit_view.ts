/** What the stream editor's routes read from config.yaml's text, and what a rendered form needs. */

import { isMap, isSeq, parseDocument } from "yaml";
import type { ConfigProblem } from "../../monitor/config/mod.ts";
import type { StreamValues } from "../stream_form.ts";

/** One rendering of the editor form (see EditorPage). */
export interface EditorView {
  values: StreamValues;
  original?: string;
  cloneOf?: string;
  problems?: ConfigProblem[];
  /** Where the edited stream sits in `streams:` (default: found by `original`). */
  index?: number;
  conflict?: boolean;
  passwordProblem?: string;
  /** Saved, but problems elsewhere in the file keep it from being applied. */
  pending?: ConfigProblem[];
  /** Notices of no field (already in words). */
  notes?: string[];
}

/** The streams written in config.yaml's text (as written: before defaults, even if invalid). */
export interface FileStreams {
  /** Every entry's name, in order (entries without one are left out). */
  names: string[];
  /** The index of the entry named `name` in `streams:`, or -1 (also for undefined). */
  indexOf(name: string | undefined): number;
  /** The entry as a plain object. */
  raw(name: string | undefined): Record<string, unknown> | undefined;
  /** The entry's `url:` as written. */
  url(name: string | undefined): string | undefined;
}

/** Reads the `streams:` list of `text`; a file YAML cannot read has none. */
export function fileStreams(text: string): FileStreams {
  const doc = parseDocument(text);
  const seq = doc.errors.length > 0 ? undefined : doc.get("streams", true);
  const items = isSeq(seq) ? seq.items : [];
  const nameOf = (it: unknown) => (isMap(it) ? String(it.get("name") ?? "").trim() : "");
  const all = items.map(nameOf);
  const indexOf = (name: string | undefined) => (name === undefined ? -1 : all.indexOf(name));
  const raw = (name: string | undefined) => {
    const at = indexOf(name);
    if (at < 0) return undefined;
    const js = (items[at] as { toJSON(): unknown }).toJSON();
    return js && typeof js === "object" ? js as Record<string, unknown> : undefined;
  };
  return {
    names: all.filter(Boolean),
    indexOf,
    raw,
    url(name) {
      const u = raw(name)?.url;
      return typeof u === "string" ? u : undefined;
    },
  };
}

/** "<name> copy", or "<name> copy 2", … — the first no stream has. */
export function copyName(name: string, names: readonly string[]): string {
  const taken = new Set(names);
  let out = `${name} copy`;
  for (let i = 2; taken.has(out); i++) out = `${name} copy ${i}`;
  return out;
}

/** The passwords a message must never show: the typed one and the stored URL's (decoded too). */
export function secretsOf(v: Pick<StreamValues, "password">, stored?: string): string[] {
  const out: string[] = [];
  if (v.password) out.push(v.password);
  const sep = stored?.indexOf("://") ?? -1;
  if (stored && sep > 0) {
    const end = stored.slice(sep + 3).search(/[/?#]/);
    const authority = end < 0 ? stored.slice(sep + 3) : stored.slice(sep + 3, sep + 3 + end);
    const at = authority.lastIndexOf("@");
    const colon = authority.indexOf(":");
    if (at > 0 && colon >= 0 && colon < at) {
      const pw = authority.slice(colon + 1, at);
      out.push(pw);
      try {
        out.push(decodeURIComponent(pw));
      } catch { /* not percent-encoded */ }
    }
  }
  return out.filter((s) => s.length > 0);
}
