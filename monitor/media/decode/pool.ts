/** The decode pool: at most `size` pictures decoding at once (default: the cores), a bounded line. */

/** Options of {@link createSlots}. */
export interface SlotsDeps {
  /** Pictures decoding at once (default `navigator.hardwareConcurrency`). */
  size?: number;
  /** Pictures allowed to wait for a slot; one more is refused at once (default size × 16). */
  maxQueue?: number;
}

/** A slot was had (call `release` once), or why not. */
export type SlotGrant = { ok: true; release: () => void } | { ok: false; why: string };

/** Counters of a {@link Slots}. */
export interface SlotStats {
  size: number;
  busy: number;
  queued: number;
  /** Requests refused because the line was full, since creation. */
  refused: number;
}

/** A counting semaphore with a bounded, abortable line. */
export interface Slots {
  acquire(signal?: AbortSignal): Promise<SlotGrant>;
  stats(): SlotStats;
  /** Refuses every waiter and every later request. */
  close(): void;
}

/** Creates the pool's slots. */
export function createSlots(options: SlotsDeps = {}): Slots {
  const size = Math.max(1, Math.floor(options.size ?? navigator.hardwareConcurrency ?? 2));
  const maxQueue = Math.max(0, Math.floor(options.maxQueue ?? size * 16));
  const line: { grant: (g: SlotGrant) => void }[] = [];
  let busy = 0;
  let refused = 0;
  let closed = false;

  const release = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = line.shift();
      if (next && !closed) next.grant({ ok: true, release: release() });
      else busy--;
    };
  };

  return {
    acquire(signal) {
      if (closed) return Promise.resolve({ ok: false, why: "the decode pool is closed" });
      if (signal?.aborted) return Promise.resolve({ ok: false, why: "stopped" });
      if (busy < size) {
        busy++;
        return Promise.resolve({ ok: true, release: release() });
      }
      if (line.length >= maxQueue) {
        refused++;
        return Promise.resolve({
          ok: false,
          why: `the decode queue is full (${line.length} waiting for ${size} decoders)`,
        });
      }
      return new Promise((resolve) => {
        const entry = {
          grant: (g: SlotGrant) => {
            signal?.removeEventListener("abort", onAbort);
            resolve(g);
          },
        };
        const onAbort = () => {
          const i = line.indexOf(entry);
          if (i >= 0) line.splice(i, 1);
          entry.grant({ ok: false, why: "stopped" });
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        line.push(entry);
      });
    },
    stats: () => ({ size, busy, queued: line.length, refused }),
    close() {
      closed = true;
      for (const w of line.splice(0)) w.grant({ ok: false, why: "the decode pool is closed" });
    },
  };
}
