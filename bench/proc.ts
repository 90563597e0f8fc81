/** Benchmark helpers: /proc readings, child processes that always get cleaned up, percentiles. */

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
export async function clockTicks(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Fields of /proc/<pid>/stat after the command name (index 0 is the state, 1 the ppid). */
function statFields(pid: number | string): string[] {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name may hold spaces or parentheses: fields are counted after the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** User + system CPU seconds of a process (all its threads) from /proc/<pid>/stat. */
export function cpuSeconds(pid: number, ticks: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) / ticks;
}

/**
 * CPU seconds of a process and all its descendants: live ones from /proc, finished ones from
 * the children time the kernel adds to their parent once reaped (ffprobe runs of the engine).
 */
export function treeCpuSeconds(pid: number, ticks: number): number {
  const kids = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const ppid = Number(statFields(e.name)[1]);
      kids.set(ppid, [...kids.get(ppid) ?? [], Number(e.name)]);
    } catch { /* ended meanwhile */ }
  }
  let total = 0;
  const visit = (p: number) => {
    try {
      const f = statFields(p);
      total += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch { /* ended meanwhile */ }
    for (const k of kids.get(p) ?? []) visit(k);
  };
  visit(pid);
  return total / ticks;
}

/** Busy CPU seconds of the whole machine, all cores (user, nice, system, irq, softirq, steal). */
export function machineBusySeconds(ticks: number): number {
  const f = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).map(Number);
  return (f[1] + f[2] + f[3] + f[6] + f[7] + f[8]) / ticks;
}

/** CPU seconds per thread name (digits folded: "V8 Worker", "tokio-runtime-w…") of a process. */
export function threadCpu(pid: number, ticks: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const name = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/comm`).trim()
        .replace(/\d+/g, "#");
      const stat = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/stat`);
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / ticks);
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

/** Per-thread CPU spent between two {@link threadCpu} readings, largest first. */
export function threadDelta(a: Map<string, number>, b: Map<string, number>): [string, number][] {
  return [...b].map(([k, v]): [string, number] => [k, v - (a.get(k) ?? 0)])
    .sort((x, y) => y[1] - x[1]);
}

/** Resident set size now and its high-water mark, in MB, from /proc/<pid>/status. */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** The value at quantile `q` (0–1) of `sorted` (ascending), nearest rank; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A child started through {@link Children.spawn}. */
export interface Child {
  name: string;
  process: Deno.ChildProcess;
  /** Resolves with the exit status (never rejects). */
  exited: Promise<Deno.CommandStatus>;
}

/** Tracks child processes and temp dirs so every exit path (also Ctrl-C) removes them. */
export class Children {
  #children = new Set<Child>();
  #dirs = new Set<string>();

  /** Spawns and tracks a process. */
  spawn(name: string, cmd: string, opts: Deno.CommandOptions): Child {
    const process = new Deno.Command(cmd, opts).spawn();
    const child: Child = { name, process, exited: process.status };
    this.#children.add(child);
    child.exited.then(() => this.#children.delete(child));
    return child;
  }

  /** Creates and tracks a temp dir. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await Deno.makeTempDir({ prefix });
    this.#dirs.add(dir);
    return dir;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status. */
  async stop(child: Child, graceMs = 6000): Promise<Deno.CommandStatus> {
    try {
      child.process.kill("SIGTERM");
    } catch { /* already gone */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((r) => timer = setTimeout(() => r(null), graceMs));
    const st = await Promise.race([child.exited, late]);
    clearTimeout(timer);
    if (st) return st;
    try {
      child.process.kill("SIGKILL");
    } catch { /* gone meanwhile */ }
    return await child.exited;
  }

  /** Removes a temp dir now. */
  async removeDir(dir: string): Promise<void> {
    this.#dirs.delete(dir);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  /** Stops every tracked child and removes every tracked dir. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.#children].map((c) => this.stop(c, 3000)));
    await Promise.all([...this.#dirs].map((d) => this.removeDir(d)));
  }
}

/** Reads a child's stdout line by line. */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  const text = new TextDecoder();
  for await (const bytes of stream) {
    const chunk = text.decode(bytes, { stream: true });
    rest += chunk;
    let nl;
    while ((nl = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
  }
  if (rest) yield rest;
}

/** Keeps the last `max` characters of a child's output (for error reports), and appends all of
 * it to `file` when given. */
export function tail(stream: ReadableStream<Uint8Array>, max = 8192, file?: string): () => string {
  let text = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const bytes of stream) {
      const t = decoder.decode(bytes, { stream: true });
      text = (text + t).slice(-max);
      if (file) Deno.writeTextFileSync(file, t, { append: true });
    }
  })().catch(() => {});
  return () => text;
}
