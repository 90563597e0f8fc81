/**
 * Fleet mode's two halves of a config (pure): the shared document every node reads from the
 * database, and the node-local keys each node keeps in its own config.yaml.
 */

import {
  type Document,
  isMap,
  isPair,
  isScalar,
  type Pair,
  parseDocument,
  type YAMLMap,
} from "yaml";

/**
 * Top-level keys always taken from the node's own file, never from the shared document: where the
 * database is, who this node is, and where its own servers listen.
 */
export const NODE_LOCAL_KEYS: readonly string[] = ["database", "node", "api", "web"];

const LOCAL = new Set(NODE_LOCAL_KEYS);

/** The top-level key of a pair as text (undefined for a non-scalar key). */
function keyOf(pair: unknown): string | undefined {
  if (!isPair(pair)) return undefined;
  const k = (pair as Pair).key;
  if (isScalar(k)) return String(k.value);
  return typeof k === "string" ? k : undefined;
}

/** The document of `text` when it parses to a mapping (or nothing), else undefined. */
function mappingDoc(text: string): Document | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  if (doc.contents !== null && !isMap(doc.contents)) return undefined;
  return doc;
}

/** The top-level keys written in `text`, in order (empty when it is not a YAML mapping). */
export function topLevelKeys(text: string): string[] {
  const doc = mappingDoc(text);
  if (!doc || !isMap(doc.contents)) return [];
  return doc.contents.items.map(keyOf).filter((k): k is string => k !== undefined);
}

/**
 * The shared part of a config.yaml: the document without its node-local keys
 * ({@link NODE_LOCAL_KEYS}), comments and key order kept (the comment above a removed key goes
 * with it). So the database password in `database:` never reaches the shared document. Text
 * that is not a YAML mapping comes back unchanged, for the loader to name its problem; a
 * document left without keys is "".
 */
export function sharedPart(fileText: string): string {
  const doc = mappingDoc(fileText);
  if (!doc) return fileText;
  if (!isMap(doc.contents)) return doc.commentBefore || doc.comment ? doc.toString() : "";
  const map = doc.contents;
  map.items = map.items.filter((pair) => !LOCAL.has(keyOf(pair) ?? ""));
  if (map.items.length === 0 && !doc.commentBefore && !doc.comment) return "";
  return doc.toString();
}

/**
 * The effective config of a fleet node: the shared document with the node-local keys of its own
 * file laid over (they replace any the shared document has, and come first). The result is only
 * parsed, never stored. When either text is not a YAML mapping, that text comes back unchanged so
 * the loader names its problem with the right line numbers (the file's when both are bad).
 */
export function mergeFleetConfig(sharedText: string, fileText: string): string {
  const file = mappingDoc(fileText);
  if (!file) return fileText;
  const shared = mappingDoc(sharedText);
  if (!shared) return sharedText;
  let local: Record<string, unknown>;
  try {
    local = (file.toJS() ?? {}) as Record<string, unknown>; // alias-safe: values, not nodes
  } catch {
    return fileText; // an unresolved alias or an alias bomb: the loader says so
  }
  const pairs = NODE_LOCAL_KEYS.filter((k) => k in local).map((k) =>
    shared.createPair(k, local[k])
  );
  if (!isMap(shared.contents)) shared.contents = shared.createNode({});
  const map = shared.contents as YAMLMap;
  map.items = [...pairs, ...map.items.filter((pair) => !LOCAL.has(keyOf(pair) ?? ""))];
  return shared.toString();
}

/**
 * The keys of a node's file that fleet mode ignores (everything but the node-local keys: the
 * shared document in the database is used instead), for a warning at start.
 */
export function ignoredFileKeys(fileText: string): string[] {
  return topLevelKeys(fileText).filter((k) => !LOCAL.has(k));
}
