/** `streampulse passwd` on a fleet node: the password goes into the shared PostgreSQL. */

import postgres from "postgres";
import { assert, assertEquals } from "../assert.ts";
import { startPostgres } from "../fixtures/postgres.ts";
import { cli } from "./cli_process.ts";

Deno.test("streampulse passwd sets a fleet node's admin password in the shared database", async () => {
  const pg = await startPostgres();
  const dir = await Deno.makeTempDir();
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    // A password in the URL (the loopback cluster trusts it anyway) must never be printed.
    const url = pg.url.replace("postgres://sp@", "postgres://sp:Hunter2-secret@");
    await Deno.writeTextFile(`${dir}/config.yaml`, `database: ${url}\nnode: {name: n1}\n`);
    const ok = await cli(["passwd", "--data-dir", dir], { stdin: "a-long-enough-passphrase\n" });
    assertEquals(ok.code, 0, ok.stderr);
    assert(!(ok.stdout + ok.stderr).includes("Hunter2-secret"), ok.stdout + ok.stderr);
    assert(ok.stdout.includes(`127.0.0.1:${pg.port}/sp`), ok.stdout);
    const rows = await sql`SELECT value FROM sp_meta WHERE key = 'admin_password'`;
    assert(String(rows[0]?.value).startsWith("pbkdf2-sha256$"), JSON.stringify(rows));
    // Nothing was written beside the config: the node keeps no SQLite file of its own.
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert(!files.includes("streams.db"), files.join(", "));
  } finally {
    await sql.end({ timeout: 1 });
    await pg.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
