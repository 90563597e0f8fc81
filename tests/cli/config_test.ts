/** `streampulse config import/export` as a real process against a real PostgreSQL. */

import postgres from "postgres";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startPostgres } from "../fixtures/postgres.ts";
import { START_FLAGS } from "../fixtures/streampulse.ts";
import { sharedPart } from "../../monitor/config/mod.ts";
import { migratePostgres, POSTGRES_MIGRATIONS } from "../../monitor/store/postgres/mod.ts";
import { cli, MAIN } from "./cli_process.ts";

const ENTRY = decodeURIComponent(new URL("./config_entry.ts", import.meta.url).pathname);
/** main.ts once it dispatches `config` (the lead's wiring), else the same calls in ENTRY. */
const VIA_MAIN = (await Deno.readTextFile(MAIN)).includes("configCommand(");

async function run(args: string[]) {
  if (VIA_MAIN) return await cli(args);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...START_FLAGS, ENTRY, ...args],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const PASSWORD = "Pw-not-shown-42";
const FLEET = `# the fleet's cameras
heartbeat_seconds: 15
database: postgres://someone:${PASSWORD}@elsewhere/x
api: {port: 7123}
streams:
  - {name: Gate, url: rtsp://cam/gate, site: a}
  - {name: Yard, url: rtsp://cam/yard, site: b}
`;

Deno.test("streampulse config import/export (one real PostgreSQL)", async (t) => {
  const pg = await startPostgres();
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  const dir = await Deno.makeTempDir();
  try {
    await admin`CREATE DATABASE fleet`;
    // The server trusts loopback: the password is written, never needed, and must never show.
    const url = pg.url.replace("//sp@", `//sp:${PASSWORD}@`).replace(/\/sp$/, "/fleet");
    if (!POSTGRES_MIGRATIONS.some((m) => m.sql.includes("CREATE TABLE sp_config"))) {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await migratePostgres(sql, { info: () => {} });
      await sql`CREATE TABLE sp_config (id INT PRIMARY KEY CHECK (id = 1), text TEXT NOT NULL,
        version BIGINT NOT NULL, updated_at BIGINT NOT NULL, updated_by TEXT)`;
      await sql.end();
    }
    const node = `${dir}/config.yaml`;
    await Deno.writeTextFile(node, `database: ${url}\nnode: {name: n-1}\n`);
    await Deno.writeTextFile(`${dir}/fleet.yaml`, FLEET);
    await Deno.writeTextFile(`${dir}/bad.yaml`, "streams:\n  - {name: X, url: ftp://h/x}\n");
    const fleetDb = postgres(url, { max: 1, onnotice: () => {} });
    const stored = async () =>
      (await fleetDb`SELECT text, version::int AS v, updated_by FROM sp_config`)[0];
    const noSecret = (r: { stdout: string; stderr: string }) =>
      assert(!(r.stdout + r.stderr).includes(PASSWORD), r.stdout + r.stderr);

    await t.step("config export of an empty database says so and exits 1", async () => {
      const r = await run(["config", "export", "--config", node]);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "holds no shared config yet");
      assertStringIncludes(r.stderr, `127.0.0.1:${pg.port}/fleet`);
      noSecret(r);
    });

    await t.step("config import refuses a FILE that does not load, writing nothing", async () => {
      const r = await run(["config", "import", `${dir}/bad.yaml`, "--config", node]);
      assertEquals(r.code, 2, r.stderr);
      assertStringIncludes(r.stderr, 'streams[0] ("X").url: scheme "ftp" is not supported');
      assertEquals(await stored(), undefined);
    });

    await t.step("config import stores FILE without its node-local keys", async () => {
      const r = await run(["config", "import", `${dir}/fleet.yaml`, "--config", node]);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, `into the shared config at 127.0.0.1:${pg.port}/fleet`);
      assertStringIncludes(r.stdout, "version 1, 2 streams");
      assertStringIncludes(r.stdout, "Left out database, api");
      noSecret(r);
      const row = await stored();
      assertEquals([row.text, row.v, row.updated_by], [sharedPart(FLEET), 1, "n-1 (cli)"]);
      assert(row.text.startsWith("# the fleet's cameras\nheartbeat_seconds: 15\n"), row.text);
    });

    await t.step("config import refuses to replace the document unless --force", async () => {
      const again = await run(["config", "import", `${dir}/fleet.yaml`, "--config", node]);
      assertEquals(again.code, 2);
      assertStringIncludes(
        again.stderr,
        "already holds a shared config (version 1, written by n-1",
      );
      assertStringIncludes(again.stderr, "add --force");
      const forced = await run([
        "config",
        "import",
        `${dir}/fleet.yaml`,
        "--force",
        "--config",
        node,
      ]);
      assertEquals(forced.code, 0, forced.stderr);
      assertStringIncludes(forced.stdout, "version 2, replacing version 1");
      assertEquals((await stored()).v, 2);
    });

    await t.step("config export prints the document exactly as stored", async () => {
      const r = await run(["config", "export", "--config", node]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stdout, sharedPart(FLEET));
    });

    await t.step(
      "config needs `database:` in the node's file, and a usable command line",
      async () => {
        await Deno.writeTextFile(`${dir}/solo.yaml`, "streams: []\n");
        const solo = await run(["config", "export", "--config", `${dir}/solo.yaml`]);
        assertEquals(solo.code, 2);
        assertStringIncludes(solo.stderr, "has no `database:`");
        for (
          const args of [["config"], ["config", "frob"], ["config", "import"], [
            "config",
            "export",
            "x",
          ]]
        ) {
          const r = await run(args);
          assertEquals(r.code, 2, args.join(" "));
          assertStringIncludes(r.stderr, "streampulse: ");
        }
      },
    );

    await t.step(
      "config import names a database it cannot reach, without its password",
      async () => {
        const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (l.addr as Deno.NetAddr).port;
        l.close();
        await Deno.writeTextFile(
          `${dir}/down.yaml`,
          `database: postgres://sp:${PASSWORD}@127.0.0.1:${port}/fleet\n`,
        );
        const r = await run([
          "config",
          "import",
          `${dir}/fleet.yaml`,
          "--config",
          `${dir}/down.yaml`,
        ]);
        assertEquals(r.code, 1, r.stderr);
        assertStringIncludes(r.stderr, `Cannot open the database at 127.0.0.1:${port}/fleet`);
        noSecret(r);
      },
    );
    await fleetDb.end();
  } finally {
    await admin.end();
    await pg.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
