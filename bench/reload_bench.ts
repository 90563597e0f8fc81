/**
 * How fast a config.yaml edit applies: starts the real engine, then edits the file the ways
 * editors do (in place, and write-temp-then-rename) and times until /api/status shows the change.
 * Prints figures; never fails on a slow result.
 */

import { startStreamPulse } from "../tests/fixtures/streampulse.ts";

const RUNS = 5;
const sp = await startStreamPulse({
  config: "heartbeat_seconds: 10\napi: {port: {{API_PORT}}}\nstreams: []\n",
  env: { LOG_LEVEL: "warn" },
});
const times: Record<string, number[]> = { "in place": [], "temp + rename": [] };
try {
  const base = await Deno.readTextFile(sp.configPath);
  for (let i = 0; i < RUNS * 2; i++) {
    const how = i % 2 === 0 ? "in place" : "temp + rename";
    const name = `bench-${i}`;
    const text = `${base}\nstreams:\n- {name: ${name}, url: "rtsp://127.0.0.1:9/x", media: false}\n`
      .replace("streams: []\n", "");
    const t0 = performance.now();
    if (how === "in place") await Deno.writeTextFile(sp.configPath, text);
    else {
      await Deno.writeTextFile(`${sp.configPath}.tmp`, text);
      await Deno.rename(`${sp.configPath}.tmp`, sp.configPath);
    }
    await sp.until(async () => name in ((await sp.get("/api/status")).body as object), 10_000);
    times[how].push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 300));
  }
} finally {
  await sp.stop();
  await Deno.remove(sp.dir, { recursive: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log("config.yaml edit → visible in /api/status (target: within 1 s)");
for (const [how, xs] of Object.entries(times)) {
  console.log(
    `  ${how.padEnd(14)} median ${median(xs).toFixed(0)} ms, max ${
      Math.max(...xs).toFixed(0)
    } ms (${xs.length} runs)`,
  );
}
