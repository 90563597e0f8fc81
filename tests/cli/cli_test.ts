import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { freePort, startRtspServer } from "../fixtures/rtsp.ts";
import { START_FLAGS, startStreamPulse } from "../fixtures/streampulse.ts";
import { cli, MAIN } from "./cli_process.ts";

Deno.test("streampulse --version and --help exit 0 with usage and examples", async () => {
  const v = await cli(["--version"]);
  assertEquals(v.code, 0);
  assert(/^streampulse \d+\.\d+\.\d+/.test(v.stdout), v.stdout);
  const h = await cli(["--help"]);
  assertEquals(h.code, 0);
  const parts = ["check URL", "--quick", "--freeze-seconds", "3 degraded", "validate", "passwd"];
  for (const part of [...parts, "healthcheck", "--data-dir", "Examples"]) {
    assertStringIncludes(h.stdout, part);
  }
});

Deno.test("streampulse rejects unknown commands and options with exit 2", async () => {
  const a = await cli(["frobnicate"]);
  assertEquals(a.code, 2);
  assertStringIncludes(a.stderr, 'Unknown command "frobnicate"');
  const b = await cli(["--colour"]);
  assertEquals(b.code, 2);
  const c = await cli(["check"]);
  assertEquals(c.code, 2);
  assertStringIncludes(c.stderr, "needs exactly one URL");
});

Deno.test("streampulse check exits 0 up, 1 down, 2 bad input, and hides credentials", async () => {
  const rtsp = await startRtspServer({ auth: "digest", user: "admin", password: "Pw-123456" });
  try {
    const up = await cli(["check", rtsp.url("admin", "Pw-123456")]);
    assertEquals(up.code, 0, up.stderr);
    assert(up.stdout.startsWith("UP "), up.stdout);
    assertStringIncludes(up.stdout, `rtsp://***@127.0.0.1:${rtsp.port}/live`);
    assert(!up.stdout.includes("Pw-123456"));
    const wrong = await cli(["check", rtsp.url("admin", "nope"), "--json"]);
    assertEquals(wrong.code, 1);
    const j = JSON.parse(wrong.stdout);
    assertEquals([j.state, j.message, j.kind], ["down", "authentication failed", "rtsp"]);
    const refused = await cli(["check", `rtsp://127.0.0.1:${freePort()}/x`, "--timeout", "2"]);
    assertEquals(refused.code, 1);
    assertStringIncludes(refused.stdout, "connection refused");
    for (const bad of ["ftp://h/x", "file:///etc/passwd", "-version", "not a url"]) {
      const r = await cli(["check", "--", bad]);
      assertEquals(r.code, 2, `${bad}: ${r.stdout}${r.stderr}`);
    }
    const k = await cli(["check", "rtsp://h/x", "--kind", "telnet"]);
    assertEquals(k.code, 2);
    assertStringIncludes(k.stderr, '"telnet" is not one of');
  } finally {
    await rtsp.stop();
  }
});

Deno.test("streampulse validate exits 0 for a good config and 2 listing every problem", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = new URL("../fixtures/compat/v2.2/config.yaml", import.meta.url).pathname;
    const ok = await cli(["validate", good]);
    assertEquals(ok.code, 0, ok.stderr);
    assertStringIncludes(ok.stdout, "OK — 1 streams");
    await Deno.writeTextFile(
      `${dir}/bad.yaml`,
      "heartbeat_seconds: x\nstreams:\n- {name: a, url: ftp://h}\n",
    );
    const bad = await cli(["validate", `${dir}/bad.yaml`]);
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, "2 problems");
    assertStringIncludes(bad.stderr, 'streams[0] ("a").url: scheme "ftp" is not supported');
    const missing = await cli(["validate", `${dir}/nope.yaml`]);
    assertEquals(missing.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streampulse healthcheck asks the running process", async () => {
  const sp = await startStreamPulse({ config: "api: {port: {{API_PORT}}}\nstreams: []\n" });
  try {
    const ok = await cli(["healthcheck", "--data-dir", sp.dir]);
    assertEquals(ok.code, 0, ok.stderr);
    assertStringIncludes(ok.stdout, "healthy");
  } finally {
    await sp.stop();
  }
  const down = await cli(["healthcheck", "--data-dir", sp.dir]);
  assertEquals(down.code, 1);
  assertStringIncludes(down.stderr, "unhealthy");
  await Deno.remove(sp.dir, { recursive: true });
});

