/** One-line leveled logging with credential redaction; passed in as a dependency, never global. */

import { redactText } from "./redact.ts";

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The logger every task receives. Messages are redacted before they are written. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Adds a secret (e.g. the MQTT password) that must never be printed. */
  addSecret(secret: string | null | undefined): void;
}

/** Dependencies of {@link createLogger}. */
export interface LoggerDeps {
  /** The lowest level written (default "info"). */
  level?: LogLevel;
  /** Where lines go (default: stderr for warn/error, stdout otherwise). */
  write?: (line: string, level: LogLevel) => void;
  /** Clock for the line's timestamp. */
  now?: () => Date;
}

function defaultWrite(line: string, level: LogLevel): void {
  if (level === "warn" || level === "error") console.error(line);
  else console.log(line);
}

/**
 * Creates a logger writing `2025-11-01T12:00:00.000Z INFO message` lines. Newlines inside a
 * message are escaped so one event is always one line.
 */
export function createLogger(deps: LoggerDeps = {}): Logger {
  const min = ORDER[deps.level ?? "info"];
  const write = deps.write ?? defaultWrite;
  const now = deps.now ?? (() => new Date());
  const secrets = new Set<string>();
  const emit = (level: LogLevel, msg: string) => {
    if (ORDER[level] < min) return;
    const clean = redactText(msg, secrets).replace(/\r?\n/g, "\\n");
    write(`${now().toISOString()} ${level.toUpperCase()} ${clean}`, level);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warn", m),
    error: (m) => emit("error", m),
    addSecret: (s) => {
      if (s) secrets.add(s);
    },
  };
}

/** Parses a LOG_LEVEL-style string, defaulting to "info". */
export function parseLogLevel(value: string | undefined): LogLevel {
  const v = (value ?? "").toLowerCase();
  return v in ORDER ? v as LogLevel : "info";
}
