/** Compile-readiness: main.ts runs with exactly the compile flags, and compile embeds the assets. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { freePort } from "../fixtures/rtsp.ts";
import { START_FLAGS } from "../fixtures/streampulse.ts";
import { compileArgs, RUN_FLAGS, TARGETS } from "../../scripts/compile.ts";

const REPO = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const MAIN = `${REPO}main.ts`;
const BUNDLE = `${REPO}web/static/bundle/client.js`;
const ENV = { NO_COLOR: "1", RUST_BACKTRACE: "0" };
const PERMISSION_ERROR = /NotCapable|Requires \w+ access/;

/** Runs `deno ARGS` in `cwd` to its end, killed after `timeoutMs` (a network wait never hangs). */
async function deno(cwd: string, args: string[], env: Record<string, string>, timeoutMs: number) {
  const signal = AbortSignal.timeout(timeoutMs);
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { ...ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).output();
  const dec = new TextDecoder();
  // deno-lint-ignore no-control-regex
  const output = (dec.decode(out.stdout) + dec.decode(out.stderr)).replace(/\x1b\[[0-9;]*m/g, "");
  return { code: out.code, output, timedOut: signal.aborted };
}

async function ensureBundle(): Promise<void> {
  if (await Deno.stat(BUNDLE).then(() => true, () => false)) return;
  const r = await deno(REPO, ["task", "bundle"], {}, 120_000);
  assertEquals(r.code, 0, r.output);
}

/** Starts `deno run FLAGS main.ts --data-dir DIR` in `cwd`; `stop()` sends SIGTERM and waits. */
function startApp(flags: readonly string[], dataDir: string, cwd: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, MAIN, "--data-dir", dataDir],
    cwd,
    env: ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of s) log += dec.decode(chunk, { stream: true });
  };
  const done = Promise.all([child.status, pump(child.stdout), pump(child.stderr)]);
  return {
    logs: () => log,
    async stop(): Promise<{ code: number; ms: number }> {
      const t = Date.now();
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      // main.ts gives up after 5 s by itself; SIGKILL only if it hangs well past that.
      const hard = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const [status] = await done;
      clearTimeout(hard);
      return { code: status.code, ms: Date.now() - t };
    },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, logs: () => string) {
  const end = Date.now() + 30_000;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}: ${last}\n--- logs ---\n${logs().slice(-3000)}`);
}

async function list(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

/** Paths in `deno compile`'s "Embedded Files" tree; `dir/*` means every file of dir on disk. */
function embeddedPaths(listing: string): string[] {
  const lines = listing.split("\n");
  const paths: string[] = [];
  const stack: string[] = [];
  for (const line of lines.slice(lines.findIndex((l) => l.trim() === "Embedded Files") + 1)) {
    const m = line.match(/^((?:[│ ] )*)[├└]─[┬─] (.+?) \([\d.]+[KMGT]?B\b/);
    if (!m) continue;
    stack.length = m[1].length / 2;
    stack.push(m[2]);
    paths.push(stack.join("/"));
  }
  return paths;
}

function isEmbedded(paths: string[], path: string): boolean {
  return paths.some((p) => p === path || (p.endsWith("/*") && path.startsWith(p.slice(0, -1))));
}

Deno.test("deno task start, compile, compile:<target> and START_FLAGS use one flag list", async () => {
  const tasks: Record<string, string> =
    JSON.parse(await Deno.readTextFile(`${REPO}deno.json`)).tasks;
  assertEquals(tasks.start, `deno task bundle && deno run ${RUN_FLAGS.join(" ")} main.ts`);
  assertEquals(START_FLAGS, [...RUN_FLAGS]);
  assertEquals(tasks.compile, "deno run --allow-read --allow-run scripts/compile.ts");
  for (const [name, target] of Object.entries(TARGETS)) {
    assertEquals(tasks[`compile:${name}`], `${tasks.compile} ${target}`);
    const args = compileArgs(target);
    assertEquals(args.slice(-5, -1), [
      "--target",
      target,
      "--output",
      `dist/streampulse-${target}`,
    ]);
  }
  const host = compileArgs();
  assertEquals(host.slice(0, RUN_FLAGS.length + 1), ["compile", ...RUN_FLAGS]);
  assertStringIncludes(host.join(" "), "--include web/static --include config.yaml");
  assertEquals(host.slice(-3), ["--output", "dist/streampulse", "main.ts"]);
  assert(RUN_FLAGS.includes("--allow-run=ffprobe,ffmpeg") && RUN_FLAGS.includes("--no-prompt"));
  // --allow-sys is scoped to the host's name (a fleet node's default name), nothing wider.
  assert(
    !RUN_FLAGS.some((f) =>
      /^--allow-(all|ffi)|^--allow-sys(?!=hostname$)|^-A$|^--allow-run$/.test(f)
    ),
  );
});

Deno.test("main.ts serves the API and the client bundle with the compile flags from another cwd", async () => {
  await ensureBundle();
  const dataDir = await Deno.realPath(await Deno.makeTempDir({ prefix: "streampulse-data-" }));
  const cwd = await Deno.makeTempDir({ prefix: "streampulse-cwd-" });
  const [api, web] = [freePort(), freePort()];
  await Deno.writeTextFile(
    `${dataDir}/config.yaml`,
    `api: {port: ${api}}\nweb: {port: ${web}}\nstreams:\n` +
      `  - {name: closed, url: "rtsp://127.0.0.1:${freePort()}/live"}\n`,
  );
  const app = startApp(RUN_FLAGS, dataDir, cwd);
  let stopped;
  try {
    const health = await until("/api/health", async () => {
      const res = await fetch(`http://127.0.0.1:${api}/api/health`);
      const body = await res.json();
      return res.status === 200 ? body : undefined;
    }, app.logs);
    assertEquals(health.ok, true);
    // A check ran and was stored: the probe path works under these permissions too.
    await until("a stored check", async () => {
      const res = await fetch(`http://127.0.0.1:${api}/api/streams/closed/history`);
      const rows = await res.json();
      return rows.length > 0 ? rows : undefined;
    }, app.logs);
    const html = await (await fetch(`http://127.0.0.1:${web}/login`)).text();
    const script = html.match(/<script type="module" src="([^"]+)"/)?.[1];
    const css = html.match(/<link rel="stylesheet" href="([^"]+)"/)?.[1];
    assert(script && css, html.slice(0, 1000));
    const js = await fetch(`http://127.0.0.1:${web}${script}`);
    assertEquals(js.status, 200);
    // The built bundle, not the "bundle is missing" stub.
    assertEquals(await js.text(), await Deno.readTextFile(BUNDLE));
    const style = await fetch(`http://127.0.0.1:${web}${css}`);
    assertEquals(style.status, 200);
    assertEquals(await style.text(), await Deno.readTextFile(`${REPO}web/static/app.css`));
  } finally {
    stopped = await app.stop();
  }
  assertEquals(stopped.code, 0, app.logs());
  assert(stopped.ms < 5000, `stopped after ${stopped.ms} ms`);
  assert(!PERMISSION_ERROR.test(app.logs()), app.logs());
  assertEquals(await list(cwd), [], "nothing may be written to the working directory");
  assert((await list(dataDir)).includes("streams.db"));
  await Deno.remove(dataDir, { recursive: true });
  await Deno.remove(cwd, { recursive: true });
});

