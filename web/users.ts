/**
 * Read-only viewer accounts, kept in streams.db's meta (key `viewers`) with PBKDF2 hashes like the
 * admin's. Meta rather than a table: a handful of accounts read whole at start-up, written
 * rarely, on every store backend, with no migration and nothing to join.
 */

import { hashPassword, randomToken, verifyPassword } from "./password.ts";
import type { MetaStore } from "./sessions.ts";

/** A viewer account as the Users page lists it (never its hash). */
export interface ViewerInfo {
  name: string;
  /** When it was created (ms since the epoch). */
  created: number;
}

/** The viewer accounts. */
export interface Users {
  /** Every viewer, by name. */
  list(): ViewerInfo[];
  /** True when a viewer of this name exists. */
  has(name: string): boolean;
  /** Creates a viewer; returns why not (a sentence naming the problem) or null. */
  add(name: string, password: string): Promise<string | null>;
  /** Sets a viewer's password and ends its sessions; returns why not, or null. */
  reset(name: string, password: string): Promise<string | null>;
  /** Deletes a viewer and ends its sessions; false when there was none. */
  remove(name: string): boolean;
  /**
   * True when `password` is the viewer's. An unknown name is checked against a dummy hash, so the
   * time taken does not tell which names exist.
   */
  verify(name: string, password: string): Promise<boolean>;
}

/** Dependencies of {@link createUsers}. */
export interface UsersDeps {
  meta: MetaStore;
  /** PBKDF2 iterations of new hashes. */
  iterations: number;
  /** Why a password is refused, or null (the admin's rule). */
  passwordProblem(pw: string): string | null;
  /** Ends every session of a viewer (deleted or reset). */
  endSessions(name: string): void;
  now?: () => number;
}

type Saved = Record<string, { hash: string; created: number }>;

const KEY = "viewers";
/** Viewers at most: the page lists them all and each one's sessions count against the cap. */
export const MAX_VIEWERS = 100;

/**
 * Why a viewer name is refused, or null: 1–40 letters, digits, `.`, `_`, `-` (so it fits a log
 * line and a URL unescaped), not "admin", which the sign-in form reserves for the admin.
 */
export function userNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(name)) {
    return `The user name "${name.slice(0, 40)}" must be 1–40 letters, digits, ".", "_" or "-"`;
  }
  if (name.toLowerCase() === "admin") return 'The user name "admin" is the administrator\'s';
  return null;
}

/** Creates the viewer store (reads the meta key once). */
export function createUsers(deps: UsersDeps): Users {
  const { meta } = deps;
  let all: Saved = {};
  try {
    const parsed = JSON.parse(meta.getMeta(KEY) || "{}");
    if (parsed && typeof parsed === "object") all = parsed;
  } catch { /* unreadable: no viewers; the admin can add them again */ }
  const save = () => meta.setMeta(KEY, JSON.stringify(all));
  let dummy: Promise<string> | undefined;
  const has = (name: string) => Object.hasOwn(all, name);

  return {
    list: () =>
      Object.entries(all).map(([name, v]) => ({ name, created: v.created }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    has,
    async add(name, password) {
      const problem = userNameProblem(name) ?? deps.passwordProblem(password);
      if (problem) return problem;
      if (has(name)) return `A viewer named "${name}" exists already`;
      if (Object.keys(all).length >= MAX_VIEWERS) {
        return `There are ${MAX_VIEWERS} viewers already; delete one first`;
      }
      const hash = await hashPassword(password, deps.iterations);
      if (has(name)) return `A viewer named "${name}" exists already`; // raced while hashing
      all[name] = { hash, created: (deps.now ?? Date.now)() };
      save();
      return null;
    },
    async reset(name, password) {
      if (!has(name)) return `There is no viewer named "${name.slice(0, 40)}"`;
      const problem = deps.passwordProblem(password);
      if (problem) return problem;
      const hash = await hashPassword(password, deps.iterations);
      if (!has(name)) return `There is no viewer named "${name.slice(0, 40)}"`;
      all[name] = { ...all[name], hash };
      save();
      deps.endSessions(name);
      return null;
    },
    remove(name) {
      if (!has(name)) return false;
      delete all[name];
      save();
      deps.endSessions(name);
      return true;
    },
    async verify(name, password) {
      if (!has(name)) {
        dummy ??= hashPassword(randomToken(), deps.iterations);
        await verifyPassword(password, await dummy);
        return false;
      }
      return await verifyPassword(password, all[name].hash);
    },
  };
}
