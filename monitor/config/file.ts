/** config.yaml on disk: watch it (editors, renames, symlinks) and write it back safely. */

import { basename, dirname, join } from "node:path";
import { type Document, parseDocument } from "yaml";
import { parseConfig } from "./parse.ts";
import {
  ConfigChangingError,
  type FileStamp,
  readConfigFile,
  readStableConfigFile,
  sameStamp,
  statConfigFile,
} from "./read.ts";

/** Options of {@link watchConfigFile}. */
export interface WatchOptions {
  /** Stops the watcher. */
  signal: AbortSignal;
  /** Called with the new text whenever the file's content really changed and is stable. */
  onChange: (text: string) => void | Promise<void>;
  /**
   * Called when the file cannot be used: missing (Deno.errors.NotFound), unreadable, over the
   * size limit or not UTF-8 (ConfigError), still being written (ConfigChangingError). The same
   * problem is reported once, not on every poll.
   */
  onError?: (err: Error) => void;
  /** Quiet time after the last event before re-reading (default 100 ms). */
  debounceMs?: number;
  /** Gap between the two reads that must agree before a change counts (default 300 ms). */
  stableMs?: number;
  /** Size limit in bytes (default 4 MiB, `MAX_CONFIG_BYTES` in config_read.ts). */
  maxBytes?: number;
  /** The content already loaded, so an unchanged save does not trigger a reload. */
  initialText?: string;
  /** The stamp `initialText` was read with ({@link readConfigFile}), so polls need not re-read. */
  initialStamp?: FileStamp;
  /**
   * Also re-check this often (default 1000 ms). inotify misses some changes — a symlink
   * re-pointed in one go, bind mounts from Docker Desktop or network file systems. A poll only
   * stats the file and reads it when its size, mtime or inode changed.
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

const asError = (err: unknown) => err instanceof Error ? err : new Error(String(err));

/**
 * Watches a config file the way editors change it: in place, by writing a temp file and renaming
 * it over the original, or through a symlink (`/app/config.yaml -> /host/config.yaml`). Watching
 * the file itself dies after the first rename, so this watches the directory of the path and of
 * its real path with one `Deno.watchFs`, debounces, and re-reads; a slow poll catches what
 * inotify misses. Every change is judged on a stable read ({@link readStableConfigFile}: two
 * identical reads `stableMs` apart), so a half-written file is never reported. After a problem
 * the next good read is reported even when its text is the old one, so the caller can clear its
 * error. Resolves when `signal` aborts.
 */
export async function watchConfigFile(path: string, opts: WatchOptions): Promise<void> {
  const debounceMs = opts.debounceMs ?? 100;
  const { signal } = opts;
  let last = opts.initialText;
  let lastStamp = opts.initialStamp; // the version last judged (read or refused)
  let lastError: string | undefined; // the problem last reported, to report it once
  let timer: ReturnType<typeof setTimeout> | undefined;
  let restarted = false;
  while (!signal.aborted) {
    const real = await realPathOr(path);
    const names = new Set([basename(path), basename(real)]);
    const dirs = [...new Set([dirname(path), dirname(real)])];
    const watcher = Deno.watchFs(dirs, { recursive: false });
    const stop = () => watcher.close();
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop(); // aborted while the real path was resolved
    let retarget = false;
    let force = restarted; // an event (or a new target) means: read, whatever the stamp says
    let running: Promise<void> | undefined; // one check at a time
    let again = false; // something happened during a check: check once more afterwards
    const judge = async () => {
      const forced = force;
      force = false;
      try {
        if ((await realPathOr(path)) !== real) {
          // The symlink points elsewhere: watch the new directory first, then read (below).
          retarget = true;
          watcher.close();
          return;
        }
        const stamp = await statConfigFile(path).catch(() => undefined); // problems: below
        if (!forced && lastStamp && stamp && sameStamp(stamp, lastStamp)) return;
        const read = await readStableConfigFile(path, {
          maxBytes: opts.maxBytes,
          gapMs: opts.stableMs,
          signal,
        });
        if (!read) return; // stopping
        lastStamp = read.stamp;
        lastError = undefined;
        if (read.text !== last) {
          last = read.text;
          await opts.onChange(read.text);
        }
      } catch (err) {
        const e = asError(err);
        last = undefined;
        lastStamp = e instanceof ConfigChangingError
          ? undefined
          : await statConfigFile(path).catch(() => undefined);
        const key = `${e.name}: ${e.message}`;
        if (key !== lastError) opts.onError?.(e);
        lastError = key;
      }
    };
    const check = () => {
      timer = undefined;
      if (running) {
        again = true;
        return;
      }
      running = judge().finally(() => {
        running = undefined;
        if (again && !signal.aborted && !retarget) {
          again = false;
          timer ??= setTimeout(check, 0);
        }
      });
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
        force = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(check, debounceMs);
      }
    } catch (err) {
      if (!signal.aborted) opts.onError?.(asError(err));
    } finally {
      signal.removeEventListener("abort", stop);
      clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
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

/**
 * Raised when the config changed since the caller read it (a concurrent edit): config.yaml on
 * disk, or (`where` "database", with its own message) the fleet's shared document.
 */
export class ConfigConflictError extends Error {
  /** The file's path, or "database". */
  readonly where: string;
  constructor(where: string, message?: string) {
    super(
      message ??
        (where === "database"
          ? "The shared config in the database changed since it was loaded; reload and try again"
          : `Config file "${where}" changed on disk since it was loaded; reload and try again`),
    );
    this.name = "ConfigConflictError";
    this.where = where;
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
  const { text: current } = await readConfigFile(path);
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
