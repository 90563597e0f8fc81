/** The status API refuses Host names a DNS-rebinding page would send (port 7000, real sockets). */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { ConfigError, parseConfig } from "../../monitor/config/parse.ts";
import { startWebStack } from "./harness.ts";
import { httpSignIn } from "./http.ts";

/** Sends `GET path` with exactly this Host header over a raw TCP connection. */
async function getWithHost(url: string, path: string, host: string, extra = "") {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(url).port) });
  try {
    const req = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(req));
    let text = "";
    const dec = new TextDecoder();
    for await (const chunk of conn.readable) text += dec.decode(chunk, { stream: true });
    return { status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    try {
      conn.close();
    } catch { /* closed by the readable */ }
  }
}

const CONFIG = "heartbeat_seconds: 1\napi:\n  allowed_hosts: [streampulse.lan]\nstreams: []\n";

Deno.test("the status API refuses a Host that is not an IP, localhost or allowed (421)", async () => {
  const s = await startWebStack({ config: CONFIG });
  try {
    const port = new URL(s.apiUrl).port;
    for (
      const host of [
        "evil.example",
        `evil.example:${port}`,
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "streampulse.lan.evil.example",
        "1.2.3.4.5",
      ]
    ) {
      const r = await getWithHost(s.apiUrl, "/api/status", host);
      assertEquals(r.status, 421, `Host: ${host}`);
      const body = JSON.parse(r.body.slice(r.body.indexOf("{"), r.body.lastIndexOf("}") + 1));
      assertStringIncludes(body.error, "api.allowed_hosts");
    }
    for (
      const host of [
        `127.0.0.1:${port}`,
        "192.168.1.10",
        `localhost:${port}`,
        "[::1]",
        `[::1]:${port}`,
        "streampulse.lan",
        `StreamPulse.LAN.:${port}`,
      ]
    ) {
      assertEquals((await getWithHost(s.apiUrl, "/api/status", host)).status, 200, host);
    }
    assertEquals((await getWithHost(s.apiUrl, "/metrics", "evil.example")).status, 421);
  } finally {
    await s.stop();
  }
});

Deno.test("the dashboard's /api/* for a signed-in browser is not judged by the API's Host list", async () => {
  const s = await startWebStack({ env: { STREAMPULSE_ADMIN_PASSWORD: "password1" } });
  try {
    const b = await httpSignIn(s.url, "password1");
    // The dashboard's name (e.g. behind a reverse proxy) is not an API name; its session counts.
    const r = await getWithHost(s.url, "/api/status", "dash.example", `Cookie: ${b.cookie}\r\n`);
    assertEquals(r.status, 200);
  } finally {
    await s.stop();
  }
});

Deno.test("parseConfig() reads api.allowed_hosts as lower-case host names", () => {
  assertEquals(parseConfig("streams: []\n").api.allowedHosts, []);
  const c = parseConfig("api:\n  allowed_hosts: [StreamPulse.LAN, cams.example.com.]\n");
  assertEquals(c.api.allowedHosts, ["streampulse.lan", "cams.example.com"]);
  for (
    const bad of [
      "allowed_hosts: streampulse.lan",
      'allowed_hosts: ["a b"]',
      'allowed_hosts: ["host:80"]',
      'allowed_hosts: ["http://x"]',
      "allowed_hosts: [1]",
    ]
  ) {
    let err: unknown;
    try {
      parseConfig(`api:\n  ${bad}\n`);
    } catch (e) {
      err = e;
    }
    assert(err instanceof ConfigError, bad);
    assertStringIncludes(err.message, "api.allowed_hosts", bad);
  }
});
