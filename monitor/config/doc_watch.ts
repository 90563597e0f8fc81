/** Follows the fleet's shared config document: applies on NOTIFY, polls the version as a fallback. */

import type { ConfigDoc, ConfigDocListener, ConfigDocRead } from "./doc.ts";

/** Options of {@link watchConfigDoc}. */
export interface WatchDocOptions {
  /** Stops the watcher. */
  signal: AbortSignal;
  /** Called with each new version of the document (never twice for one version). */
  onChange: (read: ConfigDocRead) => void | Promise<void>;
  /** Called when the database cannot be read or listened to; the same problem once. */
  onError?: (err: Error) => void;
  /** The version already applied, so it is not reported again. */
  initialVersion?: number;
  /**
   * Also compare the version this often (default 1000 ms): a notification sent while the
   * listening connection was down is lost, so a missed one costs at most this long.
   */
  pollMs?: number;
}

const asError = (err: unknown) => err instanceof Error ? err : new Error(String(err));

/**
 * Watches the shared document. A notification (any node's write) or a poll finding another
 * version reads the document and calls `onChange`; one read at a time, and anything that
 * happens during a read causes one more. The subscription is retried on each poll until it
 * holds. Resolves when `signal` aborts (after the running read and `onChange` end).
 */
export async function watchConfigDoc(doc: ConfigDoc, opts: WatchDocOptions): Promise<void> {
  const { signal } = opts;
  if (signal.aborted) return;
  let last = opts.initialVersion;
  let lastError: string | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let full = false; // a notification or a new subscription: read the text, not just the version
  let listener: ConfigDocListener | undefined;
  let subscribing: Promise<void> | undefined;

  const report = (err: unknown) => {
    if (signal.aborted) return;
    const e = asError(err);
    const key = `${e.name}: ${e.message}`;
    if (key !== lastError) opts.onError?.(e);
    lastError = key;
  };
  const judge = async () => {
    const forced = full;
    full = false;
    try {
      if (!forced) {
        const v = await doc.version();
        if (v === last || v === undefined) return void (lastError = undefined);
      }
      const read = await doc.read();
      lastError = undefined;
      if (read === undefined || read.version === last || signal.aborted) return;
      last = read.version;
      await opts.onChange(read);
    } catch (err) {
      report(err);
    }
  };
  const check = (force = false) => {
    if (signal.aborted) return;
    full ||= force;
    if (running) return void (again = true);
    running = judge().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        check();
      }
    });
  };
  const subscribe = () => {
    if (listener || subscribing || signal.aborted) return;
    subscribing = doc.listen(() => check(true), () => check(true))
      .then(async (l) => {
        if (signal.aborted) await l.unlisten().catch(() => {});
        else listener = l;
      }, report)
      .finally(() => subscribing = undefined);
  };

  subscribe();
  check(); // a write between the caller's read and the subscription
  const poll = setInterval(() => {
    subscribe();
    check();
  }, opts.pollMs ?? 1000);
  await new Promise<void>((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
  clearInterval(poll);
  await subscribing;
  await listener?.unlisten().catch(() => {});
  await running;
}
