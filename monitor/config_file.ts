/** config.yaml on disk: watch it (editors, renames, symlinks) and write it back safely. */

import { basename, dirname, join } from "node:path";
import { type Document, parseDocument } from "yaml";
import { parseConfig } from "./config.ts";

/** Options of {@link watchConfigFile}. */
export interface WatchOptions {
  /** Stops the watcher. */
  signal: AbortSignal;
  /** Called with the new text whenever the file's content really changed. */
  onChange: (text: string) => void | Promise<void>;
  /** Called when the file cannot be read (e.g. deleted mid-edit). */
  onError?: (err: Error) => void;
  /** Quiet time after the last event before re-reading (default 100 ms). */
  debounceMs?: number;
  /** The content already loaded, so an unchanged save does not trigger a reload. */
  initialText?: string;
  /**
   * Also re-check this often (default 1000 ms). inotify misses some changes — a symlink
   * re-pointed in one go, bind mounts from Docker Desktop or network file systems — and a
   * stat + read of a small file per second is cheap insurance.
   */
  pollMs?: number;
}

/** Resolves the real path of `path`, or `path` itself when it does not exist yet. */
async function realPathOr(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return path;
  }
}

/**
 * Watches a config file the way editors change it: in place, by writing a temp file and renaming
 * it over the original, or through a symlink (`/app/config.yaml -> /host/config.yaml`). Watching
 * the file itself dies after the first rename, so this watches the directory of the path and of
 * its real path with one `Deno.watchFs`, debounces, re-reads and compares content; a slow poll
 * catches what inotify misses. Resolves when `signal` aborts.
 */
export async function watchConfigFile(path: string, opts: WatchOptions): Promise<void> {
  const debounceMs = opts.debounceMs ?? 100;
  let last = opts.initialText;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let restarted = false;
  while (!opts.signal.aborted) {
    const real = await realPathOr(path);
    const names = new Set([basename(path), basename(real)]);
    const dirs = [...new Set([dirname(path), dirname(real)])];
    const watcher = Deno.watchFs(dirs, { recursive: false });
    const stop = () => watcher.close();
    opts.signal.addEventListener("abort", stop, { once: true });
    if (opts.signal.aborted) stop(); // aborted while the real path was resolved
    let retarget = false;
    let busy = false; // one check at a time; the poll catches anything skipped meanwhile
    const check = async () => {
      timer = undefined;
      if (busy) return;
      busy = true;
      try {
        if ((await realPathOr(path)) !== real) {
          // The symlink points elsewhere: watch the new directory first, then read (below).
          retarget = true;
          watcher.close();
          return;
        }
        const text = await Deno.readTextFile(path);
        if (text !== last) {
          last = text;
          await opts.onChange(text);
        }
      } catch (err) {
        opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      } finally {
        busy = false;
      }
    };
    // After a restart, read once: the file may have changed while no watcher was open.
    if (restarted) timer = setTimeout(check, 0);
    restarted = true;
    const poll = setInterval(() => {
      if (timer === undefined) timer = setTimeout(check, 0);
    }, opts.pollMs ?? 1000);
    try {
      for await (const event of watcher) {
        if (!event.paths.some((p) => names.has(basename(p)))) continue;
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(check, debounceMs);
      }
    } catch (err) {
      if (!opts.signal.aborted) opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    } finally {
      opts.signal.removeEventListener("abort", stop);
      clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    }
    // The watcher closed: either we are stopping, or the symlink now points elsewhere and the
    // loop starts over with the new real directory.
    if (!retarget) break;
  }
}

/**
 * Writes `text` to the file behind `path` without ever leaving a half-written config: resolves
 * symlinks (so the link survives), writes a temp file beside the real file, fsyncs, keeps the
 * file mode, and renames it over the original.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const real = await realPathOr(path);
  const tmp = join(dirname(real), `.${basename(real)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  let mode: number | undefined;
  try {
    mode = (await Deno.stat(real)).mode ?? undefined;
  } catch { /* new file */ }
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: mode ?? 0o644 });
  try {
    const data = new TextEncoder().encode(text);
    for (let off = 0; off < data.length;) off += await file.write(data.subarray(off));
    await file.sync();
  } finally {
    file.close();
  }
  try {
    if (mode !== undefined) await Deno.chmod(tmp, mode & 0o777);
    await Deno.rename(tmp, real);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Raised when config.yaml changed on disk since the caller read it (a concurrent edit). */
export class ConfigConflictError extends Error {
  constructor(path: string) {
    super(`Config file "${path}" changed on disk since it was loaded; reload and try again`);
    this.name = "ConfigConflictError";
  }
}

/**
 * Edits config.yaml through an npm:yaml Document so comments and key order survive, validates
 * the result with {@link parseConfig} (throws ConfigError, nothing written), and writes it with
 * {@link writeFileAtomic}. When `expectedText` is given and the file differs, throws
 * {@link ConfigConflictError} instead of overwriting someone else's edit. Returns the new text.
 */
export async function editConfigFile(
  path: string,
  edit: (doc: Document) => void,
  opts: { expectedText?: string } = {},
): Promise<string> {
  const current = await Deno.readTextFile(path);
  if (opts.expectedText !== undefined && opts.expectedText !== current) {
    throw new ConfigConflictError(path);
  }
  const doc = parseDocument(current);
  edit(doc);
  const text = doc.toString();
  parseConfig(text);
  await writeFileAtomic(path, text);
  return text;
}
