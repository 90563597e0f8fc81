/** Keeps each stream's last good frame and last failure frame as small JPEGs in the data folder. */

import { join } from "node:path";
import { validateJpeg } from "../probes/mod.ts";

/** Which snapshot: the last good picture, or the last frozen/black one. */
export type SnapshotKind = "last" | "failure";

/** Largest JPEG kept (a 640 px frame at ffmpeg's `-q:v 5` is 20–80 KiB). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024;

/** When each snapshot of a stream was written (its file's mtime, ms), absent when none exists. */
export interface SnapshotInfo {
  last?: { at: number };
  failure?: { at: number };
}

/** Stores and reads snapshots. */
export interface SnapshotStore {
  /**
   * Replaces the snapshot atomically (temp file + rename in the same folder). Returns false,
   * keeping the old one, when the bytes are not one valid JPEG within the size limit.
   */
  save(name: string, kind: SnapshotKind, jpeg: Uint8Array): Promise<boolean>;
  /** The stored JPEG, or undefined when there is none yet. */
  load(name: string, kind: SnapshotKind): Promise<Uint8Array | undefined>;
  /**
   * When each snapshot was written: from memory after a save, else one `stat` per file, cached
   * (so the dashboard may ask on every row; a version for thumbnails and image caches).
   */
  info(name: string): SnapshotInfo;
  /** The folder holding the files (`<dataDir>/snapshots`). */
  readonly dir: string;
}

/** Most cached {@link SnapshotStore.info} times (one per stream and kind); then it starts over. */
const MAX_INFO = 20_000;

/**
 * A stable file name for any stream name: a readable slug plus a hash of the exact name, so
 * "Cam 1" and "cam-1" never share a file and no name can climb out of the folder:
 * `snapshotFileName("Front door", "failure")` → `front-door-1c3a9f0e-failure.jpg`.
 */
export function snapshotFileName(name: string, kind: SnapshotKind): string {
  const slug = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 48) || "stream";
  return `${slug}-${fnv1a(name)}${kind === "failure" ? "-failure" : ""}.jpg`;
}

/** 32-bit FNV-1a of the UTF-8 bytes, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Creates a store under `<dataDir>/snapshots` (made on first save). */
export function createSnapshotStore(
  dataDir: string,
  opts: { maxBytes?: number } = {},
): SnapshotStore {
  const dir = join(dataDir, "snapshots");
  const maxBytes = opts.maxBytes ?? MAX_SNAPSHOT_BYTES;
  const times = new Map<string, number | null>();
  const timeOf = (name: string, kind: SnapshotKind) => {
    const file = snapshotFileName(name, kind);
    let at = times.get(file);
    if (at === undefined) {
      try {
        at = Deno.statSync(join(dir, file)).mtime?.getTime() ?? null;
      } catch {
        at = null; // none yet (or unreadable: load() says why)
      }
      if (times.size >= MAX_INFO) times.clear();
      times.set(file, at);
    }
    return at === null ? undefined : { at };
  };
  return {
    dir,
    async save(name, kind, jpeg) {
      if (jpeg.length === 0 || jpeg.length > maxBytes) return false;
      if (!validateJpeg(jpeg).valid) return false;
      await Deno.mkdir(dir, { recursive: true });
      const final = join(dir, snapshotFileName(name, kind));
      const tmp = `${final}.${crypto.randomUUID().slice(0, 8)}.tmp`;
      try {
        await Deno.writeFile(tmp, jpeg);
        await Deno.rename(tmp, final);
        times.delete(snapshotFileName(name, kind)); // the next info() stats the new file
      } catch (err) {
        await Deno.remove(tmp).catch(() => {});
        throw new Error(`Cannot save the ${kind} snapshot of "${name}" in "${dir}": ${err}`);
      }
      return true;
    },
    info(name) {
      const last = timeOf(name, "last");
      const failure = timeOf(name, "failure");
      return { ...(last && { last }), ...(failure && { failure }) };
    },
    async load(name, kind) {
      try {
        return await Deno.readFile(join(dir, snapshotFileName(name, kind)));
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return undefined;
        throw err;
      }
    },
  };
}

/** Removes temp files a killed process may have left in the snapshot folder (`.frame-*`, `*.tmp`). */
export async function cleanSnapshotTemp(dir: string): Promise<void> {
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && (e.name.startsWith(".frame-") || e.name.endsWith(".tmp"))) {
        await Deno.remove(join(dir, e.name)).catch(() => {});
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
