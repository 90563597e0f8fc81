/** A global cap on concurrent ffprobe/ffmpeg children, tracking each one so none outlives us. */

import { Semaphore } from "../semaphore.ts";

/** Options of one {@link CommandRunner} call. */
export interface RunOptions {
  /** Aborting kills the child (SIGKILL) and resolves once it has exited. */
  signal?: AbortSignal;
  /** Outer limit on the child's run time, ms (counted from spawn, not from the queue). */
  timeoutMs: number;
  /** Stdout beyond this many bytes kills the child and sets `truncated` (default 4 MiB). */
  maxStdoutBytes?: number;
  /** Written to the child's stdin, which is then closed (default: stdin is /dev/null). */
  stdin?: Uint8Array;
}

/** What a finished child left behind. Never thrown for a failing child: judge `code` and output. */
export interface RunResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  stdout: Uint8Array;
  /** The last 8 KiB of stderr, decoded. */
  stderr: string;
  /** Killed because `timeoutMs` passed. */
  timedOut: boolean;
  /** Killed because the caller's signal aborted. */
  aborted: boolean;
  /** Killed because stdout passed `maxStdoutBytes`. */
  truncated: boolean;
  /** Wall time from spawn to exit, ms. */
  ms: number;
  pid: number;
}

/** Runs one command (args as an array, never a shell). Rejects only when it cannot spawn at all. */
export type CommandRunner = (cmd: string, args: string[], opts: RunOptions) => Promise<RunResult>;

/** Options of {@link ProcessPool.stream}. */
export interface StreamOptions {
  /** Aborting kills the child (SIGKILL), or ends the wait for a slot with the signal's reason. */
  signal?: AbortSignal;
  /** Outer limit on the child's run time, ms (counted from spawn). */
  timeoutMs: number;
  /** How long to wait in line for a slot before giving up (default 2000 ms). */
  waitMs?: number;
}

/** A long-running child whose stdout the caller reads as it comes (a live preview). */
export interface StreamingChild {
  pid: number;
  /** The child's stdout; its stderr is discarded. */
  stdout: ReadableStream<Uint8Array>;
  /** Resolves once the child has exited and its slot is free again. */
  exited: Promise<void>;
  /** Kills the child (SIGKILL); later calls do nothing. */
  kill(): void;
}

/** Counters of a {@link ProcessPool}. */
export interface PoolStats {
  max: number;
  /** Children running now, streaming ones included. */
  running: number;
  /** Long-running {@link ProcessPool.stream} children (live previews), running or in line. */
  streaming: number;
  /** Most streaming children at once: half the slots, at least one. */
  maxStreaming: number;
  waiting: number;
  /** Children started since creation. */
  started: number;
  /** Children killed on timeout, abort, size limit or {@link ProcessPool.killAll}. */
  killed: number;
}

/**
 * A capped runner whose children can all be killed at once.
 *
 * Sharing rule between short checks ({@link ProcessPool.run}: ffprobe/ffmpeg for a few seconds)
 * and long-running children ({@link ProcessPool.stream}: a live preview, up to a minute):
 * - streaming children hold at most half the slots (at least one), so with two or more slots
 *   media checks always keep at least half the pool;
 * - a streaming child waits for its slot in the same first-come line as the checks, never
 *   ahead of them, and only for `waitMs` (then the caller answers "busy");
 * - a streaming child is killed after its own `timeoutMs`.
 * So a check is never starved: at worst, with a single slot, it waits out one preview.
 */
export interface ProcessPool {
  /** A {@link CommandRunner} that waits for a free slot first (the wait ends on abort). */
  run: CommandRunner;
  /**
   * Starts a long-running child under the sharing rule above, holding its slot until it exits.
   * Resolves undefined when no slot is free for it in time; rejects with the signal's reason
   * when `signal` aborts while waiting, and when the command cannot spawn.
   */
  stream(cmd: string, args: string[], opts: StreamOptions): Promise<StreamingChild | undefined>;
  /** Kills every running child with SIGKILL and resolves once all have exited. */
  killAll(): Promise<void>;
  /** PIDs of the children running now. */
  pids(): number[];
  stats(): PoolStats;
}

const STDERR_KEEP = 8192;

