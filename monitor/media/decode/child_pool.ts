/** Idle long-lived children by key: reuse the latest, stop them after a while, keep at most N. */

/** What the pool needs of a child. */
export interface PoolableChild {
  alive(): boolean;
  kill(): Promise<void>;
}

/** Options of {@link createChildPool}. */
export interface ChildPoolDeps<C> {
  /** Starts a child for `key`; may throw (ffmpeg missing). */
  spawn(key: string): C;
  /** An idle child is stopped after this long (default 120 s). */
  idleMs?: number;
  /** Idle children kept in all; one more stops the least recently used (default: no limit). */
  maxIdle?: number;
}

/** Children handed out by key and given back when done. */
export interface ChildPool<C> {
  /** The most recently used idle child of `key`, or a new one (throws if it cannot start). */
  take(key: string): C;
  /** Makes `child` idle again (a dead child, or any after close(), is dropped). */
  giveBack(key: string, child: C): void;
  /** Children alive, busy or idle. */
  count(): number;
  /** Children idle now. */
  idle(): number;
  /** Kills every child, busy or idle; resolves once they exited. */
  close(): Promise<void>;
}

/**
 * Creates a pool. Idle children sit in one list in the order they were given back, so the
 * least recently used is first: that one goes when `maxIdle` is exceeded, and each has its own
 * idle timer (unref'd: an idle child never holds the process open).
 */
export function createChildPool<C extends PoolableChild>(deps: ChildPoolDeps<C>): ChildPool<C> {
  const maxIdle = deps.maxIdle ?? Infinity;
  const idle: { key: string; child: C; timer: ReturnType<typeof setTimeout> }[] = [];
  const all = new Set<C>();
  let closed = false;

  const drop = (child: C) => {
    all.delete(child);
    return child.kill();
  };
  const unidle = (i: number) => {
    const [e] = idle.splice(i, 1);
    clearTimeout(e.timer);
    return e.child;
  };

  return {
    take(key) {
      if (closed) throw new Error("the child pool is closed");
      for (let i = idle.length - 1; i >= 0; i--) {
        if (idle[i].key !== key) continue;
        const child = unidle(i);
        if (child.alive()) return child;
        all.delete(child);
      }
      const child = deps.spawn(key);
      all.add(child);
      return child;
    },
    giveBack(key, child) {
      if (closed || !child.alive()) {
        all.delete(child);
        return;
      }
      const timer = setTimeout(() => {
        const i = idle.findIndex((e) => e.child === child);
        if (i >= 0) drop(unidle(i));
      }, deps.idleMs ?? 120_000);
      Deno.unrefTimer(timer);
      idle.push({ key, child, timer });
      while (idle.length > maxIdle) drop(unidle(0));
    },
    count: () => all.size,
    idle: () => idle.length,
    async close() {
      closed = true;
      for (const e of idle.splice(0)) clearTimeout(e.timer);
      await Promise.all([...all].map((c) => c.kill()));
      all.clear();
    },
  };
}
