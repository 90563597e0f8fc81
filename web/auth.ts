/**
 * Sign-in: the admin (first-run setup token, password hash in the store) and read-only viewer
 * accounts (web/users.ts), sessions carrying the role, one login rate limit for both.
 */

import type { Logger } from "../monitor/mod.ts";
import {
  DEFAULT_ITERATIONS,
  hashPassword,
  randomToken,
  safeEqual,
  sha256Hex,
  verifyPassword,
} from "./password.ts";
import { createLoginLimiter, type LoginLimiterDeps } from "./login_limit.ts";
import { createSessionStore, type MetaStore, type Session } from "./sessions.ts";
import { createUsers, type Users } from "./users.ts";

export type { MetaStore, Role, Session } from "./sessions.ts";
export type { Users, ViewerInfo } from "./users.ts";

/** Dependencies of {@link createAuth}. */
export interface AuthDeps {
  meta: MetaStore;
  logger: Pick<Logger, "info" | "warn">;
  /** Reads STREAMPULSE_ADMIN_PASSWORD (default: nothing set). */
  env?: (key: string) => string | undefined;
  now?: () => number;
  /** PBKDF2 iterations for new hashes (default 600,000; tests pass fewer). */
  iterations?: number;
  /** The login rate limit (see {@link createLoginLimiter} for the design and defaults). */
  limits?: LoginLimiterDeps;
  /** A session unused this long ends (default 7 days); none lasts past 30 days. */
  idleMs?: number;
  /** Where the setup link points, for the log line (e.g. "http://localhost:8000"). */
  baseUrl?: string;
}

/** The outcome of a password or setup-token attempt. */
export type Attempt =
  | { ok: true; session: Session }
  | { ok: false; error: string; retryAfterS?: number };

/** Sign-in state of the process. */
export interface Auth {
  /** True until an admin password exists. */
  needsSetup(): boolean;
  /** The one-time setup token while setup is pending (also printed to the log once). */
  setupToken(): string | undefined;
  /** True when STREAMPULSE_ADMIN_PASSWORD sets the password (the GUI cannot change it). */
  managedByEnv(): boolean;
  /** Sets the first password with the setup token; signs in on success. */
  setup(ip: string, token: string, password: string): Promise<Attempt>;
  /**
   * Checks the password of the admin (`user` empty or "admin") or of a viewer; signs in on
   * success with that role. Rate-limited per address and globally, counted before the slow hash;
   * a locked address's right password still signs in after a delay.
   */
  login(ip: string, password: string, user?: string): Promise<Attempt>;
  /** The viewer accounts (deleting one or resetting its password ends its sessions). */
  users: Users;
  /** Changes the password after checking the current one; ends every other session. */
  changePassword(session: Session, current: string, next: string): Promise<string | null>;
  /** The live session with this id (and marks it used), or undefined. */
  session(id: string | undefined): Session | undefined;
  /** Ends a session. */
  logout(id: string): void;
  /** True while the session lives (does not mark it used). */
  sessionAlive(id: string): boolean;
  /** Calls `fn` after sessions ended (logout, password change, expiry); returns an unsubscribe. */
  onSessionEnd(fn: () => void): () => void;
}

const PASSWORD_KEY = "admin_password";
const TOKEN_KEY = "setup_token";
const MAX_SESSION_MS = 30 * 86_400_000;

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(pw: string): string | null {
  if (pw.length < 8) return "The password must have at least 8 characters";
  if (pw.length > 1024) return "The password must have at most 1024 characters";
  return null;
}

/**
 * Sets the admin password outside the GUI (e.g. `streampulse passwd`): validates it, stores its
 * hash, cancels a pending setup token and signs every browser out. Throws RangeError when weak.
 */
export async function setAdminPassword(
  meta: MetaStore,
  password: string,
  iterations: number = DEFAULT_ITERATIONS,
): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new RangeError(problem);
  meta.setMeta(PASSWORD_KEY, await hashPassword(password, iterations));
  meta.setMeta(TOKEN_KEY, "");
  meta.setMeta("sessions", "{}");
}

/**
 * Creates the sign-in state (synchronously). When no admin password is stored, either takes it
 * from STREAMPULSE_ADMIN_PASSWORD or creates a one-time setup token, keeps its hash in the store and
 * prints the token to the log once. An env password replaces a stored one that differs.
 */
