/** `deno task bench`: reload + engine benches, or with `--media`/`--alerts`/… one bench alone. */

// `deno task bench [args]` runs reload_bench.ts, then engine_bench.ts with the args (as before);
// `deno task bench --media [args]` runs media_scale_bench.ts with the args, and `--alerts [args]`
// alerts_bench.ts, and `--dashboard [N]` dashboard_bench.ts (N streams in Chromium, default
// 1,000), and `--fleet [args]` fleet_bench.ts (three nodes + PostgreSQL). engine_bench.ts's
// own `--media` (media checks left on) stays reachable by running it directly.

const here = (f: string) => decodeURIComponent(new URL(f, import.meta.url).pathname);

async function run(file: string, args: string[]): Promise<number> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", here(file), ...args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  });
  return (await cmd.spawn().status).code;
}

const args = Deno.args;
if (args.includes("--media")) {
  Deno.exit(await run("media_scale_bench.ts", args.filter((a) => a !== "--media")));
}
if (args.includes("--alerts")) {
  Deno.exit(await run("alerts_bench.ts", args.filter((a) => a !== "--alerts")));
}
if (args.includes("--fleet")) {
  Deno.exit(await run("fleet_bench.ts", args.filter((a) => a !== "--fleet")));
}
if (args.includes("--dashboard")) {
  Deno.exit(await run("dashboard_bench.ts", args.filter((a) => a !== "--dashboard")));
}
const reload = await run("reload_bench.ts", []);
if (reload !== 0) Deno.exit(reload);
Deno.exit(await run("engine_bench.ts", args));
