/** `streampulse validate [PATH]`: loads a config.yaml and lists every problem; exit 0 or 2. */

import { ConfigError, parseConfig } from "../monitor/config.ts";

/** Validates the file at `path` and returns the exit code. */
export async function validateCommand(
  path: string,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    err(`Cannot read "${path}": ${(e as Error).message}`);
    return 2;
  }
  try {
    const c = parseConfig(text);
    for (const w of c.warnings) out(`warning: ${w}`);
    const enabled = c.streams.filter((s) => s.enabled).length;
    out(
      `${path}: OK — ${c.streams.length} streams (${enabled} enabled), heartbeat ${c.heartbeatSeconds} s, timezone ${c.timezone}, mqtt ${
        c.mqtt.enabled ? "on" : "off"
      }`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`${path}: ${e.problems.length} problem${e.problems.length === 1 ? "" : "s"}`);
    for (const p of e.problems) err(`  ${p}`);
    return 2;
  }
}
