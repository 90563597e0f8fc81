/**
 * Alerting end to end: the real StreamPulse process, real RTSP servers killed and restarted, a
 * real webhook receiver, kill -9 with alerts queued, a maintenance window and the SLA.
 */

import { assert, assertEquals } from "../assert.ts";
import { delay } from "../../monitor/async.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import { SMTP_PASSWORD, SMTP_USER, startSmtp } from "../fixtures/smtp.ts";
import { startStreamPulse, type StreamPulseProcess } from "../fixtures/streampulse.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../fixtures/webhook_receiver.ts";

type Status = Record<string, { state: string }>;

const stateOf = async (sp: StreamPulseProcess) => (await sp.get("/api/status")).body as Status;
const allIn = (sp: StreamPulseProcess, names: string[], state: string) => async () => {
  const s = await stateOf(sp);
  return names.every((n) => s[n]?.state === state);
};

/** A stream entry of the handshake only (no media check), checked every second. */
const stream = (name: string, url: string, extra = "") =>
  `  - {name: "${name}", url: "${url}", media: false, timeout_seconds: 1${extra}}\n`;

const events = (hook: WebhookReceiver) =>
  hook.received.map((r) => `${r.body.event} ${r.body.stream}`);

Deno.test("40 streams of one host killed give one grouped alert and one recovery; a child of a down parent none of its own", async () => {
  const host = await startReplayServer();
  const nvr = await startReplayServer();
  const gate = await startReplayServer();
  const hook = startWebhookReceiver();
  const names = Array.from({ length: 40 }, (_, i) => `ch${String(i + 1).padStart(2, "0")}`);
  let streams = names.map((n) => stream(n, host.url("/h264/moving"))).join("");
  streams += stream("NVR A", nvr.url("/h264/moving"));
  streams += stream("Gate", gate.url("/h264/moving"), ", parent: NVR A");
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 1
api: {port: {{API_PORT}}}
alerts:
  group_seconds: 4
  channels:
    - {name: hook, type: webhook, url: "${hook.url()}"}
  rules:
    - {channels: [hook], states: [down, degraded]}
streams:
${streams}`,
  });
  const hostPort = host.port;
  try {
    await sp.until(allIn(sp, [...names, "NVR A", "Gate"], "up"), 30_000, "all up");
    await host.close();
    await sp.until(allIn(sp, names, "down"), 20_000, "the 40 down");
    await hook.until((r) => r.some((x) => x.body.event === "down"), 15_000, "the grouped alert");
    await delay(2000); // nothing else may follow
    const downs = hook.received.filter((r) => r.body.event === "down");
    assertEquals(downs.length, 1, `alerts: ${events(hook)}`);
    const alert = downs[0].body as { stream: string; streams: { name: string }[]; group: unknown };
    assertEquals(alert.stream, `127.0.0.1:${hostPort}`);
    assertEquals(alert.streams.map((s) => s.name).sort(), names);
    assertEquals(alert.group, { by: "host", key: `127.0.0.1:${hostPort}` });

    // The parent and its child fail together: one alert, the parent's, listing the child.
    hook.received.length = 0;
    await Promise.all([nvr.close(), gate.close()]);
    await sp.until(allIn(sp, ["NVR A", "Gate"], "down"), 20_000, "NVR A and Gate down");
    await hook.until((r) => r.some((x) => x.body.stream === "NVR A"), 15_000, "NVR A's alert");
    await delay(2000);
    assertEquals(events(hook), ["down NVR A"]);
    const nvrAlert = hook.received[0].body as { streams: { name: string }[] };
    assertEquals(nvrAlert.streams.map((s) => s.name), ["NVR A", "Gate"]);

    // The host comes back: one recovery for the 40.
    hook.received.length = 0;
    const again = await startReplayServer({ port: hostPort });
    try {
      await sp.until(allIn(sp, names, "up"), 30_000, "the 40 up again");
      await hook.until((r) => r.some((x) => x.body.event === "resolved"), 15_000, "the recovery");
      await delay(2000);
      assertEquals(events(hook), [`resolved 127.0.0.1:${hostPort}`]);
    } finally {
      await again.close();
    }
    for (const r of hook.received) assert(!JSON.stringify(r.body).includes("rtsp://"));
  } finally {
    await sp.stop();
    await hook.stop();
    await Promise.all([host.close(), nvr.close(), gate.close()]);
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("alerts queued while the receiver is down survive kill -9 and are each delivered once after the restart", async () => {
  const names = ["cam-a", "cam-b", "cam-c"];
  // One server per camera: three hosts, so three alerts (no grouping).
  const cams = await Promise.all(names.map(() => startReplayServer()));
  const hook = startWebhookReceiver();
  const hookPort = hook.port;
  await hook.stop(); // refused from the start
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 1
api: {port: {{API_PORT}}}
alerts:
  channels:
    - {name: hook, type: webhook, url: "http://127.0.0.1:${hookPort}/hook"}
  rules:
    - {channels: [hook]}
streams:
${names.map((n, i) => stream(n, cams[i].url("/h264/moving"))).join("")}`,
  });
  let sp2: StreamPulseProcess | undefined;
  try {
    await sp.until(allIn(sp, names, "up"), 30_000, "all up");
    await Promise.all(cams.map((c) => c.close()));
    await sp.until(allIn(sp, names, "down"), 20_000, "all down");
    await sp.until(
      async () => {
        const h = (await sp.get("/api/health")).body as { alerts?: { pending: number } };
        return (h.alerts?.pending ?? 0) >= 3;
      },
      15_000,
      "3 alerts pending",
    );
    await sp.kill();
    hook.start();
    sp2 = await startStreamPulse({ dir: sp.dir, apiPort: sp.apiPort, webPort: sp.webPort });
    await hook.until((r) => r.length >= 3, 30_000, "the 3 alerts after the restart");
    await delay(3000);
    assertEquals(events(hook).sort(), names.map((n) => `down ${n}`));
  } finally {
    await sp2?.stop();
    await sp.stop();
    await hook.stop();
    await Promise.all(cams.map((c) => c.close()));
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("a stream inside a maintenance window sends nothing and its SLA counts the window apart", async () => {
  const cam = await startReplayServer();
  const hook = startWebhookReceiver();
  const from = new Date(Date.now() - 60_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 1
api: {port: {{API_PORT}}}
alerts:
  channels:
    - {name: hook, type: webhook, url: "${hook.url()}"}
  rules:
    - {channels: [hook]}
  maintenance:
    - {name: works, streams: [cam], from: "${from}", to: "${to}"}
streams:
${stream("cam", cam.url("/h264/moving"))}${stream("other", "rtsp://127.0.0.1:9/none")}`,
  });
  try {
    await sp.until(allIn(sp, ["cam"], "up"), 30_000, "cam up");
    await cam.close();
    await sp.until(allIn(sp, ["cam", "other"], "down"), 20_000, "cam down");
    await hook.until((r) => r.some((x) => x.body.stream === "other"), 15_000, "other's alert");
    await delay(2000);
    assertEquals(events(hook), ["down other"], "nothing for the stream in maintenance");
    const sla = (await sp.get("/api/sla?days=1")).body as {
      streams: Record<string, { down_seconds: number; maintenance_seconds: number; ratio: number }>;
    };
    assertEquals(sla.streams.cam.down_seconds, 0);
    assert(sla.streams.cam.maintenance_seconds > 0, JSON.stringify(sla.streams.cam));
    assert(sla.streams.other.down_seconds > 0, JSON.stringify(sla.streams.other));
  } finally {
    await sp.stop();
    await hook.stop();
    await cam.close();
    await Deno.remove(sp.dir, { recursive: true });
  }
});

Deno.test("a black camera is mailed through a real SMTP server with the failing frame attached", async () => {
  const cam = await startReplayServer();
  const smtp = await startSmtp("starttls");
  const sp = await startStreamPulse({
    config: `heartbeat_seconds: 2
api: {port: {{API_PORT}}}
alerts:
  base_url: "https://sp.example"
  channels:
    - name: ops
      type: email
      host: 127.0.0.1
      port: ${smtp.port}
      tls: starttls
      tls_insecure: true
      username: "${SMTP_USER}"
      password: "${SMTP_PASSWORD}"
      from: "StreamPulse <sp@sp.test>"
      to: [ops@sp.test]
  rules:
    - {channels: [ops], states: [down, degraded]}
streams:
  - {name: Yard, url: "${
      cam.url("/h264/black", { user: "viewer", pass: "cam-pw-Yard1" })
    }", media_check_seconds: 10}
`,
  });
  try {
    const mail = await sp.until(async () => (await smtp.mails())[0], 60_000, "the mail");
    assertEquals(mail.subject, "Yard is degraded");
    const pictures = mail.parts.filter((p) => p.type === "image/jpeg");
    assert(pictures.some((p) => p.filename === "failure.jpg"), JSON.stringify(mail.parts));
    const jpeg = Uint8Array.from(atob(pictures[0].base64), (c) => c.charCodeAt(0));
    assertEquals([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)], [0xff, 0xd8, 0xff, 0xd9]);
    const text = mail.parts.map((p) => p.text ?? "").join("\n");
    assert(text.includes("picture black"), text);
    assert(text.includes("https://sp.example/streams/Yard"), text);
    for (const secret of ["cam-pw-Yard1", SMTP_PASSWORD, "rtsp://"]) {
      assert(!text.includes(secret), `the mail holds ${secret}`);
    }
  } finally {
    await sp.stop();
    await smtp.stop();
    await cam.close();
    await Deno.remove(sp.dir, { recursive: true });
  }
});
