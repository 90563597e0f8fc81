/** Runs StreamPulse's main.ts as a child process, as a user runs the binary (tests/cli/). */

import { START_FLAGS } from "../fixtures/streampulse.ts";

/** main.ts of this checkout. */
export const MAIN = decodeURIComponent(new URL("../../main.ts", import.meta.url).pathname);

/** Runs `main.ts ARGS` as a process and returns its exit code and output. */
export async function cli(args: string[], opts: { cwd?: string; stdin?: string } = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...START_FLAGS, MAIN, ...args],
    cwd: opts.cwd,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
