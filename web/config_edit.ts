/** Edits of config.yaml made by the dashboard's forms: one edit function per form, safe saves. */

import { type Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, YAMLSeq } from "yaml";
import {
  type Config,
  ConfigConflictError,
  ConfigError,
  type ConfigProblem,
  editConfigFile,
  formatProblem,
  parseConfig,
} from "../monitor/config/mod.ts";
import { sha256Hex } from "./password.ts";

/** An edit of the YAML document (comments and unknown keys survive it). */
export type Edit = (doc: Document) => void;

/** The stream editor's fields, as the browser sends them. */
export interface StreamValues {
  name: string;
  url: string;
  enabled: boolean;
  kind: string;
  interval: string;
  timeout: string;
  tags: string;
  tlsInsecure: boolean;
}

/** A short fingerprint of config.yaml's text: forms carry it to detect concurrent edits. */
export function versionOf(text: string): string {
  return sha256Hex(text).slice(0, 24);
}

/** Reads a form body (FormData-like record) into {@link StreamValues}. */
export function streamValuesFrom(body: Record<string, unknown>): StreamValues {
  const s = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
  return {
    name: s("name").trim(),
    url: s("url").trim(),
    enabled: s("enabled") === "on" || s("enabled") === "true",
    kind: s("kind"),
    interval: s("interval").trim(),
    timeout: s("timeout").trim(),
    tags: s("tags"),
    tlsInsecure: s("tls_insecure") === "on" || s("tls_insecure") === "true",
  };
}

/** The form values of a stream as written in config.yaml (unset keys stay blank). */
export function streamValuesOf(raw: Record<string, unknown>): StreamValues {
  const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  const tags = Array.isArray(raw.tags) ? raw.tags.join(", ") : str(raw.tags);
  return {
    name: str(raw.name),
    url: str(raw.url),
    enabled: raw.enabled !== false,
    kind: str(raw.kind),
    interval: str(raw.interval_seconds),
    timeout: str(raw.timeout_seconds),
    tags,
    tlsInsecure: raw.tls_insecure === true,
  };
}

/** A number when the text is one, else the text itself (so validation names the bad value). */
export function numberOr(text: string): number | string {
  return text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
}

/** Index of the stream named `name` in the document's `streams:` list, or -1. */
export function streamIndex(doc: Document, name: string): number {
  const seq = doc.get("streams", true);
  if (!isSeq(seq)) return -1;
  return seq.items.findIndex((it) => isMap(it) && String(it.get("name") ?? "").trim() === name);
}

/**
 * Sets `key` to `value` on a YAML map. `undefined` removes the key; a key holding its default
 * (`defaultValue`) is only written when it is already there, so forms do not add noise.
 */
export function setKey(map: YAMLMap, key: string, value: unknown, defaultValue?: unknown): void {
  if (value === undefined || value === "") map.delete(key);
  else if (value === defaultValue && !map.has(key)) return;
  else map.set(key, value);
}

/** The letters of {@link newStreamId}: RFC 4648 base32, lower case (valid in an `id:`). */
const ID_LETTERS = "abcdefghijklmnopqrstuvwxyz234567";

/** A short random stream id: 8 base32 letters (40 bits), e.g. "k3q7zt2m". */
export function newStreamId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => ID_LETTERS[b & 31]).join("");
}

/** The `id:` values of the document's streams. */
function streamIds(doc: Document): Set<string> {
  const seq = doc.get("streams", true);
  const out = new Set<string>();
  if (!isSeq(seq)) return out;
  for (const it of seq.items) if (isMap(it) && it.has("id")) out.add(String(it.get("id")));
  return out;
}

/** Options of {@link editStream}. */
export interface EditStreamOptions {
  /** Makes a stream id (default {@link newStreamId}); one already in the file is drawn again. */
  newId?: () => string;
}

/**
 * The edit adding (no `original`) or replacing the stream named `original`. A new stream gets an
 * `id:`, and so does a renamed one that has none yet, in the same edit as its new name: the store
 * adopts the stream's history under the id as it applies the config, so the history follows the
 * rename. The id goes last in the stream's mapping; an existing one is never changed.
 */
export function editStream(v: StreamValues, original?: string, opts: EditStreamOptions = {}): Edit {
  return (doc) => {
    let seq = doc.get("streams", true);
    if (!isSeq(seq)) {
      seq = new YAMLSeq(doc.schema);
      doc.set("streams", seq);
    }
    const list = seq as YAMLSeq;
    list.flow = false; // `streams: []` from the example config becomes a block list
    let item: YAMLMap;
    const at = original === undefined ? -1 : streamIndex(doc, original);
    if (at >= 0) item = list.items[at] as YAMLMap;
    else {
      item = doc.createNode({ name: v.name, url: v.url }) as YAMLMap;
      list.items.push(item);
    }
    setKey(item, "name", v.name);
    setKey(item, "url", v.url);
    setKey(item, "enabled", v.enabled, true);
    setKey(item, "kind", v.kind || undefined);
    setKey(item, "interval_seconds", v.interval ? numberOr(v.interval) : undefined);
    setKey(item, "timeout_seconds", v.timeout ? numberOr(v.timeout) : undefined);
    const tags = v.tags.split(",").map((t) => t.trim()).filter(Boolean);
    if (tags.length === 0) item.delete("tags");
    else {
      const node = doc.createNode(tags) as YAMLSeq;
      node.flow = true;
      item.set("tags", node);
    }
    setKey(item, "tls_insecure", v.tlsInsecure, false);
    if ((at < 0 || original !== v.name) && !item.has("id")) {
      item.set("id", freshId(doc, opts.newId));
    }
  };
}

