/** `streampulse validate [PATH] [--strict]`: loads a config.yaml and lists every problem; exit 0 or 2. */

import { ConfigError, formatProblem, parseConfig, readConfigFile } from "../monitor/config/mod.ts";

/** Options of {@link validateCommand}. */
export interface ValidateOptions {
  /** Any warning (an unknown key, a raised value) fails too: exit 2. */
  strict?: boolean;
  /** Where output goes (default console.log / console.error). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * Validates the file at `path` the way the running process loads it (size limit, strict UTF-8,
 * top-level checks, the schema) and returns the exit code: 0 valid (warnings printed), 2
 * unreadable or invalid, or with `strict` any warning.
 */
export async function validateCommand(path: string, o: ValidateOptions = {}): Promise<number> {
  const out = o.out ?? console.log;
  const err = o.err ?? console.error;
  const problems = (e: ConfigError) => {
    err(`${path}: ${e.problems.length} problem${e.problems.length === 1 ? "" : "s"}`);
    for (const p of e.problems) err(`  ${formatProblem(p)}`);
    return 2;
  };
  let text: string;
  try {
    text = (await readConfigFile(path)).text;
  } catch (e) {
    if (e instanceof ConfigError) return problems(e);
    err(`Cannot read "${path}": ${(e as Error).message}`);
    return 2;
  }
  try {
    const c = parseConfig(text);
    for (const w of c.warnings) out(`warning: ${formatProblem(w)}`);
    if (o.strict && c.warnings.length > 0) {
      const n = c.warnings.length;
      err(`${path}: ${n} warning${n === 1 ? "" : "s"}, which --strict refuses`);
      return 2;
    }
    const enabled = c.streams.filter((s) => s.enabled).length;
    out(
      `${path}: OK — ${c.streams.length} streams (${enabled} enabled), heartbeat ${c.heartbeatSeconds} s, timezone ${c.timezone}, mqtt ${
        c.mqtt.enabled ? "on" : "off"
      }`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return problems(e);
  }
}
