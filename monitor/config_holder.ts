/** Holds the config in force: applies valid edits, keeps the last good one on a bad edit. */

import type { Bus } from "./bus.ts";
import { type Config, ConfigError, parseConfig } from "./config.ts";
import type { Logger } from "./log.ts";

/** What /api/health shows about the config. */
export interface ConfigState {
  path: string;
  loaded_at: string;
  reloads: number;
  /** The last rejected edit's problems, or null when the file on disk is in force. */
  error: string | null;
  warnings: string[];
}

/** The config in force and its reload bookkeeping. */
export interface ConfigHolder {
  /** The config in force. */
  current(): Config;
  /** Parses `text`; applies it when valid, else records and logs the error. Returns success. */
  apply(text: string): boolean;
  /** For /api/health. */
  state(): ConfigState;
}

/** Options of {@link createConfigHolder}. */
export interface ConfigHolderOptions {
  path: string;
  initial: Config;
  logger: Logger;
  bus: Bus;
  /** Called with each newly applied config before `config-reloaded` is emitted. */
  onApply: (config: Config) => void;
  now?: () => number;
}

/** Registers the config's secrets with the logger so they are never printed. */
function registerSecrets(c: Config, logger: Logger): void {
  for (const s of [c.mqtt.password, c.api.token]) logger.addSecret(s);
}

/** Creates the holder; the initial config's secrets and warnings are handled at once. */
export function createConfigHolder(opts: ConfigHolderOptions): ConfigHolder {
  const { logger, bus } = opts;
  const now = opts.now ?? Date.now;
  let config = opts.initial;
  let loadedAt = now();
  let reloads = 0;
  let error: string | null = null;
  registerSecrets(config, logger);
  config.warnings.forEach((w) => logger.warn(`config: ${w}`));
  return {
    current: () => config,
    apply(text) {
      let next: Config;
      try {
        next = parseConfig(text);
      } catch (err) {
        error = err instanceof ConfigError ? err.message : `Cannot load config: ${err}`;
        logger.error(`${error} (keeping the last good config)`);
        bus.emit("config-error", { message: error });
        return false;
      }
      registerSecrets(next, logger);
      next.warnings.forEach((w) => logger.warn(`config: ${w}`));
      config = next;
      error = null;
      loadedAt = now();
      reloads++;
      opts.onApply(next);
      logger.info(`config reloaded: ${next.streams.length} streams`);
      bus.emit("config-reloaded", { config: next });
      return true;
    },
    state: () => ({
      path: opts.path,
      loaded_at: new Date(loadedAt).toISOString(),
      reloads,
      error,
      warnings: config.warnings,
    }),
  };
}
