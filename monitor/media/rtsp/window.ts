/** The read window's clock: when to stop reading, decided without a wake-up per packet. */

import type { Collector } from "./collector.ts";
import type { WindowEnd } from "./sample.ts";

/** What {@link readWindow} watches besides the collector. */
export interface WindowWatch {
  /** When PLAY was sent (performance.now()). */
  startMs: number;
  windowMs: number;
  noDataMs: number;
  stallMs: number;
  /** Ends the window at once ("closed"). */
  signal: AbortSignal;
  /** A transport that can end by itself (TCP: the server closed the connection). */
  ended?: { readonly ended: boolean; onEnd: (() => void) | null };
}

/**
 * Resolves when the window ends: the collector's stop rule or limit ("done", "limit"), the
 * window's length ("window"), no packet within `noDataMs` of PLAY ("no-data"), no packet for
 * `stallMs` after the last ("stalled"), or the transport ending / an abort ("closed"). Packets
 * never wake it: a timer checks at each deadline and every half stall period (about 8 wake-ups
 * in a 4 s window), so a stall is seen within 1.5 × `stallMs`.
 */
export function readWindow(collector: Collector, w: WindowWatch): Promise<WindowEnd> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const finish = (end: WindowEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      collector.onStop = null;
      if (w.ended) w.ended.onEnd = null;
      w.signal.removeEventListener("abort", onAbort);
      resolve(end);
    };
    const onAbort = () => finish("closed");
    const check = () => {
      if (collector.stop) return finish(collector.stop);
      if (w.ended?.ended || w.signal.aborted) return finish("closed");
      const now = performance.now();
      const windowEnd = w.startMs + w.windowMs;
      if (now >= windowEnd) return finish("window");
      const quiet = collector.packets === 0
        ? w.startMs + w.noDataMs
        : collector.lastArrivalMs + w.stallMs;
      if (now >= quiet) return finish(collector.packets === 0 ? "no-data" : "stalled");
      // Also wake every half stall period: the first packets arrive after this timer was set.
      timer = setTimeout(check, Math.min(windowEnd, quiet, now + w.stallMs / 2) - now + 1);
    };
    collector.onStop = () => finish(collector.stop ?? "done");
    if (w.ended) w.ended.onEnd = () => finish("closed");
    w.signal.addEventListener("abort", onAbort, { once: true });
    check();
  });
}
