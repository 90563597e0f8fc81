/**
 * `./streampulse`, the wrapper of the README's two commands: it finds Deno 2.9 or installs it, maps
 * its commands onto deno.json tasks, and passes exit codes through. Runs with a fake HOME and a PATH
 * without deno; installs go through STREAMPULSE_DENO_INSTALLER (a script copying this very deno),
 * so nothing here reaches the network. Tasks run in copies, never in the shared checkout.
 */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";

const REPO = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const WRAPPER = `${REPO}streampulse`;
const DENO = Deno.execPath();
const dec = new TextDecoder();

/** PATH without any folder that holds a `deno`, so the wrapper must look elsewhere. */
async function pathWithoutDeno(): Promise<string> {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/bin", "/bin"]);
  const kept: string[] = [];
  for (const dir of dirs) {
    if (dir === "" || kept.includes(dir)) continue;
    if (!await Deno.stat(`${dir}/deno`).then(() => true, () => false)) kept.push(dir);
  }
  return kept.join(":");
}

/** The cache this deno already uses: the fake HOMEs share it, so no run downloads a package. */
async function denoDir(): Promise<string> {
  const out = await new Deno.Command(DENO, { args: ["info", "--json"], stderr: "null" }).output();
  return JSON.parse(dec.decode(out.stdout)).denoDir;
}

const PATH = await pathWithoutDeno();
const DENO_DIR = await denoDir();

/** Runs `sh FILE ARGS` (or an executable FILE) with only the environment given. */
async function run(file: string, args: string[], env: Record<string, string>, cwd?: string) {
  const out = await new Deno.Command(file, {
    args,
    cwd: cwd ?? Deno.cwd(),
    clearEnv: true,
    env: { PATH, DENO_DIR, NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A fake HOME; with `deno`, `.local/deno-npm/bin/deno` links to this deno. */
async function fakeHome(deno: boolean): Promise<string> {
  const home = await Deno.makeTempDir({ prefix: "streampulse-home-" });
  if (deno) {
    await Deno.mkdir(`${home}/.local/deno-npm/bin`, { recursive: true });
    await Deno.symlink(DENO, `${home}/.local/deno-npm/bin/deno`);
  }
  return home;
}

/** An installer that counts its runs in HOME/installs and copies this deno where npm puts it. */
async function copyingInstaller(home: string): Promise<string> {
  const path = `${home}/installer.sh`;
  await Deno.writeTextFile(
    path,
    `echo run >> "$HOME/installs"\nmkdir -p "$HOME/.local/deno-npm/bin"\n` +
      `cp '${DENO}' "$HOME/.local/deno-npm/bin/deno"\n`,
  );
  return path;
}

/** An installer that must not run: it leaves HOME/installs behind and fails. */
async function forbiddenInstaller(home: string): Promise<string> {
  const path = `${home}/installer.sh`;
  await Deno.writeTextFile(path, `echo run >> "$HOME/installs"\nexit 9\n`);
  return path;
}

const installs = (home: string) =>
  Deno.readTextFile(`${home}/installs`).then((t) => t.split("\n").filter(Boolean).length, () => 0);

/**
 * A checkout whose tasks report their name, arguments, `deno` and cwd: the wrapper and .ci/run
 * copied from this one, deno.json replaced by report tasks (exit code from REPORT_EXIT).
 */
async function reportCheckout(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "streampulse-checkout-" });
  await Deno.mkdir(`${dir}/.ci`);
  await Deno.copyFile(WRAPPER, `${dir}/streampulse`);
  await Deno.copyFile(`${REPO}.ci/run`, `${dir}/.ci/run`);
  await Deno.writeTextFile(
    `${dir}/report.sh`,
    `name=$1; shift; printf '%s' "$name"; for a in "$@"; do printf '|%s' "$a"; done; echo\n` +
      `echo "deno=$(command -v deno)"; echo "cwd=$(pwd)"; exit "\${REPORT_EXIT:-0}"\n`,
  );
  const tasks = Object.fromEntries(
    ["start", "test", "bundle", "check"].map((t) => [t, `sh report.sh ${t}`]),
  );
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ tasks }));
  return dir;
}

