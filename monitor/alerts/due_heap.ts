/** The alert engine's due-time index: a binary min-heap of work by time, kind and insertion. */

/** What orders an item: its time (ms), then its kind (lower first at the same time). */
export interface DueKey {
  at: number;
  prio: number;
}

/**
 * The due-time index: a binary min-heap by time, then kind (an outage due at a batch's flush time
 * joins the batch), then insertion. Stale items are skipped when they come up, and dropped in bulk
 * by `retain` when they pile up.
 */
export class DueHeap<T extends DueKey> {
  #items: (T & { seq: number })[] = [];
  #seq = 0;

  /** Items queued, stale ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** Queues an item. */
  push(item: T): void {
    const a = this.#items;
    a.push({ ...item, seq: this.#seq++ });
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  /** The earliest item, left in place. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      this.#down(0);
    }
    return top;
  }

  /** Keeps only the items `keep` accepts. */
  retain(keep: (x: T) => boolean): void {
    this.#items = this.#items.filter(keep);
    for (let i = (this.#items.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  #down(i: number): void {
    const a = this.#items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.#less(l, m)) m = l;
      if (r < a.length && this.#less(r, m)) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }

  #less(i: number, j: number): boolean {
    const x = this.#items[i];
    const y = this.#items[j];
    return x.at !== y.at ? x.at < y.at : x.prio !== y.prio ? x.prio < y.prio : x.seq < y.seq;
  }
}
