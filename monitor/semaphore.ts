/** A counting semaphore whose waiters leave the queue when their signal aborts. */

/** Limits how many holders run at once (the global cap on concurrent checks). */
export class Semaphore {
  #free: number;
  #waiters: Array<() => void> = [];

  /** Creates a semaphore with `permits` slots. */
  constructor(permits: number) {
    this.#free = permits;
  }

  /** Holders waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Waits for a slot; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  /** Frees a slot, handing it straight to the oldest waiter. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}