Deno.test("streampulse passes sh -n and shellcheck, with .ci/run and scripts/install-deno.sh", async () => {
  assertEquals((await Deno.stat(WRAPPER)).mode! & 0o777, 0o755);
  const shellcheck = await run("sh", ["-c", "command -v shellcheck"], {});
  assert(shellcheck.code === 0, "shellcheck is missing: run sh scripts/ensure-deps.sh as root");
  for (const file of [WRAPPER, `${REPO}.ci/run`, `${REPO}scripts/install-deno.sh`]) {
    assertEquals((await run("sh", ["-n", file], {})).code, 0, `sh -n ${file}`);
    const r = await run("shellcheck", ["--shell=sh", file], {});
    assertEquals(r.code, 0, r.stdout + r.stderr);
  }
});

Deno.test("streampulse help prints the mapping without Deno and installs nothing", async () => {
  const home = await fakeHome(false);
  const env = { HOME: home, STREAMPULSE_DENO_INSTALLER: await forbiddenInstaller(home) };
  for (const arg of ["help", "--help", "-h"]) {
    const r = await run(WRAPPER, [arg], env);
    assertEquals(r.code, 0, r.stderr);
    for (const part of ["./streampulse COMMAND", "start [ARGS]", "test [ARGS]", "-- ARGS"]) {
      assertStringIncludes(r.stdout, part);
    }
  }
  const none = await run(WRAPPER, [], env);
  assertEquals(none.code, 2);
  assertStringIncludes(none.stderr, "Usage: ./streampulse");
  assertEquals(await installs(home), 0);
  await Deno.remove(home, { recursive: true });
});

Deno.test("streampulse maps its commands onto deno tasks from any folder, exit codes through", async () => {
  const home = await fakeHome(true);
  const dir = await reportCheckout();
  const env = { HOME: home, STREAMPULSE_DENO_INSTALLER: await forbiddenInstaller(home) };
  const cases: [string[], string][] = [
    [["start"], "start"],
    [["start", "--data-dir", "/host"], "start|--data-dir|/host"],
    [["test"], "test"],
    [["check", "rtsp://cam/live", "--json"], "start|--|check|rtsp://cam/live|--json"],
    [["validate", "a b.yaml"], "start|--|validate|a b.yaml"],
    [["version"], "start|--|--version"],
    [["--version"], "start|--|--version"],
    [["--", "--help"], "start|--|--help"],
    [["--data-dir", "/host"], "start|--|--data-dir|/host"],
    [["task", "check", "x"], "check|x"],
    [["bundle"], "bundle"],
  ];
  // Called by absolute path from another folder and through a symlink in yet another one.
  const link = `${home}/bin/streampulse`;
  await Deno.mkdir(`${home}/bin`);
  await Deno.symlink(`${dir}/streampulse`, link);
  for (const [args, line] of cases) {
    for (const wrapper of [`${dir}/streampulse`, link]) {
      const r = await run(wrapper, args, env, home);
      assertEquals(r.code, 0, r.stderr);
      const realDir = await Deno.realPath(dir);
      const cwd = r.stdout.match(/^cwd=(.*)$/m)?.[1] ?? "";
      assertEquals(r.stdout.split("\n")[0], line, `${args.join(" ")}: ${r.stdout}`);
      assertEquals(await Deno.realPath(cwd), realDir);
      assertStringIncludes(r.stdout, `deno=${home}/.local/deno-npm/bin/deno`);
    }
  }
  const failing = await run(`${dir}/streampulse`, ["test"], { ...env, REPORT_EXIT: "7" });
  assertEquals(failing.code, 7);
  assert((await run(`${dir}/streampulse`, ["no-such-task"], env)).code !== 0);
  const ci = await run("sh", [`${dir}/.ci/run`], env, home);
  assertEquals([ci.code, ci.stdout.split("\n")[0]], [0, "test"], ci.stderr);
  assertEquals(await installs(home), 0);
  await Deno.remove(home, { recursive: true });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streampulse installs Deno once when none is found, then runs the task", async () => {
  const home = await fakeHome(false);
  const dir = await reportCheckout();
  // A deno of another series first on PATH is passed over, not used and not replaced.
  await Deno.mkdir(`${home}/old`);
  await Deno.writeTextFile(`${home}/old/deno`, "#!/bin/sh\necho 'deno 1.46.3 (stable)'\n");
  await Deno.chmod(`${home}/old/deno`, 0o755);
  const env = {
    HOME: home,
    PATH: `${home}/old:${PATH}`,
    STREAMPULSE_DENO_INSTALLER: await copyingInstaller(home),
  };
  const first = await run(`${dir}/streampulse`, ["test", "tests/ship/"], env);
  assertEquals(first.code, 0, first.stderr);
  assertStringIncludes(first.stderr, "no Deno 2.9.x found; installing it");
  assertEquals(first.stdout.split("\n")[0], "test|tests/ship/");
  assertStringIncludes(first.stdout, `deno=${home}/.local/deno-npm/bin/deno`);
  const second = await run(`${dir}/streampulse`, ["start"], env);
  assertEquals([second.code, second.stdout.split("\n")[0]], [0, "start"], second.stderr);
  assertEquals(await installs(home), 1);
  await Deno.remove(home, { recursive: true });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streampulse fails with exit 1 naming the installer when it cannot get Deno", async () => {
  const home = await fakeHome(false);
  const dir = await reportCheckout();
  const failing = await forbiddenInstaller(home);
  const r = await run(`${dir}/streampulse`, ["start"], {
    HOME: home,
    STREAMPULSE_DENO_INSTALLER: failing,
  });
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, `${failing} failed; install Deno 2.9.6`);
  const empty = `${home}/empty.sh`;
  await Deno.writeTextFile(empty, "exit 0\n");
  const r2 = await run(`${dir}/streampulse`, ["start"], {
    HOME: home,
    STREAMPULSE_DENO_INSTALLER: empty,
  });
  assertEquals(r2.code, 1);
  assertStringIncludes(r2.stderr, "ran, but no Deno 2.9.x");
  assertEquals(r.stdout + r2.stdout, "");
  await Deno.remove(home, { recursive: true });
  await Deno.remove(dir, { recursive: true });
});

