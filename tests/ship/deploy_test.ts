/**
 * Deployment files: the systemd unit through `systemd-analyze verify` where it exists, and static
 * checks of the container files. No Docker engine runs on our test machines (the docker CLI may be
 * installed, but there is no daemon, and no compose or buildx plugin), so the image is never built
 * here: these checks hold the Dockerfile and compose file to the layout instead.
 */

import { parse as parseYaml } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";

const REPO = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const UNIT = `${REPO}deploy/streampulse.service`;
const ENTRYPOINT = `${REPO}deploy/docker-entrypoint.sh`;

async function which(cmd: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const path = `${dir}/${cmd}`;
    if (await Deno.stat(path).then((s) => s.isFile, () => false)) return path;
  }
  return undefined;
}

async function run(cmd: string, args: string[], cwd?: string) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { SYSTEMD_COLORS: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, output: (dec.decode(out.stdout) + dec.decode(out.stderr)).trim() };
}

/** Dockerfile instructions (continuation lines joined, comments dropped), grouped by stage. */
function dockerStages(text: string): { from: string; instructions: string[] }[] {
  const joined = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim());
  const stages: { from: string; instructions: string[] }[] = [];
  for (const line of joined) {
    if (line === "" || line.startsWith("#")) continue;
    if (/^FROM\s/i.test(line)) stages.push({ from: line.replace(/\s+/g, " "), instructions: [] });
    else stages.at(-1)?.instructions.push(line.replace(/\s+/g, " "));
  }
  return stages;
}

const systemdAnalyze = await which("systemd-analyze");

Deno.test({
  name: "deploy/streampulse.service passes systemd-analyze verify",
  ignore: systemdAnalyze === undefined,
  async fn() {
    const unit = await Deno.readTextFile(UNIT);
    const exec = unit.match(/^ExecStart=(\S+)/m)?.[1];
    assertEquals(exec, "/usr/local/bin/streampulse");
    // The binary is not installed here; an existing executable in its place keeps verify's
    // "is not executable" from masking the errors that matter.
    const tmp = await Deno.makeTempDir({ prefix: "streampulse-unit-" });
    const copy = unit.replace(/^ExecStart=\S+/m, `ExecStart=${await which("true")}`);
    await Deno.writeTextFile(`${tmp}/streampulse.service`, copy);
    const r = await run(systemdAnalyze!, ["verify", `${tmp}/streampulse.service`], tmp);
    await Deno.remove(tmp, { recursive: true });
    assertEquals(r, { code: 0, output: "" });
  },
});

Deno.test("deploy/streampulse.service restarts on failure and is hardened", async () => {
  const unit = await Deno.readTextFile(UNIT);
  for (
    const line of [
      "DynamicUser=yes",
      "StateDirectory=streampulse",
      "Restart=on-failure",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
    ]
  ) {
    assert(unit.split("\n").includes(line), `missing ${line}`);
  }
  assert(/^RestrictAddressFamilies=.*AF_INET\b/m.test(unit));
  assert(/^ExecStart=\S+ run --data-dir \/var\/lib\/streampulse$/m.test(unit));
});

Deno.test("Dockerfile builds on Deno 2.9.6 and runs the binary on Debian slim as uid 10001", async () => {
  const stages = dockerStages(await Deno.readTextFile(`${REPO}Dockerfile`));
  assertEquals(stages.length, 2, "a build stage and a runtime stage");
  const [build, runtime] = stages;
  assert(/^FROM denoland\/deno:2\.9\.6 AS (\w+)$/i.test(build.from), build.from);
  const buildName = build.from.split(" ").at(-1);
  const buildRuns = build.instructions.filter((i) => i.startsWith("RUN ")).join(" && ");
  assertStringIncludes(buildRuns, "deno install --frozen");
  const bundleAt = buildRuns.indexOf("deno task bundle");
  assert(bundleAt >= 0 && bundleAt < buildRuns.indexOf("deno task compile"), buildRuns);

  assert(/^FROM debian:[\w.-]*slim$/.test(runtime.from), runtime.from);
  const has = (re: RegExp) => runtime.instructions.some((i) => re.test(i));
  assert(has(/^RUN apt-get update .*apt-get install .*\bffmpeg\b/), "ffmpeg from Debian");
  assert(has(/^RUN .*useradd .*--uid 10001\b/), "a uid 10001 user");
  assert(has(new RegExp(`^COPY --from=${buildName} /\\S+/dist/streampulse /usr/local/bin/`)));
  assert(has(/^VOLUME \/host$/));
  assert(has(/^EXPOSE 7000 8000$/));
  assert(has(/^STOPSIGNAL SIG(TERM|INT)$/));
  assert(has(/^HEALTHCHECK .*CMD \["\/usr\/local\/bin\/streampulse", "healthcheck"\]$/));
  assert(has(/^ENTRYPOINT \[.*"\/usr\/local\/bin\/docker-entrypoint\.sh"\]$/));
  assert(!has(/^USER /), "the entry point drops root itself (after taking over /host)");
});

Deno.test("deploy/docker-entrypoint.sh parses and drops root to uid 10001", async () => {
  const script = await Deno.readTextFile(ENTRYPOINT);
  assertStringIncludes(script, "setpriv --reuid=10001 --regid=10001 --clear-groups");
  assert(((await Deno.stat(ENTRYPOINT)).mode ?? 0o755) & 0o111, "the entry point is executable");
  assertEquals(await run("sh", ["-n", ENTRYPOINT]), { code: 0, output: "" });
});

Deno.test("docker-compose.yml keeps the Python release's ports and host folder", async () => {
  const compose = parseYaml(await Deno.readTextFile(`${REPO}docker-compose.yml`));
  const service = compose.services.streampulse;
  assertEquals(service.build, ".");
  assert(service.ports.includes("6868:7000"), "API 6868 -> 7000");
  assert(service.ports.includes("6969:8000"), "GUI 6969 -> 8000");
  // A host folder (a path, not a named volume) on /host.
  assert(service.volumes.some((v: string) => /^(\.{0,2}\/)\S*:\/host$/.test(v)), service.volumes);
});

Deno.test(".dockerignore keeps .git and databases out of the build context", async () => {
  const lines = (await Deno.readTextFile(`${REPO}.dockerignore`)).split("\n").map((l) => l.trim());
  for (const entry of [".git", "*.db", "dist", "node_modules"]) {
    assert(lines.includes(entry), `.dockerignore lacks ${entry}`);
  }
});
