/** What the browser test runs: the real main.ts process on free ports, restartable in place. */

import { startStreamPulse } from "../fixtures/streampulse.ts";

/** A running dashboard: main.ts as a child process. */
export interface Target {
  /** Always "process" (main.ts); kept for the browser test's report line. */
  kind: "process";
  url: string;
  dir: string;
  configPath: string;
  logs(): string;
  /** Previews running, when the target can tell (a process cannot: always undefined). */
  previews(): number | undefined;
  /** Stops it, keeping its folder when asked (for a restart). */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
  /** Starts it again on the same folder and ports. */
  restart(): Promise<Target>;
}

const LISTEN = "  host: 127.0.0.1\n  port: ";

/**
 * Starts the dashboard with `config` (YAML; `{{WEB}}` marks where the web block goes). Reuses
 * the folder and ports of an earlier run when `prev` is given.
 */
export async function startTarget(
  config: string,
  prev?: { dir: string; webPort: number; apiPort: number },
): Promise<Target> {
  const text = config.replace("{{WEB}}", `web:\n${LISTEN}{{WEB_PORT}}\n`) +
    `api:\n${LISTEN}{{API_PORT}}\n`;
  const proc = await startStreamPulse({
    dir: prev?.dir,
    config: prev ? undefined : text,
    webPort: prev?.webPort,
    apiPort: prev?.apiPort,
  });
  const url = `http://127.0.0.1:${proc.webPort}`;
  await proc.until(async () => (await fetch(`${url}/healthz`).then((r) => r.text())) === "ok");
  return {
    kind: "process",
    url,
    dir: proc.dir,
    configPath: proc.configPath,
    logs: proc.logs,
    previews: () => undefined,
    async stop(opts = {}) {
      const { code } = await proc.stop();
      if (!opts.keepDir) await Deno.remove(proc.dir, { recursive: true }).catch(() => {});
      if (code !== 0) throw new Error(`main.ts exited with ${code}\n${proc.logs().slice(-2000)}`);
    },
    restart: () =>
      startTarget(config, { dir: proc.dir, webPort: proc.webPort, apiPort: proc.apiPort }),
  };
}
