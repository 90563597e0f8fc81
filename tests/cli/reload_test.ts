/** The real process against config.yaml files that are empty, wrong, half-written or gone. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { freePort } from "../fixtures/rtsp.ts";
import { startStreamPulse, type StreamPulseProcess } from "../fixtures/streampulse.ts";

const TOKEN = "tok-S3cret-reload";

interface HealthConfig {
  file?: string;
  error: string | null;
  notice?: string | null;
}

/** config.yaml with `names` as streams on refused ports; api: last, in flow style. */
function configText(sp: { apiPort: number; webPort: number }, names: string[]): string {
  const port = freePort();
  const streams = names.map((n) => `- {name: ${n}, url: "rtsp://127.0.0.1:${port}/${n}"}\n`);
  return `heartbeat_seconds: 60\nstreams:\n${streams.join("")}` +
    `web: {host: 127.0.0.1, port: ${sp.webPort}}\n` +
    `api: {host: 127.0.0.1, port: ${sp.apiPort}, token: ${TOKEN}}\n`;
}

/** Starts the process on a guarded config with streams a and b. */
async function start(): Promise<StreamPulseProcess> {
  const apiPort = freePort();
  const webPort = freePort();
  const sp = await startStreamPulse({
    config: configText({ apiPort, webPort }, ["a", "b"]),
    apiPort,
    webPort,
  });
  return sp;
}

/** GET with the API token; JSON body. */
async function authed(sp: StreamPulseProcess, path: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${sp.apiPort}${path}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return await res.json();
}

const names = async (sp: StreamPulseProcess) =>
  Object.keys(await authed(sp, "/api/status") as object).sort();
const health = async (sp: StreamPulseProcess) =>
  ((await authed(sp, "/api/health")) as { config: HealthConfig }).config;

/** Waits until /api/health's config error includes `part`; then the old config must still run. */
async function expectKept(sp: StreamPulseProcess, part: string, what: string): Promise<void> {
  const h = await sp.until(
    async () => {
      const c = await health(sp);
      return c.error?.includes(part) ? c : undefined;
    },
    15_000,
    `${what}: "${part}" in /api/health`,
  );
  assertEquals(await names(sp), ["a", "b"], `${what}: streams kept`);
  assertEquals(
    (await sp.get("/api/status")).status,
    401,
    `${what}: the token still guards the API`,
  );
  assert(!h.error!.includes(TOKEN), "the token is not shown");
}

Deno.test("streampulse keeps its config when config.yaml turns empty, keyless, a typo, /etc/shadow or is deleted", async () => {
  const sp = await start();
  const good = await Deno.readTextFile(sp.configPath);
  const restore = async () => {
    await Deno.remove(sp.configPath).catch(() => {});
    await Deno.writeTextFile(sp.configPath, good + "# restored\n");
    await sp.until(async () => (await health(sp)).error === null, 15_000, "restored");
  };
  try {
    const bad: [string, string, string][] = [
      ["empty file", "", "(document): is empty"],
      ["comments only", "# nothing\n", "(document): is empty"],
      ["foo: bar", "foo: bar\n", "has no known top-level key"],
      ["stream: typo", good.replace("streams:", "stream:"), 'did you mean "streams"?'],
    ];
    for (const [what, text, part] of bad) {
      await Deno.writeTextFile(sp.configPath, text);
      await expectKept(sp, part, what);
      await restore();
    }
    let shadow = "/etc/shadow";
    try {
      await Deno.readTextFile(shadow);
    } catch {
      shadow = `${sp.dir}/shadow`;
      console.log("cannot read /etc/shadow; a file of its format stands in");
      await Deno.writeTextFile(shadow, "root:$6$s$HASH:19000:0:99999:7:::\n");
    }
    await Deno.remove(sp.configPath);
    await Deno.symlink(shadow, sp.configPath);
    await expectKept(sp, "has no known top-level key", "symlink to /etc/shadow");
    assert(!sp.logs().includes("root:"), "no line of the file is logged");
    await restore();
    await Deno.remove(sp.configPath);
    await expectKept(sp, "is missing", "deleted file");
    assertEquals((await health(sp)).file, "missing");
    await restore();
    assertEquals((await health(sp)).file, "ok");
  } finally {
    await sp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("streampulse does not apply a half-written config.yaml, and applies it once complete", async () => {
  const sp = await start();
  try {
    const next = configText(sp, ["a", "b", "c"]);
    const cut = next.indexOf("web:"); // every stream written, web: and api: not yet
    const file = await Deno.open(sp.configPath, { write: true, truncate: true });
    try {
      await file.write(new TextEncoder().encode(next.slice(0, cut)));
      // The writer stalls: the partial file is stable, judged, and refused.
      await expectKept(sp, "api: the block was removed", "half-written file");
      await file.write(new TextEncoder().encode(next.slice(cut)));
    } finally {
      file.close();
    }
    await sp.until(async () => (await names(sp)).length === 3, 15_000, "a, b and c");
    assertEquals(await names(sp), ["a", "b", "c"]);
    assertEquals((await health(sp)).error, null);
  } finally {
    await sp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("streampulse applies a change to 0 streams and says so in /api/health", async () => {
  const sp = await start();
  try {
    const text = await Deno.readTextFile(sp.configPath);
    await Deno.writeTextFile(
      sp.configPath,
      text.replace(/^- .*\n/gm, "").replace("streams:", "streams: []"),
    );
    await sp.until(async () => (await names(sp)).length === 0, 15_000, "0 streams");
    const h = await health(sp);
    assertStringIncludes(h.notice ?? "", "removed all 2 streams");
    assertStringIncludes(sp.logs(), "removed all 2 streams");
    assertEquals((await sp.get("/api/status")).status, 401, "the token still guards the API");
  } finally {
    await sp.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});
