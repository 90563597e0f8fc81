/**
 * Saving one camera's edit while config.yaml is broken elsewhere: accepted when the edit adds no
 * problem of its own, refused with the exact reason otherwise.
 */

import { parseDocument } from "yaml";
import {
  ConfigConflictError,
  ConfigError,
  type ConfigProblem,
  type ConfigSource,
  parseConfig,
} from "../monitor/config/mod.ts";
import { applyEdit, type Edit, versionOf } from "./config_edit.ts";

/** Raised when config.yaml cannot be edited at all (a YAML syntax error): nothing written. */
export class ConfigBrokenError extends Error {
  /** The syntax problems (path `line N`). */
  readonly problems: ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super("config.yaml has a YAML syntax error, so the dashboard cannot edit it");
    this.name = "ConfigBrokenError";
    this.problems = [...problems];
  }
}

/** What {@link saveEditKeeping} wrote. */
export interface KeepingSave {
  /** The new text of config.yaml. */
  text: string;
  /**
   * Problems elsewhere in the file, there before the edit and still there: the watcher keeps
   * the last good config (without this edit) until they are fixed. Empty: applied as usual.
   */
  pending: ConfigProblem[];
}

/** The problems of `text` by the config loader (empty when it loads). */
function problemsOf(text: string): ConfigProblem[] {
  try {
    parseConfig(text);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const key = (p: ConfigProblem) => `${p.path}\n${p.message}`;

/**
 * Saves `edit` to `source` like saveEdit (conflict check against `version`, safe write), but when
 * the file has problems outside the edit (`mine(p)` says which problems are the edit's own),
 * saves anyway as long as the edit neither has problems of its own nor adds any elsewhere
 * (e.g. renaming a stream another one names as `parent`). Throws ConfigConflictError,
 * ConfigError (all the candidate's problems: the edit's own, or new ones it causes) or
 * {@link ConfigBrokenError} (a YAML syntax error: no edit is safe).
 */
export async function saveEditKeeping(
  source: ConfigSource,
  edit: Edit,
  version: string,
  mine: (p: ConfigProblem) => boolean,
): Promise<KeepingSave> {
  const current = await source.read();
  if (versionOf(current) !== version) throw new ConfigConflictError(source.where);
  const doc = parseDocument(current);
  if (doc.errors.length > 0) {
    const broken = problemsOf(current);
    throw new ConfigBrokenError(
      broken.length > 0 ? broken : [{ path: "(file)", message: doc.errors[0].message }],
    );
  }
  const candidate = applyEdit(current, edit);
  const problems = problemsOf(candidate);
  if (problems.length === 0) return { text: await source.edit(edit, current), pending: [] };
  const before = new Set(problemsOf(current).map(key));
  if (problems.some((p) => mine(p) || !before.has(key(p)))) throw new ConfigError(problems);
  // The same read-compare-write window as an edit: a change since the read is refused.
  await source.replace(candidate, current);
  return { text: candidate, pending: problems };
}
