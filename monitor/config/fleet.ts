/**
 * Fleet mode's config in force: the shared document (imported from the first node's file when
 * the database has none) with the node's own keys, followed in the file and the database.
 */

import type { ConfigDoc } from "./doc.ts";
import { watchConfigDoc } from "./doc_watch.ts";
import { watchConfigFile } from "./file.ts";
import { ignoredFileKeys, mergeFleetConfig, sharedPart, topLevelKeys } from "./fleet_doc.ts";
import { parseConfig } from "./parse.ts";
import type { FileStamp } from "./read.ts";

/** What {@link loadFleetConfig} found. */
export interface FleetConfigLoad {
  /** The effective config's text: the shared document with the file's node-local keys. */
  text: string;
  /** The shared document's text ("" while the database holds none). */
  sharedText: string;
  /** Its version (undefined while there is none). */
  version?: number;
  /** True when this call imported the file's shared part as version 1. */
  imported: boolean;
  /**
   * The file's keys fleet mode ignores because the database's document is used (empty when
   * the file was just imported): warn about them, e.g. with {@link ignoredKeysWarning}.
   */
  ignored: string[];
}

/**
 * Reads the shared document; when the database has none and the node's file has shared keys
 * that load, imports them first (a node racing another keeps whichever import won). Does not
 * validate the result: the caller parses `text` as usual.
 */
export async function loadFleetConfig(doc: ConfigDoc, fileText: string): Promise<FleetConfigLoad> {
  let read = await doc.read();
  let imported = false;
  if (read === undefined) {
    const shared = sharedPart(fileText);
    if (topLevelKeys(shared).length > 0 && loads(mergeFleetConfig(shared, fileText))) {
      imported = await doc.importIfEmpty(shared);
    }
    read = await doc.read();
  }
  const sharedText = read?.text ?? "";
  return {
    text: mergeFleetConfig(sharedText, fileText),
    sharedText,
    ...(read ? { version: read.version } : {}),
    imported,
    ignored: imported ? [] : ignoredFileKeys(fileText),
  };
}

function loads(text: string): boolean {
  try {
    parseConfig(text);
    return true;
  } catch {
    return false;
  }
}

/** The start-up warning for {@link FleetConfigLoad.ignored} keys (undefined when none). */
export function ignoredKeysWarning(path: string, keys: readonly string[]): string | undefined {
  if (keys.length === 0) return undefined;
  const shown = keys.slice(0, 8).join(", ") + (keys.length > 8 ? ", …" : "");
  return `${path}: ${shown} ignored in fleet mode: the shared config in the database is used ` +
    "(edit it on the dashboard, or replace it with `streampulse config import FILE --force`)";
}

/** Options of {@link watchFleetConfig}. */
export interface WatchFleetOptions {
  signal: AbortSignal;
  /** The node's config.yaml. */
  path: string;
  /** What {@link loadFleetConfig} returned, and the file it was given (text and stamp). */
  initial: FleetConfigLoad;
  fileText: string;
  fileStamp?: FileStamp;
  /** Gets the effective config's text after every change of either half (the holder's apply). */
  apply: (text: string) => void;
  /** The file cannot be used (the holder's fileProblem). */
  onFileError: (err: Error) => void;
  /** The database cannot be read or listened to (logged; the config in force stays). */
  onDocError: (err: Error) => void;
  /** The shared document's poll (default 1000 ms), as {@link watchConfigDoc}. */
  pollMs?: number;
}

/**
 * Follows both halves of a fleet node's config until `signal` aborts: the node's file (its
 * node-local keys; the rest is ignored) with {@link watchConfigFile}, and the shared document
 * with {@link watchConfigDoc}, and applies their merge whenever either changes.
 */
export async function watchFleetConfig(doc: ConfigDoc, opts: WatchFleetOptions): Promise<void> {
  let file = opts.fileText;
  let shared = opts.initial.sharedText;
  const apply = () => opts.apply(mergeFleetConfig(shared, file));
  await Promise.all([
    watchConfigFile(opts.path, {
      signal: opts.signal,
      initialText: opts.fileText,
      initialStamp: opts.fileStamp,
      onChange: (text) => {
        file = text;
        apply();
      },
      onError: opts.onFileError,
    }),
    watchConfigDoc(doc, {
      signal: opts.signal,
      initialVersion: opts.initial.version,
      pollMs: opts.pollMs,
      onChange: (read) => {
        shared = read.text;
        apply();
      },
      onError: opts.onDocError,
    }),
  ]);
}
