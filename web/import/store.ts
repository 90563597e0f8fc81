/**
 * Parsed import batches waiting for "Import": kept server-side (they hold credentials the
 * preview never shows), keyed by a random token and bound to the session that made them.
 * Bounded: a TTL (default 10 minutes), a few batches per session (the oldest go first) and a
 * cap over all sessions.
 */

import type { ImportCamera } from "./types.ts";

/** One parsed batch. */
export interface ImportBatch {
  cameras: ImportCamera[];
  /** The format it was read as (shown on the preview). */
  format: string;
}

/** Options of {@link createImportStore}. */
export interface ImportStoreOptions {
  now?: () => number;
  /** Lifetime of a batch (default 10 minutes). */
  ttlMs?: number;
  /** Batches one session may hold (default 3). */
  perSession?: number;
  /** Batches held in all (default 50). */
  max?: number;
}

/** The store of {@link createImportStore}. */
export interface ImportStore {
  /** Keeps `batch` for `session` and returns its token. */
  put(session: string, batch: ImportBatch): string;
  /** The batch of `token` if it is alive and belongs to `session`. */
  get(session: string, token: string): ImportBatch | undefined;
  delete(token: string): void;
  /** Batches held now (after dropping expired ones). */
  size(): number;
}

interface Entry {
  session: string;
  batch: ImportBatch;
  expires: number;
}

/** A random URL-safe token (32 bytes). */
function token(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Creates an in-memory import store (see the module comment). */
export function createImportStore(opts: ImportStoreOptions = {}): ImportStore {
  const now = opts.now ?? Date.now;
  const ttl = opts.ttlMs ?? 10 * 60_000;
  const perSession = opts.perSession ?? 3;
  const max = opts.max ?? 50;
  const entries = new Map<string, Entry>(); // insertion order: oldest first
  const sweep = () => {
    const t = now();
    for (const [k, e] of entries) if (e.expires <= t) entries.delete(k);
  };
  return {
    put(session, batch) {
      sweep();
      const mine = [...entries].filter(([, e]) => e.session === session);
      for (const [k] of mine.slice(0, Math.max(0, mine.length - perSession + 1))) entries.delete(k);
      while (entries.size >= max) entries.delete(entries.keys().next().value!);
      const t = token();
      entries.set(t, { session, batch, expires: now() + ttl });
      return t;
    },
    get(session, t) {
      const e = entries.get(t);
      if (!e || e.session !== session) return undefined;
      if (e.expires <= now()) {
        entries.delete(t);
        return undefined;
      }
      return e.batch;
    },
    delete: (t) => void entries.delete(t),
    size: () => (sweep(), entries.size),
  };
}
