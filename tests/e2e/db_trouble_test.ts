/** End-to-end: the real process under database trouble (another writer, a full disk, bad files). */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { openStore } from "../../monitor/store/mod.ts";
import { holdWriteLock } from "../fixtures/sqlite_locker.ts";
import { freePort } from "../fixtures/rtsp.ts";
import { START_FLAGS, startStreamPulse, type StreamPulseProcess } from "../fixtures/streampulse.ts";

const PASSWORD = "pw-S3cr3t!x";
const MAIN = decodeURIComponent(new URL("../../main.ts", import.meta.url).pathname);

type Health = { ok: boolean; db: { writeError?: string | null; queued: number } };

const config = (dead: number) =>
  `heartbeat_seconds: 1
api: {port: {{API_PORT}}}
streams:
- name: cam
  url: rtsp://127.0.0.1:${dead}/live
  timeout_seconds: 1
`;

const health = async (sp: StreamPulseProcess) => (await sp.get("/api/health")).body as Health;

/** Signs in on the dashboard; returns the status of POST /login and the session cookie. */
async function login(sp: StreamPulseProcess): Promise<{ status: number; cookie: string }> {
  const base = `http://127.0.0.1:${sp.webPort}`;
  const page = await fetch(`${base}/login`);
  const html = await page.text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? "";
  const pre = (page.headers.getSetCookie()[0] ?? "").split(";")[0];
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: base, cookie: pre, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password: PASSWORD, _csrf: csrf, next: "/" }),
  });
  await res.body?.cancel();
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return { status: res.status, cookie };
}

Deno.test("StreamPulse signs in and reports unhealthy while another writer holds the database", async () => {
  const sp = await startStreamPulse({
    config: config(freePort()),
    env: { STREAMPULSE_ADMIN_PASSWORD: PASSWORD },
  });
  let lock;
  try {
    await sp.until(async () => (await login(sp)).status === 303, 30_000, "a first sign-in");
    await sp.until(async () => (await health(sp)).db.queued === 0, 10_000, "writes flushed");
    lock = await holdWriteLock(sp.dbPath);
    const signIn = await login(sp);
    console.log(`sign-in while locked: HTTP ${signIn.status}`);
    assertEquals(signIn.status, 303);
    const bad = await sp.until(
      async () => {
        const h = await health(sp);
        return h.ok === false ? h : undefined;
      },
      15_000,
      "/api/health ok: false while locked",
    );
    console.log(`health while locked: ${JSON.stringify(bad.db)}`);
    assertStringIncludes(String(bad.db.writeError), "database is locked");
    assert(bad.db.queued > 0, JSON.stringify(bad.db));
    const page = await fetch(`http://127.0.0.1:${sp.webPort}/`, {
      headers: { cookie: signIn.cookie },
    });
    assertStringIncludes(await page.text(), "The database is not accepting writes");
    await lock.release();
    await sp.until(async () => (await health(sp)).ok, 15_000, "/api/health ok again");
    assertEquals((await health(sp)).db.writeError, null);
    const again = await fetch(`http://127.0.0.1:${sp.webPort}/`, {
      headers: { cookie: signIn.cookie },
    });
    const html = await again.text();
    assertEquals([again.status, html.includes("not accepting writes")], [200, false]);
  } finally {
    await lock?.release();
    await sp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("StreamPulse reports a full disk in /api/health and recovers when space returns", async () => {
  if (Deno.uid() !== 0) return console.log("skipped: mounting a tmpfs needs root");
  const dir = await Deno.makeTempDir({ prefix: "streampulse-full-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir],
    stderr: "piped",
  }).output();
  if (!mount.success) {
    await Deno.remove(dir);
    return console.log(`skipped: mount failed: ${new TextDecoder().decode(mount.stderr).trim()}`);
  }
  let sp: StreamPulseProcess | undefined;
  try {
    sp = await startStreamPulse({ dir, config: config(freePort()) });
    await sp.until(async () => (await health(sp!)).db.queued === 0, 10_000, "writes flushed");
    const filler = `${dir}/filler`;
    const chunk = new Uint8Array(64 * 1024);
    const f = await Deno.open(filler, { write: true, create: true });
    try {
      for (;;) await f.write(chunk);
    } catch (err) {
      assert(String(err).includes("No space left"), String(err));
    } finally {
      f.close();
    }
    const bad = await sp.until(
      async () => {
        const h = await health(sp!);
        return h.ok === false ? h : undefined;
      },
      30_000,
      "/api/health ok: false on a full disk",
    );
    console.log(`health on a full disk: ${JSON.stringify(bad.db)}`);
    assertStringIncludes(String(bad.db.writeError), "full");
    await Deno.remove(filler);
    await sp.until(async () => (await health(sp!)).ok, 30_000, "/api/health ok again");
  } finally {
    await sp?.stop();
    await new Deno.Command("umount", { args: [dir] }).output();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamPulse refuses to start on an immutable -wal/-shm with an error naming the file", async () => {
  if (Deno.uid() !== 0) return console.log("skipped: chattr +i needs root");
  const dir = await Deno.makeTempDir({ prefix: "streampulse-immutable-" });
  const db = `${dir}/streams.db`;
  openStore(db).close();
  await Deno.writeFile(`${db}-wal`, new Uint8Array());
  await Deno.writeFile(`${db}-shm`, new Uint8Array(32768));
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    `api: {port: ${freePort()}}\nweb: {port: ${freePort()}}\nstreams: []\n`,
  );
  const chattr = await new Deno.Command("chattr", {
    args: ["+i", `${db}-wal`, `${db}-shm`],
    stderr: "piped",
  }).output();
  try {
    if (!chattr.success) {
      return console.log(`skipped: ${new TextDecoder().decode(chattr.stderr).trim()}`);
    }
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...START_FLAGS, MAIN, "--data-dir", dir],
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const out = await child.output();
    clearTimeout(killer);
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    console.log(`exit ${out.code} signal ${out.signal}: ${text.trim().split("\n").at(-1)}`);
    assertEquals([out.code, out.signal], [1, null]);
    assertStringIncludes(text, `"${db}-wal" is not writable`);
  } finally {
    await new Deno.Command("chattr", { args: ["-i", `${db}-wal`, `${db}-shm`] }).output();
    await Deno.remove(dir, { recursive: true });
  }
});