/**
 * A copy of this checkout to run the real program in (its start task rebuilds web/static/bundle,
 * which others' tests read): the last commit, as every commit is green while the working tree may
 * hold someone's half-done edit; without .git, the working tree. The wrapper is the working one.
 */
async function programCopy(): Promise<string> {
  const copy = await Deno.makeTempDir({ prefix: "streampulse-copy-" });
  const git = await Deno.stat(`${REPO}.git`).then(() => true, () => false);
  const r = git
    ? await run("sh", ["-c", 'git -C "$1" archive HEAD | tar -x -C "$2"', "sh", REPO, copy], {})
    : await run("cp", ["-R", `${REPO}.`, copy], {});
  assertEquals(r.code, 0, r.stderr);
  await Deno.copyFile(WRAPPER, `${copy}/streampulse`);
  return copy;
}

Deno.test("streampulse --version and check reach the real program in a copy of this checkout", async () => {
  const home = await fakeHome(true);
  const copy = await programCopy();
  const env = { HOME: home, STREAMPULSE_DENO_INSTALLER: await forbiddenInstaller(home) };
  const version = await run(`${copy}/streampulse`, ["--version"], env, home);
  assertEquals(version.code, 0, version.stderr);
  assert(/^streampulse \d+\.\d+\.\d+/m.test(version.stdout), version.stdout);
  const bad = await run(`${copy}/streampulse`, ["check", "not a url"], env, home);
  assertEquals(bad.code, 2, bad.stderr);
  assertStringIncludes(bad.stderr, "is not a URL");
  assertEquals(await installs(home), 0);
  await Deno.remove(home, { recursive: true });
  await Deno.remove(copy, { recursive: true });
});

Deno.test("README's two commands and .ci/run use ./streampulse", async () => {
  const readme = await Deno.readTextFile(`${REPO}README.md`);
  const section = readme.split("\n## The two commands\n")[1]?.split("\n## ")[0] ?? "";
  assertStringIncludes(section, "./streampulse start");
  assertStringIncludes(section, "./streampulse test");
  const ci = await Deno.readTextFile(`${REPO}.ci/run`);
  assert(/^exec \.\/streampulse test$/m.test(ci), ci); // the README's command, as written
});
