/** Edits of config.yaml made by the dashboard's forms: one edit function per form, safe saves. */

import { type Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, YAMLSeq } from "yaml";
import {
  type Config,
  ConfigConflictError,
  ConfigError,
  type ConfigProblem,
  type ConfigSource,
  fileConfigSource,
  parseConfig,
} from "../monitor/config/mod.ts";
import { sha256Hex } from "./password.ts";
import type { StreamValues } from "./stream_form.ts";

export type { StreamValues } from "./stream_form.ts";
export { emptyValues, streamValuesFrom, streamValuesOf } from "./stream_form.ts";
export type { FieldProblems } from "./stream_problems.ts";
export { problemInWords, problemsByField, problemsFor } from "./stream_problems.ts";

/** An edit of the YAML document (comments and unknown keys survive it). */
export type Edit = (doc: Document) => void;

/** A short fingerprint of config.yaml's text: forms carry it to detect concurrent edits. */
export function versionOf(text: string): string {
  return sha256Hex(text).slice(0, 24);
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
 * The document's `streams:` list, made when missing; a flow list (`streams: []` of the example
 * config) becomes a block list, so added streams read one key a line.
 */
export function streamList(doc: Document): YAMLSeq {
  let seq = doc.get("streams", true);
  if (!isSeq(seq)) {
    seq = new YAMLSeq(doc.schema);
    doc.set("streams", seq);
  }
  const list = seq as YAMLSeq;
  list.flow = false;
  return list;
}

/**
 * The edit adding (no `original`) or replacing the stream named `original`. A new stream gets an
 * `id:`, and so does a renamed one that has none yet, in the same edit as its new name: the store
 * adopts the stream's history under the id as it applies the config, so the history follows the
 * rename. The id goes last in the stream's mapping; an existing one is never changed.
 */
export function editStream(v: StreamValues, original?: string, opts: EditStreamOptions = {}): Edit {
  return (doc) => {
    const list = streamList(doc);
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
    setStreamExtras(doc, item, v);
    if ((at < 0 || original !== v.name) && !item.has("id")) {
      item.set("id", freshId(doc, opts.newId));
    }
  };
}

/**
 * Writes the media, RTSP and alert keys of the form onto a stream's mapping. A field the caller
 * did not send (undefined) leaves its key alone; a blank one removes it (the default applies).
 * `expect:` is kept as a mapping so its comments survive; it goes when all four are blank.
 */
function setStreamExtras(doc: Document, item: YAMLMap, v: StreamValues): void {
  const num = (text: string | undefined) =>
    text === undefined ? item : text === "" ? undefined : numberOr(text);
  const put = (key: string, value: unknown) => {
    if (value !== item) setKey(item, key, value);
  };
  if (v.media !== undefined) {
    put("media", v.media === "on" ? true : v.media === "off" ? false : undefined);
  }
  put("media_check_seconds", num(v.mediaCheck));
  put("freeze_seconds", num(v.freeze));
  if (v.rtspTransport !== undefined) put("rtsp_transport", v.rtspTransport || undefined);
  if (v.site !== undefined) put("site", v.site || undefined);
  if (v.parent !== undefined) put("parent", v.parent || undefined);
  const expect: Array<[string, string | undefined, boolean]> = [
    ["codec", v.expectCodec, false],
    ["width", v.expectWidth, true],
    ["height", v.expectHeight, true],
    ["min_fps", v.expectMinFps, true],
  ];
  if (expect.every(([, text]) => text === undefined)) return;
  const had = item.get("expect", true);
  const map = isMap(had) ? had : doc.createNode({}) as YAMLMap;
  if (!isMap(had)) item.set("expect", map);
  for (const [key, text, numeric] of expect) {
    if (text !== undefined) setKey(map, key, numeric && text ? numberOr(text) : text);
  }
  if (map.items.length === 0) item.delete("expect");
}

/**
 * The edit adding the tags `add` to and removing the tags `remove` from each stream named in
 * `names` (one save for all of them). Tags keep their order; an emptied list is removed.
 */
export function editTags(names: readonly string[], add: string[], remove: string[]): Edit {
  return (doc) => {
    for (const name of names) {
      const item = streamItem(doc, name);
      if (!item) continue;
      const raw = item.get("tags");
      const now = isSeq(raw)
        ? raw.items.map((t) => String(isScalar(t) ? t.value : t))
        : raw === undefined || raw === null
        ? []
        : [String(raw)];
      const next = [...now.filter((t) => !remove.includes(t))];
      for (const t of add) if (!next.includes(t)) next.push(t);
      if (next.join("\n") === now.join("\n")) continue;
      if (next.length === 0) item.delete("tags");
      else {
        const node = doc.createNode(next) as YAMLSeq;
        node.flow = true;
        item.set("tags", node);
      }
    }
  };
}

/** A list of tags typed as text: split on commas, trimmed, blanks and repeats dropped. */
export function tagList(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
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

/** The text `edit` would produce from `text` (exactly as editConfigFile builds it). */
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

/** The document the dashboard edits: `configSource`, else config.yaml at `configPath`. */
export function configSourceOf(
  deps: { configSource?: ConfigSource; configPath: string },
): ConfigSource {
  return deps.configSource ?? fileConfigSource(deps.configPath);
}

/**
 * Saves an edit with the source's safe writer (config.yaml: editConfigFile; fleet: the shared
 * document, compare-and-set). `version` is the {@link versionOf} the form was rendered from: a
 * document changed since then throws ConfigConflictError, a bad result ConfigError.
 */
export async function saveEdit(source: ConfigSource, edit: Edit, version: string): Promise<string> {
  const current = await source.read();
  if (versionOf(current) !== version) throw new ConfigConflictError(source.where);
  return await source.edit(edit, current);
}
