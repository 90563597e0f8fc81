/** Bench helper: a process's descendants sampled from /proc — CPU by command name, summed RSS. */

/** One /proc/<pid>/stat reading. */
interface ProcRow {
  ppid: number;
  comm: string;
  /** utime + stime, clock ticks. */
  ticks: number;
  rssKb: number;
}

const PAGE_KB = 4;

/** One process's stat line, or undefined when it ended meanwhile. */
function readRow(pid: number): ProcRow | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const close = stat.lastIndexOf(")");
    const f = stat.slice(close + 2).split(" ");
    return {
      ppid: Number(f[1]),
      comm: stat.slice(stat.indexOf("(") + 1, close),
      ticks: Number(f[11]) + Number(f[12]),
      rssKb: Number(f[21]) * PAGE_KB,
    };
  } catch {
    return undefined;
  }
}

/**
 * The descendants of `root` now, read from `/proc/<pid>/task/<tid>/children` (cheap enough to
 * do ten times a second, unlike scanning all of /proc).
 */
function descendants(root: number): Map<number, ProcRow> {
  const out = new Map<number, ProcRow>();
  const visit = (pid: number) => {
    let tasks: Deno.DirEntry[];
    try {
      tasks = [...Deno.readDirSync(`/proc/${pid}/task`)];
    } catch {
      return;
    }
    for (const t of tasks) {
      let kids: string;
      try {
        kids = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`);
      } catch {
        continue;
      }
      for (const k of kids.split(" ").filter(Boolean).map(Number)) {
        const row = readRow(k);
        if (!row || out.has(k)) continue;
        out.set(k, row);
        visit(k);
      }
    }
  };
  visit(root);
  return out;
}

/**
 * Samples the descendants of `root` (call {@link sample} every ~100 ms): the largest sum
 * of their RSS, and the CPU each command name (ffmpeg, ffprobe…) spent since {@link mark}. A
 * child that lives shorter than the sampling period, or the last moments of one, are missed:
 * the exact total of all children is the tree CPU of proc.ts minus the root's own.
 */
export class TreeSampler {
  #root: number;
  #ticks: number;
  #start = new Map<number, number>();
  #last = new Map<number, { comm: string; ticks: number }>();
  #marked = false;
  /** Largest sum of the descendants' RSS seen since {@link mark}, MB. */
  peakChildrenRssMb = 0;
  /** Most descendants alive at once since {@link mark}. */
  peakChildren = 0;
  /** Distinct descendant pids seen since {@link mark}. */
  seen = 0;

  constructor(root: number, ticks: number) {
    this.#root = root;
    this.#ticks = ticks;
  }

  /** Starts the window: CPU already spent by live descendants does not count. */
  mark(): void {
    this.#start.clear();
    this.#last.clear();
    for (const [pid, r] of descendants(this.#root)) this.#start.set(pid, r.ticks);
    this.peakChildrenRssMb = 0;
    this.peakChildren = 0;
    this.seen = 0;
    this.#marked = true;
  }

  /** One reading. */
  sample(): void {
    if (!this.#marked) return;
    const rows = descendants(this.#root);
    let rss = 0;
    for (const [pid, r] of rows) {
      rss += r.rssKb;
      if (!this.#last.has(pid)) this.seen++;
      this.#last.set(pid, { comm: r.comm, ticks: r.ticks });
    }
    this.peakChildrenRssMb = Math.max(this.peakChildrenRssMb, rss / 1024);
    this.peakChildren = Math.max(this.peakChildren, rows.size);
  }

  /** CPU seconds per command name since {@link mark}, largest first. */
  byComm(): [string, number][] {
    const out = new Map<string, number>();
    for (const [pid, l] of this.#last) {
      const s = (l.ticks - (this.#start.get(pid) ?? 0)) / this.#ticks;
      out.set(l.comm, (out.get(l.comm) ?? 0) + s);
    }
    return [...out].sort((a, b) => b[1] - a[1]);
  }
}