Deno.test("streampulse --data-dir creates a missing config.yaml and streams.db, and reuses an old-layout folder", async () => {
  const host = await Deno.makeTempDir({ prefix: "streampulse-host-" });
  const elsewhere = await Deno.makeTempDir();
  try {
    const apiPort = freePort();
    // A fresh folder: the commented default config and a new database appear. (The default
    // config listens on 7000, which may be taken here: only the files matter.)
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...START_FLAGS, MAIN, "--data-dir", host],
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      const have = await Promise.all(
        ["config.yaml", "streams.db"].map((f) => Deno.stat(`${host}/${f}`).then(() => 1, () => 0)),
      );
      if (have[0] + have[1] === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGTERM");
    const out = await child.output();
    const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, log);
    const text = await Deno.readTextFile(`${host}/config.yaml`);
    assertStringIncludes(text, "# StreamPulse configuration");
    assert((await Deno.stat(`${host}/streams.db`)).isFile);
    // An old-layout folder: the Python release's files, config reached through a symlink.
    const compat = new URL("../fixtures/compat/v2.2/", import.meta.url);
    await Deno.remove(`${host}/streams.db`);
    await Deno.remove(`${host}/config.yaml`);
    for (const f of ["streams.db-wal", "streams.db-shm"]) {
      await Deno.remove(`${host}/${f}`).catch(() => {});
    }
    await Deno.copyFile(new URL("streams.db", compat), `${host}/streams.db`);
    await Deno.chmod(`${host}/streams.db`, 0o644);
    const cfg = await Deno.readTextFile(new URL("config.yaml", compat));
    await Deno.writeTextFile(
      `${host}/config.yaml`,
      `${cfg}\napi:\n  port: ${apiPort}\nweb:\n  port: ${freePort()}\n`,
    );
    await Deno.mkdir(`${elsewhere}/app`);
    await Deno.symlink(`${host}/config.yaml`, `${elsewhere}/app/config.yaml`);
    const sp2 = await startStreamPulse({
      dir: host,
      apiPort,
      env: { STREAMPULSE_CONFIG: `${elsewhere}/app/config.yaml` },
    });
    try {
      const s = (await sp2.get("/api/status")).body as Record<string, unknown>;
      assertEquals(Object.keys(s), ["Testing streams"]);
    } finally {
      await sp2.stop();
    }
    assert((await Deno.lstat(`${elsewhere}/app/config.yaml`)).isSymlink);
  } finally {
    await Deno.remove(host, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("streampulse passwd sets the admin password from stdin and rejects a weak one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const weak = await cli(["passwd", "--data-dir", dir], { stdin: "abc\n" });
    assertEquals(weak.code, 2, weak.stdout);
    const ok = await cli(["passwd", "--data-dir", dir], { stdin: "a-long-enough-passphrase\n" });
    assertEquals(ok.code, 0, ok.stderr);
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${dir}/streams.db`, { readOnly: true });
    const row = db.prepare("SELECT value FROM sp_meta WHERE key = 'admin_password'").get() as {
      value: string;
    };
    db.close();
    assert(row.value.startsWith("pbkdf2-sha256$"), row.value);
    assert(!row.value.includes("a-long-enough-passphrase"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streampulse accepts the `--` that `deno task start -- …` passes through", async () => {
  const v = await cli(["--", "--version"]);
  assertEquals(v.code, 0, v.stderr);
  assert(v.stdout.startsWith("streampulse "), v.stdout);
});

Deno.test("streampulse validate exits 2 on empty, keyless, typo'd, non-UTF-8, oversized and non-YAML files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, string | Uint8Array, string][] = [
      ["empty.yaml", "", "(document): is empty"],
      ["comments.yaml", "# nothing here\n\n", "(document): is empty"],
      ["foo.yaml", "foo: bar\n", "has no known top-level key"],
      ["typo.yaml", "stream:\n- {name: a, url: rtsp://h/x}\n", 'did you mean "streams"?'],
      ["list.yaml", "- a\n- b\n", "must be a mapping"],
      [
        "latin1.yaml",
        new Uint8Array([...new TextEncoder().encode("streams: []\n# caf"), 0xe9]),
        "line 2: is not valid UTF-8",
      ],
      ["big.yaml", "# padding\n".repeat(500_000), "is 5,000,000 bytes; the limit is 4 MiB"],
    ];
    for (const [name, content, expected] of cases) {
      if (typeof content === "string") await Deno.writeTextFile(`${dir}/${name}`, content);
      else await Deno.writeFile(`${dir}/${name}`, content);
      const r = await cli(["validate", `${dir}/${name}`]);
      assertEquals(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
      assertStringIncludes(r.stderr, expected, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streampulse validate exits 2 on a symlink to /etc/shadow and shows none of its content", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let target = "/etc/shadow";
    let text: string;
    try {
      text = await Deno.readTextFile(target);
    } catch (err) {
      // Not root: a file of the same shape stands in (the parser sees the same thing).
      console.log(`cannot read /etc/shadow (${(err as Error).name}); using a copy of its format`);
      target = `${dir}/shadow`;
      text = "root:$6$salt$HASHHASHHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n";
      await Deno.writeTextFile(target, text);
    }
    await Deno.symlink(target, `${dir}/config.yaml`);
    const r = await cli(["validate", `${dir}/config.yaml`]);
    assertEquals(r.code, 2, r.stdout + r.stderr);
    assertStringIncludes(r.stderr, "has no known top-level key");
    const fields = text.split(/[\n:$]/).filter((f) => f.length >= 4 && !/^\d+$/.test(f));
    for (const f of fields) assert(!(r.stdout + r.stderr).includes(f), `output shows "${f}"`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streampulse --data-dir creates a data folder that does not exist yet", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const apiPort = freePort();
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      `api: {host: 127.0.0.1, port: ${apiPort}}\nweb: {host: 127.0.0.1, port: ${freePort()}}\n`,
    );
    const data = `${dir}/new/deeper`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...START_FLAGS, MAIN, "--data-dir", data, "--config", `${dir}/config.yaml`],
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const exited = child.output();
    let healthy = false;
    for (let i = 0; i < 300 && !healthy; i++) {
      const done = await Promise.race([exited.then(() => true), delay(50).then(() => false)]);
      if (done) break;
      healthy = await fetch(`http://127.0.0.1:${apiPort}/api/health`)
        .then((r) => (r.body?.cancel(), r.ok), () => false);
    }
    try {
      child.kill("SIGTERM");
    } catch { /* exited */ }
    const out = await exited;
    const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert(healthy, log);
    assertEquals(out.code, 0, log);
    assert((await Deno.stat(`${data}/streams.db`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