/** A new id no stream of `doc` has. */
function freshId(doc: Document, make: () => string = newStreamId): string {
  const taken = streamIds(doc);
  let id = make();
  for (let i = 0; taken.has(id) && i < 16; i++) id = make();
  return id;
}

/**
 * The first step of renaming a stream that has no `id:` yet: the edit giving the stream
 * `original` an id and changing nothing else. Saved and applied before the rename, it lets the
 * store adopt the stream's history under the id, so the rename saved next carries it (one save
 * with both would look like a stream removed and another added). Undefined when `v` renames
 * nothing, or the stream has an id already.
 */
export function idBeforeRename(
  text: string,
  v: StreamValues,
  original?: string,
  opts: EditStreamOptions = {},
): Edit | undefined {
  if (original === undefined || original === v.name) return undefined;
  const doc = parseDocument(text);
  const item = streamItem(doc, original);
  if (!item || item.has("id")) return undefined;
  const id = freshId(doc, opts.newId);
  return (d) => streamItem(d, original)?.set("id", id);
}

/** The mapping of the stream named `name`, if any. */
function streamItem(doc: Document, name: string): YAMLMap | undefined {
  const at = streamIndex(doc, name);
  return at < 0 ? undefined : (doc.get("streams", true) as YAMLSeq).items[at] as YAMLMap;
}

/** The edit removing the stream named `name`. */
export function deleteStream(name: string): Edit {
  return (doc) => {
    const at = streamIndex(doc, name);
    if (at >= 0) (doc.get("streams", true) as YAMLSeq).items.splice(at, 1);
  };
}

/** The edit enabling or disabling the stream named `name`. */
export function toggleStream(name: string, enabled: boolean): Edit {
  return (doc) => {
    const at = streamIndex(doc, name);
    if (at >= 0) {
      setKey((doc.get("streams", true) as YAMLSeq).items[at] as YAMLMap, "enabled", enabled, true);
    }
  };
}

/** Sets top-level or nested scalars (`["mqtt", "port"]`); `null` writes null, undefined skips. */
export function editValues(entries: Array<[string[], unknown]>): Edit {
  return (doc) => {
    for (const [path, value] of entries) {
      if (value === undefined) continue;
      if (path.length > 1 && !isMap(doc.getIn(path.slice(0, -1), true))) {
        doc.setIn(path.slice(0, -1), doc.createNode({}));
      }
      const prev = doc.getIn(path, true);
      if (value === null && !prev) continue; // do not add `key: null` lines
      if (isScalar(prev) || prev === undefined || prev === null) doc.setIn(path, value);
      else doc.setIn(path, doc.createNode(value));
    }
  };
}

/** The text `edit` would produce from `text` (exactly as {@link editConfigFile} builds it). */
export function applyEdit(text: string, edit: Edit): string {
  const doc = parseDocument(text);
  edit(doc);
  return doc.toString();
}

/** Validates the edited text with the config loader: the Config, or the loader's problems. */
export function tryEdit(text: string, edit: Edit): { config?: Config; problems: ConfigProblem[] } {
  try {
    return { config: parseConfig(applyEdit(text, edit)), problems: [] };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems };
    throw err;
  }
}

/**
 * Saves an edit with the safe writer. `version` is the {@link versionOf} the form was rendered
 * from: a file changed since then throws ConfigConflictError, a bad result ConfigError.
 */
export async function saveEdit(path: string, edit: Edit, version: string): Promise<string> {
  const current = await Deno.readTextFile(path);
  if (versionOf(current) !== version) throw new ConfigConflictError(path);
  return await editConfigFile(path, edit, { expectedText: current });
}

/** What a form shows: problem text keyed by form field, and the problems of no single field. */
export interface FieldProblems {
  fields: Record<string, string>;
  other: string[];
}

/**
 * Sorts problems by form field: `field(p)` names the field a problem belongs to, or undefined
 * for the rest. Each is shown as `path: message`; two on one field are joined with `; `.
 */
export function problemsFor(
  problems: readonly ConfigProblem[],
  field: (p: ConfigProblem) => string | undefined,
): FieldProblems {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const p of problems) {
    const f = field(p);
    const text = formatProblem(p);
    if (f === undefined) other.push(text);
    else fields[f] = fields[f] ? `${fields[f]}; ${text}` : text;
  }
  return { fields, other };
}

/** The stream editor's form field of each stream key that has a problem slot on the page. */
const STREAM_FIELDS: Record<string, string> = {
  name: "name",
  url: "url",
  kind: "kind",
  interval_seconds: "interval",
  timeout_seconds: "timeout",
  tags: "tags",
};

/**
 * Splits problems into those of the stream at `streams[index]` (by form field) and the rest.
 * The field comes from the problem's YAML path: `streams[3]` itself (not a mapping) belongs to
 * the name, `streams[3].interval_seconds` (or anything below it) to "interval". Keys the form
 * has no field for (media checks, …) are listed apart, so no problem goes unshown.
 */
export function problemsByField(problems: readonly ConfigProblem[], index: number): FieldProblems {
  const entry = `streams[${index}]`;
  return problemsFor(problems, ({ path }) => {
    if (path === entry) return "name";
    for (const [key, field] of Object.entries(STREAM_FIELDS)) {
      const at = `${entry}.${key}`;
      if (path === at || path.startsWith(`${at}.`) || path.startsWith(`${at}[`)) return field;
    }
    return undefined;
  });
}
