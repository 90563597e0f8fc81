/** Abortable waiting, shared by the scheduler, the supervisor and periodic tasks. */

/**
 * Resolves after `ms`, or as soon as `signal` aborts (it never rejects, so loops simply check
 * `signal.aborted` afterwards). Leaves no timer behind either way.
 */
export function delay(ms: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = opts;
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
