/** Holds the config in force: applies valid edits, keeps the last good one on a bad edit. */

import {
  type Config,
  ConfigError,
  type ConfigProblem,
  formatProblem,
  formatProblems,
  parseConfig,
} from "./parse.ts";
import { judgeReload } from "./guard.ts";
import { ConfigChangingError } from "./read.ts";
import type { Logger } from "../log.ts";

/** Whether the file on disk is the config in force, and if not, why. */
export type ConfigFileState = "ok" | "rejected" | "missing" | "unreadable" | "changing";

/** What /api/health shows about the config. */
export interface ConfigState {
  path: string;
  loaded_at: string;
  reloads: number;
  /** `ok` when the file on disk is in force; otherwise why the last good config still runs. */
  file: ConfigFileState;
  /** The last rejected edit's or file problem's message, or null when the file is in force. */
  error: string | null;
  /** The same problems with their YAML path (or `(file)`, `line N`) and stream name. */
  problems: ConfigProblem[];
  /** Something applied but worth a look, e.g. a reload that removed every stream. */
  notice: string | null;
  /** The config in force's corrections, as `{path, message, stream?}`. */
  warnings: ConfigProblem[];
}

/** The config in force and its reload bookkeeping. */
export interface ConfigHolder {
  /** The config in force. */
  current(): Config;
  /**
   * Parses `text` (a stable read of the file); applies it when valid and not refused by
   * {@link judgeReload}, else records and logs why. Returns whether it was applied.
   */
  apply(text: string): boolean;
  /** Records that the file cannot be used (missing, unreadable, too big, not UTF-8, changing). */
  fileProblem(err: Error): void;
  /** For /api/health. */
  state(): ConfigState;
}

/**
 * The two events the holder announces: the slice of the engine's bus it needs, declared here so
 * config/ does not depend on the bus (whose events carry a Config).
 */
export interface ConfigEvents {
  emit(type: "config-reloaded", payload: { config: Config }): void;
  emit(type: "config-error", payload: { message: string; problems: ConfigProblem[] }): void;
}

/** Options of {@link createConfigHolder}. */
export interface ConfigHolderDeps {
  path: string;
  initial: Config;
  logger: Logger;
  bus: ConfigEvents;
  /** Called with each newly applied config before `config-reloaded` is emitted. */
  onApply: (config: Config) => void;
  now?: () => number;
}

/** Registers the config's secrets with the logger so they are never printed. */
function registerSecrets(c: Config, logger: Logger): void {
  for (const s of [c.mqtt.password, c.api.token, ...databaseSecrets(c.database)]) {
    logger.addSecret(s);
  }
}

/** The database URL and its password (as written and decoded): none of them is ever logged. */
function databaseSecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const pw = new URL(url).password;
    return pw ? [url, pw, decodeURIComponent(pw)] : [url];
  } catch {
    return [url];
  }
}

/** Creates the holder; the initial config's secrets and warnings are handled at once. */
export function createConfigHolder(opts: ConfigHolderDeps): ConfigHolder {
  const { logger, bus } = opts;
  const now = opts.now ?? Date.now;
  let config = opts.initial;
  let loadedAt = now();
  let reloads = 0;
  let file: ConfigFileState = "ok";
  let error: string | null = null;
  let problems: ConfigProblem[] = [];
  let notice: string | null = null;
  registerSecrets(config, logger);
  const warn = (w: ConfigProblem) => logger.warn(`config: ${formatProblem(w)}`);
  config.warnings.forEach(warn);
  const keeping = () => `keeping the last good config, ${config.streams.length} streams`;
  const fail = (state: ConfigFileState, message: string, issues: ConfigProblem[]) => {
    file = state;
    error = `${message}; ${keeping()}`;
    problems = issues;
    logger.error(error);
    bus.emit("config-error", { message: error, problems });
  };
  return {
    current: () => config,
    apply(text) {
      let next: Config;
      try {
        next = parseConfig(text);
      } catch (err) {
        if (err instanceof ConfigError) fail("rejected", err.message, err.problems);
        else fail("rejected", `Cannot load config: ${err}`, []);
        return false;
      }
      registerSecrets(next, logger);
      const verdict = judgeReload(config, next);
      if (verdict.refuse.length > 0) {
        const why = formatProblems(verdict.refuse);
        fail("rejected", `Refused config reload: ${why}`, verdict.refuse);
        return false;
      }
      next.warnings.forEach(warn);
      config = next;
      file = "ok";
      error = null;
      problems = [];
      notice = verdict.notice ?? (next.streams.length === 0 ? notice : null);
      loadedAt = now();
      reloads++;
      opts.onApply(next);
      logger.info(`config reloaded: ${next.streams.length} streams`);
      if (verdict.notice) logger.warn(`config: ${verdict.notice}`);
      bus.emit("config-reloaded", { config: next });
      return true;
    },
    fileProblem(err) {
      if (err instanceof ConfigError) fail("rejected", err.message, err.problems);
      else if (err instanceof Deno.errors.NotFound) {
        fail("missing", `Config file "${opts.path}" is missing (deleted or renamed?)`, [
          { path: "(file)", message: "is missing" },
        ]);
      } else if (err instanceof ConfigChangingError) fail("changing", err.message, []);
      else {
        fail("unreadable", `Cannot read config file "${opts.path}": ${err.message}`, [
          { path: "(file)", message: err.message },
        ]);
      }
    },
    state: () => ({
      path: opts.path,
      loaded_at: new Date(loadedAt).toISOString(),
      reloads,
      file,
      error,
      problems,
      notice,
      warnings: config.warnings,
    }),
  };
}
