/** The mirror: other nodes' current stream states, read from the shared store as they change. */

import { clipText, redactText } from "../redact.ts";
import type { CurrentRow } from "../types.ts";

/** One stream's current row as the store serves it (monitor/types.ts CurrentRow). */
export type MirrorRow = CurrentRow;

/** What {@link createMirror} needs. */
export interface MirrorDeps {
  /** This node's name: rows it wrote itself are cached but not observed. */
  self: string;
  /** Rows whose seq is above `sinceSeq`, in seq order, one page; `seq`: where to go on. */
  readCurrent(sinceSeq: number): Promise<{ seq: number; rows: readonly MirrorRow[] }>;
  /**
   * Listens for write notifications (`onNotify(node)`); `onListen` after every (re)connect.
   * Resolves with the function that stops it.
   */
  listenCurrent(
    onNotify: (node: string) => void,
    onListen: () => void,
  ): Promise<() => Promise<void>>;
  /** Hears every row another node wrote (new, or again on a full read). */
  observe(row: MirrorRow & { node: string }): void;
  logger: { info(msg: string): void; warn(msg: string): void };
  now?: () => number;
  /** Poll for changes this often even without a notification (default 1000 ms). */
  pollMs?: number;
  /** Read every row this often, whatever the notifications said (default 10,000 ms). */
  fullReadMs?: number;
  /** The store's page size: a page this full means more follow (default 10,000). */
  pageSize?: number;
  /** Longest wait for one read (default 5000 ms). */
  timeoutMs?: number;
}

/** See {@link createMirror}. */
export interface Mirror {
  /** The loop: listens, polls, reads in full now and then; ends when `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Reads what changed (everything before the first full read); runs between the loop's reads. */
  catchUp(): Promise<void>;
  /** The newest row seen of a stream (this node's own included). */
  row(name: string): MirrorRow | undefined;
  /** Per node (not this one): ms since the newest check seen from it. */
  lagMs(): Record<string, number>;
  /** The last read's error (redacted), cleared by a good read. */
  lastError(): string | undefined;
}

const describe = (err: unknown) =>
  clipText(redactText(err instanceof Error ? err.message : String(err)), 300);

/** Bounds a promise by `ms` (the read itself goes on; its answer is then ignored). */
function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Creates the mirror. Three triggers read the rows whose seq grew since the last read: a
 * notification from another node's write batch (this node's own are skipped), a poll every
 * `pollMs` (a lost notification, a LISTEN not yet up), and a full read every `fullReadMs` and
 * after every (re)connect of the LISTEN (what a reconnect may have missed). Reads never overlap,
 * and each follows up to 100 full pages. Rows of other nodes go to `observe` (a full read repeats
 * them; the engine ignores what it already shows); every row is cached for `row()`, which gives
 * a node taking a stream over its previous owner's state.
 */
export function createMirror(deps: MirrorDeps): Mirror {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 1000;
  const fullReadMs = deps.fullReadMs ?? 10_000;
  const pageSize = deps.pageSize ?? 10_000;
  const timeoutMs = deps.timeoutMs ?? 5000;
  const rows = new Map<string, MirrorRow>();
  const newest = new Map<string, number>();
  let seq = 0;
  let readAll = true; // the next read starts from 0
  let nextFull = 0;
  let error: string | undefined;
  let chain: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  /** A notification came since the current read began: read again without a pause. */
  let poked = false;
  const poke = () => {
    poked = true;
    wake?.();
  };

  const take = (row: MirrorRow) => {
    const prev = rows.get(row.name);
    if (prev && prev.seq > row.seq) return;
    rows.set(row.name, row);
    const node = row.node;
    if (node === null || node === "" || node === deps.self) return;
    const ts = row.last?.ts ?? row.updatedAt;
    if (ts !== undefined && ts > (newest.get(node) ?? -Infinity)) newest.set(node, ts);
    deps.observe({ ...row, node });
  };

  const read = async () => {
    const full = readAll || now() >= nextFull;
    let from = full ? 0 : seq;
    try {
      for (let page = 0; page < 100; page++) {
        const got = await within("Fleet mirror read", deps.readCurrent(from), timeoutMs);
        for (const row of got.rows) take(row);
        from = got.seq;
        if (got.rows.length < pageSize) break;
      }
      seq = Math.max(seq, from);
      if (full) {
        readAll = false;
        nextFull = now() + fullReadMs;
      }
      if (error !== undefined) deps.logger.info("Fleet mirror: reads recovered");
      error = undefined;
    } catch (err) {
      if (error === undefined) deps.logger.warn(`Fleet mirror: read failed: ${describe(err)}`);
      error = `read failed: ${describe(err)}`;
    }
  };
  /** Queues a read after the one running (never two at once). */
  const serial = () => chain = chain.then(read);

  const listen = async (signal: AbortSignal) => {
    while (!signal.aborted) {
      try {
        const stop = await deps.listenCurrent((node) => {
          if (node !== deps.self) poke();
        }, () => {
          readAll = true;
          poke();
        });
        if (!signal.aborted) return stop;
        await stop().catch(() => {});
        return undefined;
      } catch (err) {
        if (error === undefined) deps.logger.warn(`Fleet mirror: LISTEN failed: ${describe(err)}`);
        error = `LISTEN failed: ${describe(err)}`;
        await new Promise<void>((r) => {
          const t = setTimeout(r, pollMs * 5);
          signal.addEventListener("abort", () => (clearTimeout(t), r()), { once: true });
        });
      }
    }
  };

  return {
    async run(signal) {
      const listening = listen(signal);
      while (!signal.aborted) {
        poked = false;
        await serial();
        if (poked) continue;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, pollMs);
          wake = done;
          signal.addEventListener("abort", done, { once: true });
        });
      }
      const stop = await listening;
      await stop?.().catch(() => {});
      await chain;
    },
    catchUp: () => serial(),
    row: (name) => rows.get(name),
    lagMs() {
      const t = now();
      return Object.fromEntries([...newest].map(([node, ts]) => [node, Math.max(0, t - ts)]));
    },
    lastError: () => error,
  };
}
