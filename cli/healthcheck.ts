/** `streampulse healthcheck`: asks the running process's /api/health (container HEALTHCHECK). */

import { parseConfig } from "../monitor/config/mod.ts";

/** Returns 0 when the running StreamPulse answers healthy within 3 s, else 1. */
export async function healthcheckCommand(
  configPath: string,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  let port = 7000;
  let token: string | undefined;
  try {
    const c = parseConfig(await Deno.readTextFile(configPath));
    port = c.api.port;
    token = c.api.token;
  } catch (e) {
    err(`healthcheck: cannot read "${configPath}" (${(e as Error).message}); trying port 7000`);
  }
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`, {
      signal: AbortSignal.timeout(3000),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const body = await res.json().catch(() => ({}));
    if (res.ok) {
      out(
        `healthy: ${body?.streams?.total ?? "?"} streams, config error: ${
          body?.config?.error ?? "none"
        }`,
      );
      return 0;
    }
    err(`unhealthy: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return 1;
  } catch (e) {
    err(`unhealthy: no answer on port ${port}: ${(e as Error).message}`);
    return 1;
  }
}