export function createAuth(deps: AuthDeps): Auth {
  const now = deps.now ?? Date.now;
  const iterations = deps.iterations ?? DEFAULT_ITERATIONS;
  const idleMs = deps.idleMs ?? 7 * 86_400_000;
  const { meta, logger } = deps;
  const envPassword = deps.env?.("STREAMPULSE_ADMIN_PASSWORD") || undefined;
  const sessions = createSessionStore({ meta, now, idleMs, maxMs: MAX_SESSION_MS });
  const limiter = createLoginLimiter({
    now,
    ...deps.limits,
    onGlobalLimit: () =>
      logger.warn("too many failed sign-ins on this server: every sign-in is refused for a while"),
  });
  let token: string | undefined;
  // Hashing the env password takes ~0.3 s: sign-in calls wait for it, nothing else does.
  let ready: Promise<void> = Promise.resolve();

  if (envPassword) {
    meta.setMeta(TOKEN_KEY, "");
    ready = (async () => {
      const stored = meta.getMeta(PASSWORD_KEY);
      if (!stored || !(await verifyPassword(envPassword, stored))) {
        meta.setMeta(PASSWORD_KEY, await hashPassword(envPassword, iterations));
        logger.info("admin password set from STREAMPULSE_ADMIN_PASSWORD");
      }
    })().catch((err) => logger.warn(`cannot store STREAMPULSE_ADMIN_PASSWORD: ${err}`));
  } else if (!meta.getMeta(PASSWORD_KEY)) {
    token = randomToken(18);
    meta.setMeta(TOKEN_KEY, sha256Hex(token));
    const link = `${deps.baseUrl ?? ""}/setup?token=${token}`;
    logger.warn(
      `no admin password yet: open ${link} to set one (setup token ${token}), ` +
        "or set STREAMPULSE_ADMIN_PASSWORD",
    );
  }

  const newSession = (): Session => sessions.create();
  /**
   * Checks `password` under the limiter (keyed by address, or by session for a password change).
   * Null when it matches; a wrong one during a lockout comes back as the lockout's 429.
   */
  const users = createUsers({
    meta,
    iterations,
    now,
    passwordProblem,
    endSessions: (name) => sessions.deleteUser(name),
  });
  const adminOk = async (password: string) => {
    const stored = meta.getMeta(PASSWORD_KEY);
    return stored !== undefined && stored !== "" && await verifyPassword(password, stored);
  };
  const checked = async (
    key: string,
    password: string,
    wrong: string,
    verify: (pw: string) => Promise<boolean> = adminOk,
  ) => {
    const ticket = await limiter.acquire(key);
    if (!ticket.ok) return ticket;
    let ok = false;
    try {
      ok = await verify(password);
    } finally {
      ticket.done(ok);
    }
    if (ok) return null;
    logger.warn(`failed password check from ${key}`);
    return (ticket.locked ? limiter.refused(key) : undefined) ??
      { ok: false as const, error: wrong };
  };

  return {
    needsSetup: () => !envPassword && !meta.getMeta(PASSWORD_KEY),
    setupToken: () => (meta.getMeta(PASSWORD_KEY) ? undefined : token),
    managedByEnv: () => envPassword !== undefined,
    async setup(ip, given, password) {
      await ready;
      const stop = limiter.refused(ip);
      if (stop) return stop;
      const stored = meta.getMeta(TOKEN_KEY);
      if (meta.getMeta(PASSWORD_KEY) || !stored || !safeEqual(sha256Hex(given.trim()), stored)) {
        limiter.fail(ip);
        return {
          ok: false,
          error: "The setup token is not valid (see the log of the first start)",
        };
      }
      const problem = passwordProblem(password);
      if (problem) return { ok: false, error: problem };
      // Consume the token before the slow hash, so two racing requests cannot both use it.
      meta.setMeta(TOKEN_KEY, "");
      token = undefined;
      meta.setMeta(PASSWORD_KEY, await hashPassword(password, iterations));
      logger.info("admin password set through the setup page");
      return { ok: true, session: newSession() };
    },
    async login(ip, password, user = "") {
      await ready;
      const name = user.trim();
      if (name === "" || name.toLowerCase() === "admin") {
        return await checked(ip, password, "Wrong password") ?? { ok: true, session: newSession() };
      }
      // One message for an unknown name and a wrong password: names are not to be probed.
      const wrong = await checked(
        ip,
        password,
        "Wrong user name or password",
        (pw) => users.verify(name, pw),
      );
      return wrong ?? { ok: true, session: sessions.create({ role: "viewer", user: name }) };
    },
    users,
    async changePassword(session, current, next) {
      if (session.role !== "admin") return "Only the admin changes the admin password";
      if (envPassword) return "The password is set by STREAMPULSE_ADMIN_PASSWORD";
      // Keyed by session: a stolen cookie cannot guess the current password faster than a login.
      const wrong = await checked(`session ${sha256Hex(session.id).slice(0, 12)}`, current, "");
      if (wrong) return wrong.error || "The current password is wrong";
      const problem = passwordProblem(next);
      if (problem) return problem;
      meta.setMeta(PASSWORD_KEY, await hashPassword(next, iterations));
      sessions.deleteOthers(session.id);
      logger.info("admin password changed; other sessions ended");
      return null;
    },
    session: (id) => (id ? sessions.get(id) : undefined),
    logout: (id) => void sessions.delete(id),
    sessionAlive: (id) => sessions.alive(id),
    onSessionEnd: (fn) => sessions.onEnd(fn),
  };
}
