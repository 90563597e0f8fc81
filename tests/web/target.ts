/** What the browser test runs: the real main.ts once it serves the dashboard, else the harness. */

import { freePort } from "../fixtures/rtsp.ts";
import { startWebStack } from "./harness.ts";
import { RUN_FLAGS } from "../../scripts/compile.ts";

/** A running dashboard, whichever way it was started. */
export interface Target {
  /** "process" (main.ts) or "harness" (tests/web/harness.ts). */
  kind: "process" | "harness";
  url: string;
  dir: string;
  configPath: string;
  logs(): string;
  /** Previews running, when the target can tell (the harness can). */
  previews(): number | undefined;
  /** Stops it, keeping its folder when asked (for a restart). */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
  /** Starts it again on the same folder and ports. */
  restart(): Promise<Target>;
}

const MAIN = new URL("../../main.ts", import.meta.url);
// The flags of `deno task start` and of the compiled binary, from their one source.
const FLAGS = RUN_FLAGS;

/** True when main.ts wires the dashboard in (the lead does that; until then the harness runs). */
export async function mainServesDashboard(): Promise<boolean> {
  return (await Deno.readTextFile(MAIN)).includes("createWebApp(");
}

async function startProcess(
  dir: string,
  url: string,
): Promise<{ logs(): string; stop(): Promise<number> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...FLAGS, decodeURIComponent(MAIN.pathname), "--data-dir", dir],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of s) log += dec.decode(chunk, { stream: true });
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]).catch(() => {});
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const s = await child.status;
    await pumps;
    return s.code;
  };
  const end = Date.now() + 20_000;
  while (true) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.text(), () => "") === "ok";
    if (ok) break;
    if (Date.now() > end) {
      await stop();
      throw new Error(`main.ts did not serve ${url}\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { logs: () => log, stop };
}

/**
 * Starts the dashboard with `config` (YAML; `{{WEB}}` marks where the web block goes). Reuses
 * the folder and ports of an earlier run when `prev` is given.
 */
export async function startTarget(
  config: string,
  prev?: { dir: string; webPort: number },
): Promise<Target> {
  if (await mainServesDashboard()) {
    const webPort = prev?.webPort ?? freePort();
    const dir = prev?.dir ?? await Deno.makeTempDir({ prefix: "streampulse-web-e2e-" });
    const configPath = `${dir}/config.yaml`;
    if (!prev) {
      const web = `web:\n  host: 127.0.0.1\n  port: ${webPort}\n`;
      const api = `api:\n  host: 127.0.0.1\n  port: ${freePort()}\n`;
      await Deno.writeTextFile(configPath, config.replace("{{WEB}}", web) + api);
    }
    const url = `http://127.0.0.1:${webPort}`;
    const proc = await startProcess(dir, url);
    return {
      kind: "process",
      url,
      dir,
      configPath,
      logs: proc.logs,
      previews: () => undefined,
      async stop(opts = {}) {
        const code = await proc.stop();
        if (!opts.keepDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
        if (code !== 0) throw new Error(`main.ts exited with ${code}\n${proc.logs().slice(-2000)}`);
      },
      restart: () => startTarget(config, { dir, webPort }),
    };
  }
  const stack = await startWebStack({
    config: prev ? undefined : config.replace("{{WEB}}", ""),
    dir: prev?.dir,
    port: prev?.webPort,
    reloadWaitMs: 2000,
  });
  return {
    kind: "harness",
    url: stack.url,
    dir: stack.dir,
    configPath: stack.configPath,
    logs: stack.logs,
    previews: () => stack.web.previews(),
    stop: (opts) => stack.stop(opts),
    restart: () =>
      startTarget(config, { dir: stack.dir, webPort: Number(new URL(stack.url).port) }),
  };
}
