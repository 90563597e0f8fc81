/** Parses StreamPulse's command line into a command and its options (pure; no I/O). */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";

/** The commands of the `streampulse` binary. */
export type Command =
  | "run"
  | "check"
  | "validate"
  | "schema"
  | "healthcheck"
  | "passwd"
  | "config"
  | "help"
  | "version";

/** What `streampulse config` does with the fleet's shared config. */
export type ConfigAction = "import" | "export";

/** A parsed command line. */
export interface Cli {
  command: Command;
  /** config.yaml, after --config / --data-dir / environment / default. */
  configPath: string;
  /** streams.db, after --db / --data-dir / environment / default. */
  dbPath: string;
  /** The data directory (snapshots and other files live here). */
  dataDir: string;
  /** `check`'s URL, `validate`'s path or `config import`'s FILE. */
  target?: string;
  /** `config import` or `config export`. */
  configAction?: ConfigAction;
  /** `config import --force`: replace a shared config the database already holds. */
  force: boolean;
  json: boolean;
  /** `validate --strict`: any warning fails (exit 2). */
  strict: boolean;
  kind?: string;
  timeoutSeconds?: number;
  /** `--tls-insecure` (or its older spelling `--insecure`). */
  insecure: boolean;
  /** `check --quick`: the handshake only, no media check. */
  quick: boolean;
  /** `check --rtsp-transport auto|tcp|udp`. */
  rtspTransport?: "auto" | "tcp" | "udp";
  /** `check --freeze-seconds N`: a second media sample N s after a still first one. */
  freezeSeconds?: number;
  /** `check --expect-codec/--expect-width/--expect-height/--expect-fps`. */
  expect?: { codec?: string; width?: number; height?: number; minFps?: number };
}

/** A command line that cannot be used (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const COMMANDS = new Set([
  "run",
  "check",
  "validate",
  "schema",
  "healthcheck",
  "passwd",
  "config",
]);

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
        strict: { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        kind: { type: "string" },
        timeout: { type: "string" },
        insecure: { type: "boolean", default: false },
        "tls-insecure": { type: "boolean", default: false },
        quick: { type: "boolean", default: false },
        "rtsp-transport": { type: "string" },
        "freeze-seconds": { type: "string" },
        "expect-codec": { type: "string" },
        "expect-width": { type: "string" },
        "expect-height": { type: "string" },
        "expect-fps": { type: "string" },
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
  const configAction = command === "config" ? configActionOf(rest) : undefined;
  if (rest.length > (["check", "validate", "config"].includes(command) ? 1 : 0)) {
    throw new UsageError(`Unexpected argument "${rest.at(-1)}" for "${command}"`);
  }
  const transport = v["rtsp-transport"]?.toLowerCase();
  if (transport !== undefined && !TRANSPORTS.includes(transport)) {
    throw new UsageError(
      `Invalid --rtsp-transport "${clip(transport)}": expected one of ${TRANSPORTS.join(", ")}`,
    );
  }
  const timeoutSeconds = numberOf(v.timeout, { option: "--timeout", min: 0.1, max: 300 });
  const freezeSeconds = numberOf(v["freeze-seconds"], { option: "--freeze-seconds", min: 1 });
  const expect = withoutUndefined({
    codec: v["expect-codec"],
    width: numberOf(v["expect-width"], { option: "--expect-width", ...PIXELS }),
    height: numberOf(v["expect-height"], { option: "--expect-height", ...PIXELS }),
    minFps: numberOf(v["expect-fps"], { option: "--expect-fps", min: 0.1, max: 1000, unit: "fps" }),
  });
  const dataDir = resolve(v["data-dir"] ?? env("STREAMPULSE_DATA_DIR") ?? ".");
  return {
    command,
    dataDir,
    configPath: resolve(v.config ?? env("STREAMPULSE_CONFIG") ?? join(dataDir, "config.yaml")),
    dbPath: resolve(v.db ?? env("STREAMPULSE_DB") ?? join(dataDir, "streams.db")),
    target: rest[0],
    ...(configAction ? { configAction } : {}),
    force: v.force,
    json: v.json,
    strict: v.strict,
    kind: v.kind,
    timeoutSeconds,
    insecure: v.insecure || v["tls-insecure"],
    quick: v.quick,
    ...withoutUndefined({ rtspTransport: transport as Cli["rtspTransport"], freezeSeconds }),
    ...(Object.keys(expect).length > 0 ? { expect } : {}),
  };
}

const TRANSPORTS = ["auto", "tcp", "udp"];

/**
 * Takes `import FILE` or `export` off `rest` (leaving FILE as the target); UsageError for
 * anything else.
 */
function configActionOf(rest: string[]): ConfigAction {
  const action = rest.shift();
  const usage = "streampulse config import FILE [--force] | streampulse config export";
  if (action === "import") {
    if (rest.length !== 1) throw new UsageError(`"config import" needs exactly one FILE: ${usage}`);
    return "import"; // FILE stays in `rest`: the target
  }
  if (action === "export") {
    if (rest.length > 0) {
      throw new UsageError(`Unexpected argument "${clip(rest[0])}" for "config export"`);
    }
    return "export";
  }
  throw new UsageError(
    action === undefined
      ? `"config" needs import or export: ${usage}`
      : `Unknown config action "${clip(action)}": ${usage}`,
  );
}

/** A command line value quoted in an error, bounded. */
function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** What a numeric option accepts; the defaults are seconds from 1 to 600. */
interface NumberSpec {
  option: string;
  min?: number;
  max?: number;
  unit?: string;
  whole?: boolean;
}

const PIXELS = { min: 1, max: 16384, unit: "pixels", whole: true };

/** The value of a numeric option, undefined when absent; UsageError when out of its range. */
function numberOf(raw: string | undefined, spec: NumberSpec): number | undefined {
  if (raw === undefined) return undefined;
  const { min = 1, max = 600, unit = "seconds" } = spec;
  const n = Number(raw);
  const whole = !spec.whole || Number.isInteger(n);
  if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max || !whole) {
    throw new UsageError(
      `Invalid ${spec.option} "${clip(raw)}": expected ${unit} from ${min} to ${max}`,
    );
  }
  return n;
}

/** `obj` without its undefined keys (so absent options stay absent, not `key: undefined`). */
function withoutUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