Deno.test("main.ts reads and writes nothing outside its data dir and the files compile embeds", async () => {
  const dataDir = await Deno.realPath(await Deno.makeTempDir({ prefix: "streampulse-data-" }));
  const cwd = await Deno.makeTempDir({ prefix: "streampulse-cwd-" });
  // The compile flags with read/write narrowed to the data dir and the --include'd files.
  const strict = RUN_FLAGS.map((f) =>
    f === "--allow-read"
      ? `--allow-read=${dataDir},${REPO}web/static,${REPO}config.yaml`
      : f === "--allow-write"
      ? `--allow-write=${dataDir}`
      : f
  );
  assertEquals(strict.filter((f, i) => f !== RUN_FLAGS[i]).length, 2);
  // An empty data dir: config.yaml comes from the default next to main.ts. It listens on 7000 and
  // 8000, which may be taken here: only the files and the permissions matter.
  const app = startApp(strict, dataDir, cwd);
  const example = await Deno.readTextFile(`${REPO}config.yaml`);
  let stopped;
  try {
    await until("config.yaml and streams.db", async () => {
      const text = await Deno.readTextFile(`${dataDir}/config.yaml`);
      const db = await Deno.stat(`${dataDir}/streams.db`);
      // Logged once the tasks start, after the dashboard app has loaded its assets.
      const started = /status API on|task "api" failed/.test(app.logs());
      return text === example && db.isFile && started ? true : undefined;
    }, app.logs);
  } finally {
    stopped = await app.stop();
  }
  assertEquals(stopped.code, 0, app.logs());
  assert(!PERMISSION_ERROR.test(app.logs()), app.logs());
  assertStringIncludes(app.logs(), "from the commented example");
  assertEquals(await list(cwd), [], "nothing may be written to the working directory");
  await Deno.remove(dataDir, { recursive: true });
  await Deno.remove(cwd, { recursive: true });
});

Deno.test("deno compile embeds the client bundle and config.yaml", async () => {
  await ensureBundle();
  const task = await deno(REPO, compileArgs(), {}, 180_000);
  let listing = task.output;
  if (task.code === 0) {
    const v = await new Deno.Command(`${REPO}dist/streampulse`, {
      args: ["--version"],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
    assertEquals(v.code, 0, new TextDecoder().decode(v.stderr));
    assert(/^streampulse \d+\.\d+\.\d+/.test(new TextDecoder().decode(v.stdout)));
  } else {
    // Expected on machines without internet access: compile stops while downloading its denort
    // runtime from dl.deno.land, before it prints the list.
    assert(task.timedOut || /denort/.test(task.output), task.output);
    // The same command with the full deno binary standing in for denort prints the same list.
    // Its output is no usable binary (it starts a REPL), so it goes to a temp dir and is deleted.
    const tmp = await Deno.makeTempDir({ prefix: "streampulse-compile-" });
    const args = compileArgs();
    args[args.indexOf("--output") + 1] = `${tmp}/streampulse`;
    const stand_in = await deno(REPO, args, { DENORT_BIN: Deno.execPath() }, 180_000);
    await Deno.remove(tmp, { recursive: true });
    assertEquals(stand_in.code, 0, stand_in.output);
    listing = stand_in.output;
  }
  const paths = embeddedPaths(listing);
  for (const path of ["web/static/bundle/client.js", "web/static/app.css", "config.yaml"]) {
    assert(isEmbedded(paths, path), `${path} is not embedded:\n${listing}`);
    assert((await Deno.stat(`${REPO}${path}`)).isFile);
  }
  // --exclude-unused-npm: test-only packages stay out of the binary.
  assert(!listing.includes("puppeteer"), listing);
});
