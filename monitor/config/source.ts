/**
 * The config document the dashboard edits: config.yaml on disk, or in fleet mode the shared
 * document in the database (written with compare-and-set, applied by every node).
 */

import { type Document, parseDocument } from "yaml";
import { ConfigError } from "./check.ts";
import type { ConfigDoc } from "./doc.ts";
import { ConfigConflictError, editConfigFile, writeFileAtomic } from "./file.ts";
import { mergeFleetConfig, NODE_LOCAL_KEYS, topLevelKeys } from "./fleet_doc.ts";
import { parseConfig } from "./parse.ts";
import { readConfigFile } from "./read.ts";

/** Where the dashboard's edits go. */
export interface ConfigSource {
  /** "file" (config.yaml) or "database" (the fleet's shared document). */
  readonly kind: "file" | "database";
  /** config.yaml's path, or "database": what a ConfigConflictError names. */
  readonly where: string;
  /** The document's text as it is now ("" for an empty shared document). */
  read(): Promise<string>;
  /**
   * Applies `edit` to the document (comments and key order survive), validates the result as
   * the running process would load it (ConfigError, nothing written) and writes it, unless the
   * document is no longer `expectedText` (ConfigConflictError). Returns the new text.
   */
  edit(edit: (doc: Document) => void, expectedText: string): Promise<string>;
  /**
   * Writes `text` as it is, not validated (a save that leaves problems elsewhere pending),
   * unless the document is no longer `expectedText` (ConfigConflictError).
   */
  replace(text: string, expectedText: string): Promise<void>;
}

/**
 * config.yaml at `path`: today's behaviour (read as text, editConfigFile, writeFileAtomic; the
 * size and UTF-8 checks of {@link readConfigFile} apply to what is edited and compared).
 */
export function fileConfigSource(path: string): ConfigSource {
  return {
    kind: "file",
    where: path,
    read: () => Deno.readTextFile(path),
    edit: (edit, expectedText) => editConfigFile(path, edit, { expectedText }),
    async replace(text, expectedText) {
      const { text: now } = await readConfigFile(path);
      if (now !== expectedText) throw new ConfigConflictError(path);
      await writeFileAtomic(path, text);
    },
  };
}

/** Options of {@link databaseConfigSource}. */
export interface DatabaseSourceDeps {
  /** The node's own config.yaml, whose node-local keys complete the document for validation. */
  path: string;
}

/** Refuses node-local keys in a shared document: each node keeps its own in its file. */
function checkShared(text: string): void {
  const local = topLevelKeys(text).filter((k) => NODE_LOCAL_KEYS.includes(k));
  if (local.length === 0) return;
  throw new ConfigError(local.map((k) => ({
    path: k,
    message: "is kept in each node's own config.yaml in fleet mode, not in the shared config",
  })));
}

/**
 * The fleet's shared document. An edit is judged on the config this node would run (the
 * document with the node's own keys laid over, {@link mergeFleetConfig}) and written only when
 * the document's version is still the one whose text was `expectedText`; the write notifies
 * every node, which applies it within a second.
 */
export function databaseConfigSource(doc: ConfigDoc, deps: DatabaseSourceDeps): ConfigSource {
  /** The current version, after checking its text is the one the caller saw. */
  const expect = async (expectedText: string) => {
    const now = await doc.read();
    if ((now?.text ?? "") !== expectedText) {
      throw new ConfigConflictError("database");
    }
    return now?.version;
  };
  return {
    kind: "database",
    where: "database",
    read: async () => (await doc.read())?.text ?? "",
    async edit(edit, expectedText) {
      const version = await expect(expectedText);
      const parsed = parseDocument(expectedText);
      edit(parsed);
      const text = parsed.toString();
      checkShared(text);
      parseConfig(mergeFleetConfig(text, (await readConfigFile(deps.path)).text));
      await doc.write(text, version);
      return text;
    },
    async replace(text, expectedText) {
      checkShared(text);
      await doc.write(text, await expect(expectedText));
    },
  };
}
