/** Parses StreamPulse's command line into a command and its options (pure; no I/O). */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";

/** The commands of the `streampulse` binary. */
export type Command = "run" | "check" | "validate" | "healthcheck" | "passwd" | "help" | "version";

/** A parsed command line. */
export interface Cli {
  command: Command;
  /** config.yaml, after --config / --data-dir / environment / default. */
  configPath: string;
  /** streams.db, after --db / --data-dir / environment / default. */
  dbPath: string;
  /** The data directory (snapshots and other files live here). */
  dataDir: string;
  /** `check`'s URL or `validate`'s path. */
  target?: string;
  json: boolean;
  kind?: string;
  timeoutSeconds?: number;
  insecure: boolean;
}

/** A command line that cannot be used (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const COMMANDS = new Set(["run", "check", "validate", "healthcheck", "passwd"]);

/**
 * Parses `argv` (without the program name). Paths come from the options, then the environment
 * (`STREAMPULSE_DATA_DIR`, `STREAMPULSE_CONFIG`, `STREAMPULSE_DB`), then the working directory.
 */
export function parseCli(argv: string[], env: (key: string) => string | undefined): Cli {
  // `deno task start -- --version` passes the `--` through: drop a leading one.
  if (argv[0] === "--") argv = argv.slice(1);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string" },
        db: { type: "string" },
        "data-dir": { type: "string" },
        json: { type: "boolean", default: false },
        kind: { type: "string" },
        timeout: { type: "string" },
        insecure: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "V", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  let command: Command = "run";
  const rest = [...positionals];
  if (rest.length > 0) {
    const first = rest.shift()!;
    if (!COMMANDS.has(first)) throw new UsageError(`Unknown command "${first}"; see --help`);
    command = first as Command;
  }
  if (v.help) command = "help";
  else if (v.version) command = "version";
  if (command === "check" && rest.length !== 1) {
    throw new UsageError('"check" needs exactly one URL, e.g. streampulse check rtsp://cam/live');
  }
  if (rest.length > (command === "check" || command === "validate" ? 1 : 0)) {
    throw new UsageError(`Unexpected argument "${rest.at(-1)}" for "${command}"`);
  }
  let timeoutSeconds: number | undefined;
  if (v.timeout !== undefined) {
    timeoutSeconds = Number(v.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 300) {
      throw new UsageError(`Invalid --timeout "${v.timeout}": expected seconds from 0.1 to 300`);
    }
  }
  const dataDir = resolve(v["data-dir"] ?? env("STREAMPULSE_DATA_DIR") ?? ".");
  return {
    command,
    dataDir,
    configPath: resolve(v.config ?? env("STREAMPULSE_CONFIG") ?? join(dataDir, "config.yaml")),
    dbPath: resolve(v.db ?? env("STREAMPULSE_DB") ?? join(dataDir, "streams.db")),
    target: rest[0],
    json: v.json,
    kind: v.kind,
    timeoutSeconds,
    insecure: v.insecure,
  };
}
