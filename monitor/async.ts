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

/**
 * Runs a generator that yields the store's answers (values now, or Promises later) and resumes
 * with each answer: synchronously while every answer is a plain value (SQLite), as a Promise
 * from the first Promise on (PostgreSQL). One body of code serves both without making a
 * synchronous caller wait a tick. An exception or rejection is thrown into the generator.
 */
export function drive<T>(gen: Generator<unknown, T, unknown>): T | Promise<T> {
  let r = gen.next();
  while (!r.done) {
    const v = r.value;
    if (v instanceof Promise) return finish(gen, v);
    r = gen.next(v);
  }
  return r.value;
}

async function finish<T>(gen: Generator<unknown, T, unknown>, first: Promise<unknown>): Promise<T> {
  let pending: unknown = first;
  while (true) {
    let r: IteratorResult<unknown, T>;
    try {
      const answer = await pending;
      r = gen.next(answer);
    } catch (err) {
      r = gen.throw(err); // a rejected answer goes into the generator, which may catch it
    }
    if (r.done) return r.value;
    pending = r.value;
  }
}
