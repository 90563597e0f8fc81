/**
 * `streampulse passwd`: sets the dashboard's admin password, read from stdin, in streams.db — or,
 * for a fleet node (`database:` in its config.yaml), in the shared database every node signs in by.
 */

import { ConfigError, formatProblem, parseConfig, readConfigFile } from "../monitor/config/mod.ts";
import { openStoreFor } from "../monitor/store/mod.ts";
import { setAdminPassword } from "../web/mod.ts";

/** Reads all of stdin as text. */
async function readStdin(): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const c of Deno.stdin.readable) text += decoder.decode(c, { stream: true });
  return text + decoder.decode();
}

/**
 * Sets the admin password (first line of stdin, or `STREAMPULSE_ADMIN_PASSWORD`), signs every
 * browser out and cancels a pending setup token. Returns 0, or 2 for an unusable password.
 */
export async function passwdCommand(
  paths: { db: string; config?: string },
  opts: { read?: () => Promise<string>; env?: (k: string) => string | undefined } = {},
): Promise<number> {
  const fromEnv = (opts.env ?? ((k) => Deno.env.get(k)))("STREAMPULSE_ADMIN_PASSWORD");
  const text = fromEnv ?? await (opts.read ?? readStdin)();
  const password = text.split(/\r?\n/)[0];
  let database: string | undefined;
  try {
    database = paths.config
      ? parseConfig((await readConfigFile(paths.config)).text).database
      : undefined;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(
        `streampulse passwd: ${paths.config}: ${err.problems.map(formatProblem).join("; ")}`,
      );
      return 2;
    }
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const store = await openStoreFor({ db: paths.db, database });
  const where = database ? store.health().path : paths.db;
  try {
    await setAdminPassword(store, password);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    console.error(`streampulse passwd: ${err.message}`);
    return 2;
  } finally {
    await store.close();
  }
  console.log(`admin password set in ${where}; every session was signed out`);
  return 0;
}
