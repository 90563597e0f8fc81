/** The one list of StreamPulse's runtime flags, and `deno compile` for the host or a named target. */

/**
 * Permission and runtime flags shared by `deno task start`, `deno task compile*` and the tests
 * (`tests/ship/compile_test.ts` checks that deno.json and `START_FLAGS` say exactly this).
 *
 * - net: stream hosts and listen ports come from config.yaml at run time, so no host list.
 * - read/write: not scoped. The data dir and the `--config`/`--db` paths are chosen at run time,
 *   `validate PATH` and mqtt.ca_file may be anywhere, and `resolve(".")` reads the cwd, but a
 *   compiled binary's permissions are fixed at build time. The OS confines it instead: systemd's
 *   `ProtectSystem=strict` + `StateDirectory`, the container's uid 10001 owning only /host.
 *   (tests/ship/compile_test.ts runs it with both scoped to the data dir and embedded files.)
 * - run: only ffprobe and ffmpeg (media checks, snapshots, live preview).
 * - env: not scoped. npm:debug (loaded by npm:mqtt, which mqtt/connection.ts imports statically)
 *   runs `Object.keys(process.env)` at import time, which Deno only allows with full env access:
 *   with `--allow-env=<names>` the process dies at start-up with NotCapable. The names read are
 *   {@link ENV_NAMES}.
 * - `--allow-sys=hostname` only: a fleet node's `node.name` defaults to the host's name.
 * - `--no-prompt`: a missing permission fails loudly instead of waiting on a terminal.
 * - `--max-semi-space-size=2` (MB): cut RSS from ~170 MB to ~125 MB at 1,000 streams.
 */
export const RUN_FLAGS: readonly string[] = [
  "--no-prompt",
  "--v8-flags=--max-semi-space-size=2",
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-run=ffprobe,ffmpeg",
  "--allow-sys=hostname",
  "--allow-env",
];

/**
 * Environment variables StreamPulse and its npm packages read (for the record, and for the day
 * npm:debug is gone and `--allow-env` can name them).
 */
export const ENV_NAMES: readonly string[] = [
  "LOG_LEVEL",
  "STREAMPULSE_CONFIG",
  "STREAMPULSE_DB",
  "STREAMPULSE_DATA_DIR",
  "STREAMPULSE_ADMIN_PASSWORD",
  "LOG_TOKENS", // npm:yaml
  "LOG_STREAM", // npm:yaml
  "READABLE_STREAM", // npm:readable-stream (via mqtt)
  "DEBUG", // npm:debug (via mqtt), plus every DEBUG_* it finds
  "MQTTJS_SOCKS_PROXY", // npm:mqtt
  "WS_NO_BUFFER_UTIL", // npm:ws (MQTT over WebSocket)
  "WS_NO_UTF_8_VALIDATE", // npm:ws
];

/** Files embedded in the binary: the client bundle + CSS, and the commented default config. */
export const INCLUDES: readonly string[] = ["web/static", "config.yaml"];

/** Cross-compile targets by task suffix (`deno task compile:<name>`). */
export const TARGETS: Readonly<Record<string, string>> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "macos-x64": "x86_64-apple-darwin",
  "macos-arm64": "aarch64-apple-darwin",
  "windows-x64": "x86_64-pc-windows-msvc",
};

/**
 * The `deno compile` arguments (without the executable) for the host, or for `target` (a Rust
 * target triple), writing `dist/streampulse` or `dist/streampulse-<target>` (Windows adds .exe).
 */
export function compileArgs(target?: string): string[] {
  if (target !== undefined && !Object.values(TARGETS).includes(target)) {
    throw new TypeError(
      `Unknown target "${target}": expected one of ${Object.values(TARGETS).join(", ")}`,
    );
  }
  return [
    "compile",
    ...RUN_FLAGS,
    // Only the npm packages main.ts reaches: not the test-only puppeteer-core and friends.
    "--exclude-unused-npm",
    ...INCLUDES.flatMap((path) => ["--include", path]),
    ...(target ? ["--target", target] : []),
    "--output",
    target ? `dist/streampulse-${target}` : "dist/streampulse",
    "main.ts",
  ];
}

if (import.meta.main) {
  const target = Deno.args[0];
  const args = compileArgs(target);
  // Relative paths (includes, output, main.ts) are the repo's, wherever the task was started.
  const cwd = new URL("..", import.meta.url);
  console.error(`$ deno ${args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), { args, cwd }).spawn().status;
  Deno.exit(code);
}
