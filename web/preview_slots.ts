/** Preview slots (each ends on close, the caller's abort or a time limit) and slot-bound bodies. */

/** One taken preview slot: `signal` aborts when it must end; `free()` gives the slot back. */
export interface Slot {
  signal: AbortSignal;
  end(): void;
  free(): void;
}

/** The slots of one preview runner. */
export interface Slots {
  /** Takes a slot that ends on {@link Slots.endAll}, on `signal`'s abort, or after `limitMs`. */
  take(signal: AbortSignal | undefined, limitMs: number): Slot;
  /** Slots taken and not freed yet. */
  size(): number;
  /** Ends every slot (their owners free them). */
  endAll(): void;
}

/** Creates an empty set of slots. */
export function createSlots(): Slots {
  const running = new Set<() => void>();
  return {
    take(signal, limitMs) {
      const ctrl = new AbortController();
      const end = () => ctrl.abort();
      running.add(end);
      signal?.addEventListener("abort", end, { once: true });
      if (signal?.aborted) end();
      const timer = setTimeout(end, limitMs);
      const free = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", end);
        running.delete(end);
      };
      return { signal: ctrl.signal, end, free };
    },
    size: () => running.size,
    endAll() {
      for (const end of running) end();
    },
  };
}

/**
 * A response body reading `reader` (after `head`, bytes already read from it); the slot ends
 * when the source ends or fails, and when the client cancels; the slot's end cancels the source.
 */
export function slotBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  slot: Slot,
  head?: Uint8Array,
): ReadableStream<Uint8Array> {
  slot.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), {
    once: true,
  });
  let first = head;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        controller.enqueue(first);
        first = undefined;
        return;
      }
      try {
        const { value, done } = await reader.read();
        if (done) {
          slot.end();
          controller.close();
        } else controller.enqueue(value);
      } catch {
        slot.end();
        try {
          controller.close();
        } catch { /* already closed */ }
      }
    },
    cancel: () => slot.end(),
  });
}
