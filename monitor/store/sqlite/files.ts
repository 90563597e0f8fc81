/** Start-up check that the store's file, its folder and any -wal/-shm left behind are writable. */

import { dirname } from "node:path";

/**
 * Throws an Error naming the first of `path`, its folder, `path-wal` and `path-shm` that this
 * process cannot write (immutable, read-only mount, wrong owner). SQLite itself would open such
 * files read-only and fail later with "attempt to write a readonly database", or die with SIGBUS
 * on a mapped -shm it cannot grow; checking first gives a clear message at start instead.
 * `:memory:` and "" (temporary databases) are not checked.
 */
export function checkStoreFiles(path: string): void {
  if (path === ":memory:" || path === "" || path.startsWith("file:")) return;
  const dir = dirname(path);
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let f: Deno.FsFile;
    try {
      f = Deno.openSync(file, { read: true, write: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw new Error(
        `Cannot open the store: "${file}" is not writable (${why(err)}); make it writable ` +
          "(owner, mode, chattr -i) or choose another --data-dir",
        { cause: err },
      );
    }
    f.close();
  }
  // A new -wal/-shm (or the database itself) must be creatable next to it.
  const probe = `${dir}/.streampulse-write-check-${Deno.pid}`;
  try {
    Deno.writeFileSync(probe, new Uint8Array());
    Deno.removeSync(probe);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return; // no folder: SQLite says so itself
    throw new Error(
      `Cannot open the store "${path}": its folder "${dir}" is not writable (${why(err)}); ` +
        "make it writable or choose another --data-dir",
      { cause: err },
    );
  }
}

/** The OS reason without Deno's ": open '/path'" tail (the message names the file already). */
const why = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).replace(/: \w+ '[^']*'$/, "");
