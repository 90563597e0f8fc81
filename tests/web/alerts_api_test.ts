/** The status API's alerting routes: acks, mutes, the delivery log and GET /api/alerts. */

import { assert, assertEquals, assertStringIncludes, assertThrows } from "../assert.ts";
import { createAlertsTask } from "../../monitor/alerts/task.ts";
import { createLogger, createMetrics } from "../../monitor/mod.ts";
import { createSlaReporter, createStatusView } from "../../monitor/status/mod.ts";
import { HTTPException } from "hono/http-exception";
import { muteUntil } from "../../web/api/alerts.ts";
import { createApiApp } from "../../web/api/mod.ts";
import type { WebAlerts } from "../../web/context.ts";
import { startWebStack } from "./harness.ts";

const TOKEN = "api-TOKEN-0123456789";
const CONFIG = `timezone: Europe/Berlin
api:
  token: ${TOKEN}
streams:
  - {name: gate, url: "rtsp://127.0.0.1:1/live", enabled: false}
  - {name: yard, url: "rtsp://127.0.0.1:1/yard", enabled: false, tags: [outside]}
alerts:
  channels:
    - {name: phone, type: ntfy, url: "https://ntfy.example/cams?auth=QUERY_SECRET", token: NTFY_TOKEN_SECRET}
    - {name: go, type: gotify, url: "https://gotify.example:8443/base", token: GOTIFY_TOKEN_SECRET}
    - {name: hook, type: webhook, url: "https://hooks.example/WEBHOOK_URL_SECRET", headers: {X-Key: HEADER_SECRET}}
    - {name: mail, type: email, host: smtp.example, username: u, password: SMTP_SECRET, from: sp@example.org, to: [ops@example.org]}
  rules:
    - {channels: [phone, go], states: [down, degraded], tags: [outside], after_seconds: 30, remind_minutes: 15}
  maintenance:
    - {name: always, from: "2000-01-01T00:00:00Z", to: "2999-01-01T00:00:00Z", streams: [yard]}
    - {name: past, from: "2000-01-01T00:00:00Z", to: "2000-01-02T00:00:00Z"}
    - {name: nightly, cron: "0 3 * * *", minutes: 30}
`;
const SECRETS = [
  "QUERY_SECRET",
  "NTFY_TOKEN_SECRET",
  "GOTIFY_TOKEN_SECRET",
  "WEBHOOK_URL_SECRET",
  "HEADER_SECRET",
  "SMTP_SECRET",
];

