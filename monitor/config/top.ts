/** The top of config.yaml: YAML syntax, a mapping, at least one known key, and typo'd keys. */

import { parseDocument } from "yaml";
import { type Checker, ConfigError, type YamlMap } from "./check.ts";
import { configSchema } from "./schema.ts";
import { looksLike } from "./suggest.ts";

/** Every top-level key the loader reads (the schema's); others are kept in `raw`, with a warning. */
export const KNOWN_TOP_LEVEL_KEYS: readonly string[] = Object.keys(configSchema.shape);

/** The keys named when a file has none (the ones every real config has one of). */
const SHOWN = ["streams", "api", "web", "mqtt", "heartbeat_seconds", "timezone"];

const EXPECTED = `at least one of ${SHOWN.join(", ")}`;

/**
 * Parses the YAML and checks the document as a whole. Throws {@link ConfigError} when the text
 * is not YAML, is empty (only comments or blank lines), is not a mapping, or has no known key:
 * such a file is a mistake (truncated, wrong file, wrong symlink), never "no streams, defaults".
 * Those messages never quote the file (a symlink to /etc/shadow must not print its hashes).
 * A key that looks like a typo of an absent known key (`stream:`, `Streams:`) is recorded in `c`.
 */
export function parseTopLevel(text: string, c: Checker): YamlMap {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // No YAML path exists yet: the message itself says where (line and column).
    throw new ConfigError(doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const at = pos ? ` (line ${pos.line}, column ${pos.col})` : "";
      return { path: "", message: `YAML syntax${at}: ${e.message.split("\n")[0]}` };
    }));
  }
  let top: unknown;
  try {
    top = doc.toJS(); // throws on an unresolved alias or an alias bomb
  } catch (err) {
    const message = String((err as Error).message ?? err).split("\n")[0].slice(0, 160);
    throw new ConfigError([{ path: "(document)", message: `YAML: ${message}` }]);
  }
  if (top === null || top === undefined || isEmptyMap(top)) {
    throw new ConfigError([{
      path: "(document)",
      message: `is empty (no keys, only blank lines or comments); a config needs ${EXPECTED}`,
    }]);
  }
  if (typeof top !== "object" || Array.isArray(top)) {
    const got = Array.isArray(top)
      ? "a list"
      : typeof top === "string"
      ? "text"
      : `a ${typeof top}`;
    throw new ConfigError([{
      path: "(document)",
      message: `must be a mapping of keys such as streams: and api:, got ${got}`,
    }]);
  }
  const root = top as YamlMap;
  const keys = Object.keys(root);
  const known = new Set<string>(KNOWN_TOP_LEVEL_KEYS);
  for (const key of keys) {
    if (known.has(key)) continue;
    const meant = KNOWN_TOP_LEVEL_KEYS.find((k) => looksLike(key, k));
    if (meant === undefined) continue;
    // Only now is the key shown: it is one edit away from a key name, not file content.
    if (meant in root) c.warn(key, `unknown key (kept); "${meant}" is also set`);
    else c.error(key, `unknown key; did you mean "${meant}"?`);
  }
  if (c.errors.length === 0 && !keys.some((k) => known.has(k))) {
    const n = keys.length;
    throw new ConfigError([{
      path: "(document)",
      message: `has no known top-level key (found ${n} unknown key${n === 1 ? "" : "s"}); ` +
        `expected ${EXPECTED}`,
    }]);
  }
  return root;
}

function isEmptyMap(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
