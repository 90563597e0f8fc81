/** validateCommand() and checkCommand(): the exact lines users read, built from structured problems. */

import { assertEquals } from "../assert.ts";
import { validateCommand } from "../../cli/validate.ts";
import { checkCommand } from "../../cli/check.ts";
import { schemaCommand } from "../../cli/schema.ts";

/** Runs `validate` on `text` in a temporary file; returns the exit code and its output lines. */
async function validate(text: string, strict = false) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.yaml`;
  try {
    await Deno.writeTextFile(path, text);
    const out: string[] = [];
    const err: string[] = [];
    const code = await validateCommand(path, {
      strict,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out, err: err.map((l) => l.replace(path, "PATH")) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("validateCommand() lists each problem as `path: message` under a count", async () => {
  const r = await validate(
    "heartbeat_seconds: x\nstreams:\n- {name: a, url: rtsp://h/a}\n- {name: b, url: rtsp://h/b}\n" +
      "- {name: c, url: ftp://h/c}\n",
  );
  assertEquals(r.code, 2);
  assertEquals(r.out, []);
  assertEquals(r.err, [
    "PATH: 2 problems",
    '  heartbeat_seconds: must be a number, got "x"',
    '  streams[2] ("c").url: scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
  ]);
});

Deno.test("validateCommand() prints warnings as `warning: path: message` and exits 0", async () => {
  const r = await validate("mqtt: {interval_seconds: 1}\nstreams: []\n");
  assertEquals(r.code, 0, r.err.join("\n"));
  assertEquals(r.out[0], "warning: mqtt.interval_seconds: 1 is below the minimum, using 5");
  assertEquals(r.out.length, 2);
});

Deno.test("validateCommand() prints a YAML syntax error as its own text, without a path", async () => {
  const r = await validate("a: b: c\n");
  assertEquals(r.code, 2);
  assertEquals(r.err[0], "PATH: 1 problem");
  assertEquals(r.err.length, 2);
  assertEquals(r.err[1].startsWith("  YAML syntax (line 1, column 4): "), true, r.err[1]);
});

Deno.test("checkCommand() refuses a bad URL and kind with `streampulse check: path: message`", async () => {
  const err: string[] = [];
  const code = await checkCommand({
    url: "ftp://h/x",
    kind: "telnet",
    json: false,
    insecure: false,
    out: () => {},
    err: (l) => err.push(l),
  });
  assertEquals(code, 2);
  assertEquals(err, [
    'streampulse check: url: scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
    'streampulse check: --kind: "telnet" is not one of rtsp, mjpeg, snapshot, hls, http',
  ]);
});

Deno.test("validateCommand() prints unknown keys as warnings with a suggestion and exits 0", async () => {
  const r = await validate(
    "heartbeat: 5\nstreams:\n- {name: Gate, url: rtsp://h/a, frezee_seconds: 3}\n" +
      "mqtt: {enable: true}\n",
  );
  assertEquals(r.code, 0, r.err.join("\n"));
  assertEquals(r.out.slice(0, -1), [
    'warning: streams[0] ("Gate").frezee_seconds: unknown key — did you mean "freeze_seconds"?',
    'warning: mqtt.enable: unknown key — did you mean "enabled"?',
    'warning: heartbeat: unknown key — did you mean "heartbeat_seconds"?',
  ]);
});

Deno.test("validateCommand() with strict exits 2 on any warning, 0 without", async () => {
  const warned = await validate(
    "streams:\n- {name: a, url: rtsp://h/a, intervall_seconds: 5}\n",
    true,
  );
  assertEquals(warned.code, 2);
  assertEquals(warned.out, [
    'warning: streams[0] ("a").intervall_seconds: unknown key — did you mean "interval_seconds"?',
  ]);
  assertEquals(warned.err, ["PATH: 1 warning, which --strict refuses"]);
  assertEquals((await validate("streams: []\n", true)).code, 0);
});

Deno.test("schemaCommand() prints config.schema.json's text", async () => {
  const out: string[] = [];
  assertEquals(schemaCommand((t) => out.push(t)), 0);
  const shipped = await Deno.readTextFile(new URL("../../config.schema.json", import.meta.url));
  assertEquals(out, [shipped.trimEnd()]);
});