/** The real status API over a real stack's store, monitor and config, with the alerts task. */
async function apiStack(config = CONFIG) {
  const s = await startWebStack({ listen: false, config });
  const logger = createLogger({ level: "error", write: () => {} });
  const task = createAlertsTask({
    bus: s.bus,
    store: s.store,
    config: s.config,
    logger,
    snapshot: () => Promise.resolve(undefined),
  });
  const alerts: WebAlerts = {
    acknowledge: task.acknowledge,
    mute: task.mute,
    mutes: task.mutes,
    test: task.test,
    maintenance: task.maintenance,
    health: task.health,
    deliveries: (q) => s.store.deliveries(q),
    incident: (id) => s.store.incident(id),
  };
  const metrics = createMetrics({ bus: s.bus });
  const api = createApiApp({
    monitor: s.monitor,
    store: s.store,
    view: createStatusView({
      streams: () => s.monitor.streams(),
      status: (n) => s.monitor.status(n),
      timeZone: () => s.config().timezone,
    }),
    bus: s.bus,
    config: s.config,
    health: () => ({ ok: true }),
    logger,
    metrics,
    sla: createSlaReporter({ store: s.store, streams: () => s.monitor.streams() }),
    alerts,
  });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  ) => {
    const res = await api.request(`http://127.0.0.1${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    s,
    call,
    async stop() {
      metrics.close();
      await s.stop();
    },
  };
}

Deno.test("muteUntil() reads minutes, until, forever or unmute, and names the bad field", () => {
  const now = Date.parse("2025-12-01T10:00:00Z");
  assertEquals(muteUntil({ minutes: 60 }, now), now + 3_600_000);
  assertEquals(muteUntil({ until: "2025-12-01T12:00:00+01:00" }, now), now + 3_600_000);
  assertEquals(muteUntil({ unmute: true }, now), null);
  assert(muteUntil({ forever: true }, now)! > now + 1e12);
  const fails = (body: Record<string, unknown>, text: string) =>
    assertStringIncludes(assertThrows(() => muteUntil(body, now), HTTPException).message, text);
  fails({}, 'exactly one of "minutes"');
  fails({ minutes: 5, unmute: true }, "exactly one");
  fails({ minutes: "60" }, '"minutes" must be a whole number');
  fails({ minutes: 1.5 }, '"minutes"');
  fails({ minutes: 10_000_000 }, '"minutes" must be at most');
  fails({ until: "tomorrow" }, '"until" must be an ISO-8601 time');
  fails({ until: "2025-12-01T09:00:00Z" }, '"until" must be in the future');
  fails({ unmute: false }, '"unmute" must be true');
});

Deno.test("POST /api/incidents/:id/ack acknowledges with a note; unknown ids 404, bad bodies 400", async () => {
  const st = await apiStack();
  try {
    const start = Date.parse("2025-12-01T09:00:00Z");
    st.s.store.recordStateChange({
      name: "gate",
      from: "up",
      to: "down",
      ts: start,
      cause: "timeout",
    });
    const id = st.s.store.incidents("gate", {})[0].id;
    const ok = await st.call("POST", `/api/incidents/${id}/ack`, { note: "Technician on the way" });
    assertEquals(ok.status, 200);
    assertEquals(ok.body.id, id);
    assertEquals(ok.body.stream, "gate");
    assertEquals(ok.body.state, "down");
    assertEquals(ok.body.start, "2025-12-01T10:00:00+01:00");
    assertEquals(ok.body.end, null);
    assertEquals(ok.body.cause, "timeout");
    assertEquals(ok.body.ack.note, "Technician on the way");
    assert(Math.abs(Date.parse(ok.body.ack.ts) - Date.now()) < 60_000, ok.body.ack.ts);
    assertEquals(st.s.store.incident(id)?.ack?.note, "Technician on the way");

    assertEquals(await st.call("POST", "/api/incidents/987654/ack", { note: "x" }), {
      status: 404,
      body: { error: "Unknown incident 987654" },
    });
    const bad = async (body: unknown, text: string, status = 400) => {
      const r = await st.call("POST", `/api/incidents/${id}/ack`, body);
      assertEquals(r.status, status, JSON.stringify(body));
      assertStringIncludes(r.body.error, text);
    };
    await bad({ note: "x".repeat(1001) }, '"note" must be at most 1000 characters');
    await bad({ note: 42 }, '"note" must be a string');
    await bad("{not json", "not valid JSON");
    await bad([1], "must be a JSON object");
    const plain = await st.call("POST", `/api/incidents/${id}/ack`, undefined, {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "text/plain",
    });
    assertEquals(plain.status, 415, "a form or text body is refused (no cross-site simple POST)");
    await bad({ note: "y".repeat(20_000) }, "larger than 16 KiB", 413);
    assertEquals((await st.call("POST", "/api/incidents/abc/ack", { note: "" })).status, 400);
    const anon = await st.call("POST", `/api/incidents/${id}/ack`, { note: "x" }, {});
    assertEquals(anon.status, 401, "token-checked like the rest of /api");
    assertEquals(st.s.store.incident(id)?.ack?.note, "Technician on the way");
  } finally {
    await st.stop();
  }
});

Deno.test("the API refuses writes on its own port while no api.token is set", async () => {
  const st = await apiStack(CONFIG.replace(`api:\n  token: ${TOKEN}\n`, ""));
  try {
    st.s.store.recordStateChange({ name: "gate", from: "up", to: "down", ts: 1, cause: "x" });
    const id = st.s.store.incidents("gate", {})[0].id;
    const r = await st.call("POST", `/api/incidents/${id}/ack`, { note: "x" }, {});
    assertEquals(r.status, 403);
    assertStringIncludes(r.body.error, "api.token");
    assertEquals((await st.call("POST", "/api/streams/gate/mute", { minutes: 5 }, {})).status, 403);
    assertEquals(
      (await st.call("GET", "/api/alerts", undefined, {})).status,
      200,
      "reads stay open",
    );
  } finally {
    await st.stop();
  }
});

Deno.test("POST /api/streams/:name/mute mutes for minutes or until a time and unmutes", async () => {
  const st = await apiStack();
  try {
    const r = await st.call("POST", "/api/streams/gate/mute", { minutes: 90, note: "roof work" });
    assertEquals(r.status, 200);
    assertEquals(r.body.muted, true);
    assertEquals(r.body.stream, "gate");
    assertEquals(r.body.note, "roof work");
    const until = Date.parse(r.body.until);
    assert(Math.abs(until - (Date.now() + 90 * 60_000)) < 60_000, r.body.until);
    assertStringIncludes(r.body.until, "+01:00", "in the configured zone");
    assertEquals((await st.call("GET", "/api/alerts")).body.mutes, [
      { stream: "gate", until: r.body.until, note: "roof work" },
    ]);
    const at = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const r2 = await st.call("POST", "/api/streams/yard/mute", { until: at });
    assertEquals(Date.parse(r2.body.until), Math.floor(Date.parse(at) / 1000) * 1000);
    const r3 = await st.call("POST", "/api/streams/yard/mute", { forever: true });
    assertEquals(r3.body.until, null, "until unmuted");
    assertEquals(await st.call("POST", "/api/streams/gate/mute", { unmute: true }), {
      status: 200,
      body: { muted: false, stream: "gate" },
    });
    assertEquals(
      (await st.call("GET", "/api/alerts")).body.mutes.map((m: { stream: string }) => m.stream),
      [
        "yard",
      ],
    );
    const bad = await st.call("POST", "/api/streams/gate/mute", { minutes: "soon" });
    assertEquals(bad.status, 400);
    assertStringIncludes(bad.body.error, '"minutes"');
    const long = await st.call("POST", "/api/streams/gate/mute", {
      minutes: 5,
      note: "n".repeat(1001),
    });
    assertEquals(long.status, 400);
    assertStringIncludes(long.body.error, '"note"');
    assertEquals((await st.call("POST", "/api/streams/nope/mute", { minutes: 5 })).body, {
      error: 'Unknown stream "nope"',
    });
  } finally {
    await st.stop();
  }
});

Deno.test("GET /api/alerts lists channels without secrets, rules, windows in force, mutes and the outbox", async () => {
  const st = await apiStack();
  try {
    const r = await st.call("GET", "/api/alerts");
    assertEquals(r.status, 200);
    const text = JSON.stringify(r.body);
    for (const secret of SECRETS) assert(!text.includes(secret), `${secret} in ${text}`);
    assertEquals(r.body.channels, [
      { name: "phone", type: "ntfy" }, // its URL carries a query (?auth=): not shown at all
      { name: "go", type: "gotify", origin: "https://gotify.example:8443" },
      { name: "hook", type: "webhook" },
      { name: "mail", type: "email", host: "smtp.example:587" },
    ]);
    assertEquals(r.body.rules, [{
      channels: ["phone", "go"],
      states: ["down", "degraded"],
      streams: [],
      tags: ["outside"],
      sites: [],
      after_seconds: 30,
      resolved: true,
      remind_minutes: 15,
    }]);
    const [always, past, nightly] = r.body.maintenance;
    assertEquals([always.name, always.active, always.streams], ["always", true, ["yard"]]);
    assertEquals([past.name, past.active], ["past", false]);
    assertEquals(typeof nightly.active, "boolean", "in force from 03:00 to 03:30 Berlin time");
    assertEquals(r.body.maintenance[0].from, "2000-01-01T01:00:00+01:00");
    assertEquals(r.body.maintenance[2].cron, "0 3 * * *");
    assertEquals(r.body.outbox.pending, 0);
    assertEquals(r.body.outbox.muted, 0);
  } finally {
    await st.stop();
  }
});

Deno.test("GET /api/alerts/deliveries lists the log newest first, by channel and limit, secrets masked", async () => {
  const st = await apiStack();
  try {
    const t = Date.parse("2025-12-01T09:00:00Z");
    const items = ["phone", "go", "phone"].map((channel, i) => ({
      key: `gate@${t}:down#${i}`,
      channel,
      alert: "{}",
      event: "down",
      stream: "gate",
    }));
    st.s.store.enqueueAlerts(items, t);
    const queued = st.s.store.dueAlerts(t + 1, 10);
    queued.forEach((item, i) =>
      st.s.store.recordAttempt(item.id, {
        ts: t + i * 1000,
        ok: i !== 1,
        status: i === 1 ? 401 : 200,
        answer: i === 1 ? "bad token GOTIFY_TOKEN_SECRET" : "ok",
        nextAttemptAt: null,
        failed: i === 1,
      })
    );
    const all = await st.call("GET", "/api/alerts/deliveries");
    assertEquals(all.status, 200);
    assertEquals(all.body.map((d: { channel: string }) => d.channel), ["phone", "go", "phone"]);
    assertEquals(all.body[1], {
      ts: "2025-12-01T10:00:01+01:00",
      channel: "go",
      stream: "gate",
      event: "down",
      key: `gate@${t}:down#1`,
      attempt: 1,
      ok: false,
      status: 401,
      answer: "bad token ***",
    });
    const phone = await st.call("GET", "/api/alerts/deliveries?channel=phone&limit=1");
    assertEquals(phone.body.length, 1);
    assertEquals(phone.body[0].ts, "2025-12-01T10:00:02+01:00");
    const bad = await st.call("GET", "/api/alerts/deliveries?limit=0");
    assertEquals(bad, {
      status: 400,
      body: { error: 'Invalid "limit": expected a whole number from 1 to 1000' },
    });
    const outbox = (await st.call("GET", "/api/alerts")).body.outbox;
    assertEquals(outbox.channels.go.last_error, "bad token ***");
  } finally {
    await st.stop();
  }
});
