/** `streampulse passwd`: sets the dashboard's admin password, read from stdin, in streams.db. */

import { openStore } from "../monitor/store/mod.ts";
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
  paths: { db: string },
  opts: { read?: () => Promise<string>; env?: (k: string) => string | undefined } = {},
): Promise<number> {
  const fromEnv = (opts.env ?? ((k) => Deno.env.get(k)))("STREAMPULSE_ADMIN_PASSWORD");
  const text = fromEnv ?? await (opts.read ?? readStdin)();
  const password = text.split(/\r?\n/)[0];
  const store = openStore(paths.db);
  try {
    await setAdminPassword(store, password);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    console.error(`streampulse passwd: ${err.message}`);
    return 2;
  } finally {
    store.close();
  }
  console.log(`admin password set in ${paths.db}; every session was signed out`);
  return 0;
}
