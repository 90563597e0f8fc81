/** `streampulse validate [PATH]`: loads a config.yaml and lists every problem; exit 0 or 2. */

import { ConfigError, formatProblem, parseConfig, readConfigFile } from "../monitor/config/mod.ts";

/**
 * Validates the file at `path` the way the running process loads it (size limit, strict UTF-8,
 * top-level checks) and returns the exit code: 0 valid, 2 unreadable or invalid.
 */
export async function validateCommand(
  path: string,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
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
