import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { validateJpeg } from "../../monitor/probes/jpeg.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { startStreamPulse } from "../fixtures/streampulse.ts";

type Status = Record<string, { state: string; message: string; details: Record<string, unknown> }>;

/** Processes whose command line holds `marker` (pgrep exits 1 when there are none). */
async function processesWith(marker: string): Promise<string[]> {
  const out = await new Deno.Command("pgrep", { args: ["-af", marker], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) =>
    l && !l.includes("pgrep") && /ffprobe|ffmpeg/.test(l)
  );
}

/** The pid of the process whose NUL-separated command line holds `part`. */
async function pidWith(part: string): Promise<number> {
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`).catch(() => "");
    if (cmd.includes(part)) return Number(e.name);
  }
  throw new Error(`no process with ${JSON.stringify(part)} in its command line`);
}

/** PIDs of `parent`'s ffmpeg children. */
async function ffmpegChildrenOf(parent: number): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
      if (ppid === parent && /^\S*ffmpeg\0/.test(cmd)) out.push(Number(e.name));
    } catch { /* ended meanwhile */ }
  }
  return out;
}

/** True while process `pid` exists (and is not a zombie). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("StreamPulse marks a frozen and a drifted picture degraded, serves snapshots, and leaves no ffmpeg behind", async () => {
  const marker = `e2e${crypto.randomUUID().slice(0, 8)}`;
  const still = await startRtspServer({ pattern: "smpte", mount: `/${marker}-still` });
  const small = await startRtspServer({ pattern: "ball", mount: `/${marker}-small` });
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 2
api: {port: {{API_PORT}}}
streams:
- name: still
  url: ${still.url()}
  freeze_seconds: 1
  media_check_seconds: 10
- name: small
  url: ${small.url()}
  media_check_seconds: 10
  expect: {width: 1920, height: 1080}
`,
  });
  try {
    const s = await sp.until(
      async () => {
        const st = (await sp.get("/api/status")).body as Status;
        return st.still?.state === "degraded" && st.small?.state === "degraded" ? st : undefined;
      },
      30_000,
      "both degraded",
    );
    assertStringIncludes(s.still.message, "picture frozen for");
    assertEquals(s.small.message, "resolution 320x240, expected 1920x1080");
    const media = s.small.details.media as Record<string, unknown>;
    assertEquals([media.codec, media.width, media.height], ["h264", 320, 240]);
    // The moving picture has a last good frame; the frozen one has the frame that failed.
    for (
      const path of [
        "/api/streams/small/snapshot.jpg",
        "/api/streams/still/snapshot.jpg?kind=failure",
      ]
    ) {
      const res = await fetch(`http://127.0.0.1:${sp.apiPort}${path}`);
      assertEquals(res.headers.get("content-type"), "image/jpeg");
      const jpeg = validateJpeg(new Uint8Array(await res.arrayBuffer()));
      assert(jpeg.valid, `${path} is not a JPEG`);
    }
    assertEquals((await sp.get("/api/streams/nope/snapshot.jpg")).status, 404);
    assertEquals((await sp.get("/api/streams/still/snapshot.jpg")).status, 404); // never good
    // The decode pool's ffmpeg children read stdin only: none has the URL (or its marker).
    const pid = await pidWith(`--data-dir\0${sp.dir}`);
    const children = await sp.until(
      async () => {
        const found = await ffmpegChildrenOf(pid);
        return found.length > 0 ? found : undefined;
      },
      20_000,
      "a decoder child",
    );
    assertEquals(await processesWith(marker), [], "a child was given the stream's URL");
    // Stop while media checks run: every ffmpeg child ends with the process.
    const { code } = await sp.stop();
    assertEquals(code, 0);
    await delay(200);
    assertEquals(children.filter((c) => alive(c)), [], "a decoder outlived StreamPulse");
    assertEquals(await processesWith(marker), []);
  } finally {
    await sp.stop();
    await still.stop();
    await small.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});
