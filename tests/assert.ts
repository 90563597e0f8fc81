/** Minimal assertions for the tests (JSR's @std/assert is not reachable from our machines). */

import { deepStrictEqual, ok } from "node:assert/strict";

/** Fails unless `cond` is truthy. */
export function assert(cond: unknown, msg?: string): asserts cond {
  if (msg === undefined) ok(cond);
  else ok(cond, msg);
}

/** Deep equality with a readable diff. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (msg === undefined) deepStrictEqual(actual, expected);
  else deepStrictEqual(actual, expected, msg);
}

/** Fails when `text` does not include `part`. */
export function assertStringIncludes(text: string, part: string, msg?: string): void {
  ok(
    text.includes(part),
    msg ?? `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`,
  );
}

/** Runs `fn`, expects it to throw an instance of `cls`, returns the error. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  cls: new (...args: never[]) => E,
): E {
  try {
    fn();
  } catch (err) {
    ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    return err as E;
  }
  throw new Error(`expected ${cls.name} to be thrown`);
}

/** Awaits `fn`, expects it to reject with an instance of `cls`, returns the error. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  cls: new (...args: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    return err as E;
  }
  throw new Error(`expected ${cls.name} to be thrown`);
}
