/**
 * Sign-in sessions kept in streams.db (meta key `sessions`), so a restart keeps browsers signed in;
 * each carries its role (admin or viewer) and, for a viewer, the account name.
 */

import { randomToken, sha256Hex } from "./password.ts";

/** The small key/value table of streams.db (Store.getMeta / setMeta). */
export interface MetaStore {
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}

/** What a session may do: the admin changes things, a viewer only looks. */
export type Role = "admin" | "viewer";

/** Who signs in: the admin, or a viewer account by name. */
export interface Who {
  role: Role;
  /** The viewer's account name (absent for the admin). */
  user?: string;
}

/** A signed-in browser. */
export interface Session extends Who {
  /** The cookie value (only its SHA-256 is stored). */
  id: string;
  /** Synchronizer token every state-changing request of this session must carry. */
  csrf: string;
  created: number;
  seen: number;
}

/** The sessions of the admin and the viewers. */
export interface SessionStore {
  /** Starts a session for `who` (default: the admin). */
  create(who?: Who): Session;
  /** The live session with this id (marking it used), or undefined when unknown or expired. */
  get(id: string): Session | undefined;
  delete(id: string): void;
  /** Ends every other session of the account that owns `keep` (viewers' stay for the admin's). */
  deleteOthers(keep: string): void;
  /** Ends every session of a viewer account (deleted, or its password reset). */
  deleteUser(user: string): void;
  /** True while the session lives; unlike {@link get} it neither marks it used nor writes. */
  alive(id: string): boolean;
  /** Calls `fn` after any session ended (logout, password change, expiry, eviction). */
  onEnd(fn: () => void): () => void;
}

type Saved = { csrf: string; created: number; seen: number; role?: Role; user?: string };

/** A saved session's owner; sessions saved before roles existed are the admin's. */
const whoOf = (s: { role?: Role; user?: string }): Who =>
  s.role === "viewer" && typeof s.user === "string"
    ? { role: "viewer", user: s.user }
    : { role: "admin" };
const sameOwner = (a: Saved, b: Saved) => whoOf(a).user === whoOf(b).user;

const KEY = "sessions";

/** Dependencies of {@link createSessionStore}. */
export interface SessionStoreDeps {
  meta: MetaStore;
  now: () => number;
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  maxMs: number;
  /** Live sessions at most (default 50; the oldest go first). */
  max?: number;
}

/**
 * Creates the store. Sessions end after `idleMs` unused or `maxMs` in all; at most `max` live at
 * once (the oldest go first). "Last used" is written at most once a minute. Whatever holds a
 * session open (an event stream) listens with `onEnd` and asks `alive` before each write.
 */
export function createSessionStore(deps: SessionStoreDeps): SessionStore {
  const { meta, now } = deps;
  const max = deps.max ?? 50;
  const all = new Map<string, Saved>();
  try {
    for (const [k, v] of Object.entries(JSON.parse(meta.getMeta(KEY) || "{}"))) {
      all.set(k, v as Saved);
    }
  } catch { /* unreadable: everyone signs in again */ }
  const listeners = new Set<() => void>();
  const save = () => meta.setMeta(KEY, JSON.stringify(Object.fromEntries(all)));
  /** Saves, then tells the listeners that sessions ended. */
  const ended = () => {
    save();
    for (const fn of listeners) fn();
  };
  const expired = (s: Saved, t: number) => t - s.seen > deps.idleMs || t - s.created > deps.maxMs;
  return {
    create(who: Who = { role: "admin" }) {
      const t = now();
      const before = all.size;
      for (const [k, s] of all) if (expired(s, t)) all.delete(k);
      while (all.size >= max) all.delete(all.keys().next().value!);
      if (all.size < before) { for (const fn of listeners) fn(); }
      const id = randomToken();
      const s: Saved = { csrf: randomToken(), created: t, seen: t, ...whoOf(who) };
      all.set(sha256Hex(id), s);
      save();
      return { id, ...s, ...whoOf(s) };
    },
    get(id) {
      const key = sha256Hex(id);
      const s = all.get(key);
      if (!s) return undefined;
      const t = now();
      if (expired(s, t)) {
        all.delete(key);
        ended();
        return undefined;
      }
      if (t - s.seen > 60_000) {
        s.seen = t;
        save();
      }
      return { id, ...s, ...whoOf(s) };
    },
    delete(id) {
      if (all.delete(sha256Hex(id))) ended();
    },
    deleteOthers(keep) {
      const k = sha256Hex(keep);
      const mine = all.get(k) ?? { csrf: "", created: 0, seen: 0 };
      for (const [key, s] of [...all]) if (key !== k && sameOwner(s, mine)) all.delete(key);
      ended();
    },
    deleteUser(user) {
      let n = 0;
      for (const [key, s] of [...all]) if (whoOf(s).user === user && all.delete(key)) n++;
      if (n > 0) ended();
    },
    alive(id) {
      const s = all.get(sha256Hex(id));
      return s !== undefined && !expired(s, now());
    },
    onEnd(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
  };
}
