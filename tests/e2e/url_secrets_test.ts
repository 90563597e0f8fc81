/** Passwords with a raw space or `@` never reach the status API, the stream page or the logs. */

import { assert, assertEquals } from "../assert.ts";
import { startRtspServer } from "../fixtures/rtsp.ts";
import { startStreamPulse, type StreamPulseProcess } from "../fixtures/streampulse.ts";

const ADMIN = "correct horse battery";

/** Signs in to the dashboard through its login form; returns the session cookie. */
async function signIn(web: string): Promise<string> {
  const page = await fetch(`${web}/login`);
  const pre = page.headers.getSetCookie().find((c) => c.startsWith("sp_csrf="))!.split(";")[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const res = await fetch(`${web}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: pre, origin: web },
    body: new URLSearchParams({ _csrf: csrf, password: ADMIN }),
  });
  await res.body?.cancel();
  const session = res.headers.getSetCookie().find((c) => c.startsWith("sp_session="));
  if (!session) throw new Error(`sign-in failed: HTTP ${res.status}`);
  return session.split(";")[0];
}

/** Everything port 7000 and the dashboard say about the streams, as one text. */
async function everything(sp: StreamPulseProcess, names: string[]): Promise<string> {
  const web = `http://127.0.0.1:${sp.webPort}`;
  const cookie = await signIn(web);
  const parts = [(await sp.get("/api/streams")).text, (await sp.get("/api/status")).text];
  for (const name of names) {
    const enc = encodeURIComponent(name);
    parts.push((await sp.get(`/api/streams/${enc}/history`)).text);
    parts.push((await sp.get(`/api/streams/${enc}/incidents`)).text);
    for (const path of ["/", `/streams/${enc}`]) {
      const res = await fetch(`${web}${path}`, { headers: { cookie, accept: "text/html" } });
      assertEquals(res.status, 200, path);
      parts.push(await res.text());
    }
  }
  return parts.join("\n");
}

Deno.test("StreamPulse shows no part of a password holding a raw space or @, and still signs in with it", async () => {
  const spaced = await startRtspServer({ auth: "basic", user: "admin", password: "SPACE SECRET" });
  const at = await startRtspServer({ auth: "digest", user: "a", password: "pw@S3cr3tZ" });
  const sp = await startStreamPulse({
    env: { STREAMPULSE_ADMIN_PASSWORD: ADMIN },
    config: `heartbeat_seconds: 2
api: {port: {{API_PORT}}}
streams:
- {name: spaced, url: "rtsp://admin:SPACE SECRET@127.0.0.1:${spaced.port}/live"}
- {name: at, url: "rtsp://a:pw@S3cr3tZ@127.0.0.1:${at.port}/live"}
`,
  });
  try {
    await sp.until(
      async () => {
        const s = (await sp.get("/api/status")).body as Record<string, { state: string }>;
        return s.spaced?.state !== "unknown" && s.at?.state !== "unknown";
      },
      30_000,
      "both streams checked",
    );
    const text = await everything(sp, ["spaced", "at"]) + sp.logs();
    for (const secret of ["SECRET", "S3cr3tZ", "SPACE%20", "pw%40", "pw@"]) {
      const i = text.indexOf(secret);
      assert(i < 0, `"${secret}" leaked: …${text.slice(Math.max(0, i - 80), i + 40)}…`);
    }
    const streams = (await sp.get("/api/streams")).body as { name: string; url: string }[];
    assertEquals(streams.map((s) => s.url), [
      `rtsp://***@127.0.0.1:${spaced.port}/live`,
      `rtsp://***@127.0.0.1:${at.port}/live`,
    ]);
    // The normalised URLs still sign in, on the handshake and in the media check.
    await sp.until(
      async () => {
        const s = (await sp.get("/api/status")).body as Record<string, { state: string }>;
        return s.spaced?.state === "up" && s.at?.state === "up";
      },
      30_000,
      "both streams up",
    );
  } finally {
    await sp.stop();
    await spaced.stop();
    await at.stop();
    await Deno.remove(sp.dir, { recursive: true });
  }
});