/** Creates a pool running at most `max` children at once (default: the number of cores). */
export function createProcessPool(opts: { max?: number } = {}): ProcessPool {
  const max = Math.max(1, opts.max ?? navigator.hardwareConcurrency ?? 2);
  const slots = new Semaphore(max);
  const maxStreaming = Math.max(1, Math.floor(max / 2));
  const running = new Map<number, { kill: () => void; exited: Promise<unknown> }>();
  let started = 0;
  let killed = 0;
  let streaming = 0;

  const run: CommandRunner = async (cmd, args, o) => {
    await slots.acquire(o.signal);
    try {
      return await spawnOne(cmd, args, o);
    } finally {
      slots.release();
    }
  };

  const spawnOne = async (cmd: string, args: string[], o: RunOptions): Promise<RunResult> => {
    const t0 = performance.now();
    const child = new Deno.Command(cmd, {
      args,
      stdin: o.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    started++;
    const write = o.stdin ? feed(child.stdin, o.stdin) : Promise.resolve();
    let why: "timeout" | "abort" | "size" | undefined;
    const kill = (reason: typeof why) => {
      why ??= reason;
      try {
        child.kill("SIGKILL");
        killed++;
      } catch { /* already exited */ }
    };
    running.set(child.pid, { kill: () => kill("abort"), exited: child.status });
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const onTimeout = () => kill("timeout");
    const onAbort = () => kill("abort");
    timeout.addEventListener("abort", onTimeout, { once: true });
    o.signal?.addEventListener("abort", onAbort, { once: true });
    if (o.signal?.aborted) kill("abort");
    const out = collect(child.stdout, o.maxStdoutBytes ?? 4 << 20, () => kill("size"));
    const err = collect(child.stderr, 256 * 1024, () => {}); // the tail of this is kept
    try {
      const status = await child.status;
      // A grandchild could hold the pipes open after the child died: stop reading soon after.
      let grace: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all([out.done, err.done, write]),
        new Promise((r) => grace = setTimeout(r, 500)),
      ]);
      clearTimeout(grace);
      out.cancel();
      err.cancel();
      const stdout = out.bytes();
      const stderr = new TextDecoder().decode(err.bytes().slice(-STDERR_KEEP));
      return {
        code: status.signal === null ? status.code : null,
        stdout,
        stderr,
        timedOut: why === "timeout",
        aborted: why === "abort",
        truncated: why === "size",
        ms: Math.round(performance.now() - t0),
        pid: child.pid,
      };
    } finally {
      timeout.removeEventListener("abort", onTimeout);
      o.signal?.removeEventListener("abort", onAbort);
      running.delete(child.pid);
    }
  };

  const stream = async (
    cmd: string,
    args: string[],
    o: StreamOptions,
  ): Promise<StreamingChild | undefined> => {
    if (streaming >= maxStreaming) return undefined;
    streaming++; // taken before the wait, so two callers cannot both pass the check above
    const waited = AbortSignal.timeout(o.waitMs ?? 2000);
    try {
      await slots.acquire(o.signal ? AbortSignal.any([o.signal, waited]) : waited);
    } catch (err) {
      streaming--;
      if (o.signal?.aborted) throw err;
      return undefined;
    }
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "null" })
        .spawn();
    } catch (err) {
      streaming--;
      slots.release();
      throw err;
    }
    started++;
    let dead = false;
    const kill = () => {
      if (dead) return;
      try {
        child.kill("SIGKILL");
        killed++;
        dead = true;
      } catch { /* already exited */ }
    };
    const timer = setTimeout(kill, o.timeoutMs);
    o.signal?.addEventListener("abort", kill, { once: true });
    if (o.signal?.aborted) kill();
    const exited = child.status.then(() => {}, () => {}).finally(() => {
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", kill);
      running.delete(child.pid);
      streaming--;
      slots.release();
    });
    running.set(child.pid, { kill, exited });
    return { pid: child.pid, stdout: child.stdout, exited, kill };
  };

  return {
    run,
    stream,
    async killAll() {
      const all = [...running.values()];
      for (const c of all) c.kill();
      await Promise.allSettled(all.map((c) => c.exited));
    },
    pids: () => [...running.keys()],
    stats: () => ({
      max,
      running: running.size,
      streaming,
      maxStreaming,
      waiting: slots.waiting,
      started,
      killed,
    }),
  };
}

/** Writes `bytes` to a child's stdin and closes it; a child that stopped reading is no error. */
async function feed(stdin: WritableStream<Uint8Array>, bytes: Uint8Array): Promise<void> {
  const w = stdin.getWriter();
  try {
    await w.write(bytes);
    await w.close();
  } catch { /* the child exited or was killed: its output tells why */ }
}

/**
 * Reads a stream in the background, keeping at most `max` bytes; past that calls `onOverflow`
 * once and drops the rest. `cancel()` stops reading early.
 */
function collect(stream: ReadableStream<Uint8Array>, max: number, onOverflow: () => void) {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let over = false;
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (over) continue;
      if (size + value.length > max) {
        over = true;
        onOverflow();
        continue;
      }
      parts.push(value);
      size += value.length;
    }
  })().catch(() => {});
  return {
    done,
    cancel: () => void reader.cancel().catch(() => {}),
    bytes(): Uint8Array {
      const all = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      return all;
    },
  };
}
