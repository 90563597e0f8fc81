/** Runs a child that reads its input from stdin (bytes we hold), with the pool's run contract. */

import type { RunOptions, RunResult } from "../process_pool.ts";

/** Options of a {@link StdinRunner} call: the pool's, plus the bytes written to stdin. */
export interface StdinRunOptions extends RunOptions {
  /** Written to the child's stdin, which is then closed. */
  stdin: Uint8Array;
}

/**
 * Runs one command with `stdin` as its input (args as an array, never a shell). The same result
 * contract as the process pool's `CommandRunner`: never throws for a failing child, only when
 * it cannot spawn. The pool's runner has no stdin today; when it gains one, pass it instead
 * of {@link runWithStdin} so these children count against the same cap.
 */
export type StdinRunner = (
  cmd: string,
  args: string[],
  opts: StdinRunOptions,
) => Promise<RunResult>;

const STDERR_KEEP = 8192;

/**
 * The default {@link StdinRunner}: spawns directly (not capped: pass a capped runner where
 * many checks run at once). Kills the child (SIGKILL) on `timeoutMs`, on `signal`, and when
 * stdout passes `maxStdoutBytes` (default 4 MiB).
 */
export const runWithStdin: StdinRunner = async (cmd, args, o) => {
  const t0 = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let why: "timeout" | "abort" | "size" | undefined;
  const kill = (reason: NonNullable<typeof why>) => {
    why ??= reason;
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  };
  const timer = setTimeout(() => kill("timeout"), o.timeoutMs);
  const onAbort = () => kill("abort");
  o.signal?.addEventListener("abort", onAbort, { once: true });
  if (o.signal?.aborted) kill("abort");
  const write = (async () => {
    const w = child.stdin.getWriter();
    try {
      await w.write(o.stdin);
      await w.close();
    } catch { /* the child stopped reading (exited, killed): its output tells why */ }
  })();
  const out = collect(child.stdout, o.maxStdoutBytes ?? 4 << 20, () => kill("size"));
  const err = collect(child.stderr, 256 * 1024, () => {});
  try {
    const status = await child.status;
    await Promise.all([write, out.done, err.done]);
    return {
      code: status.signal === null ? status.code : null,
      stdout: out.bytes(),
      stderr: new TextDecoder().decode(err.bytes().slice(-STDERR_KEEP)),
      timedOut: why === "timeout",
      aborted: why === "abort",
      truncated: why === "size",
      ms: Math.round(performance.now() - t0),
      pid: child.pid,
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
  }
};

/** Reads a stream into memory up to `max` bytes; past that calls `over` and stops keeping. */
function collect(stream: ReadableStream<Uint8Array>, max: number, over: () => void) {
  const parts: Uint8Array[] = [];
  let size = 0;
  const done = (async () => {
    try {
      for await (const chunk of stream) {
        if (size + chunk.length > max) {
          parts.push(chunk.subarray(0, max - size));
          size = max;
          over();
          break;
        }
        parts.push(chunk);
        size += chunk.length;
      }
    } catch { /* the child was killed mid-read */ }
  })();
  const bytes = () => {
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  };
  return { done, bytes };
}
