/** The Alerts page and the stream page's alert controls, against the real dashboard and alerts task. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { createAlertsTask } from "../../monitor/alerts/task.ts";
import { createLogger, createMetrics } from "../../monitor/mod.ts";
import { createSlaReporter, createStatusView } from "../../monitor/status/mod.ts";
import { editChannel, fromLocalInput, toLocalInput } from "../../web/alerts_form.ts";
import { applyEdit } from "../../web/config_edit.ts";
import { createApiApp } from "../../web/api/mod.ts";
import { createWebApp, type WebApp } from "../../web/mod.ts";
import type { WebAlerts } from "../../web/context.ts";
import { type Stack, startWebStack } from "./harness.ts";
import { type Client, setupAndSignIn } from "./helpers.ts";

/** A config.yaml with comments, an unknown key, one ntfy channel (plus `more`) and one rule. */
const withChannels = (more = "") =>
  `# top comment
heartbeat_seconds: 60
timezone: Europe/Berlin
x-notes: keep me # an unknown key
streams:
  - name: gate
    url: rtsp://127.0.0.1:1/live
    enabled: false
alerts:
  # the channels
  channels:
    - name: phone # the on-call phone
      type: ntfy
      url: https://ntfy.example/cams
      token: tk_NTFY_TOKEN_SECRET
      priority: 4
      x-owner: ops team # unknown to the loader, kept
${more}  rules:
    - channels: [phone] # everything
`;
const BASE = withChannels();

/** A dashboard wired with a real alerts task (real store, real channels) over a real stack. */
interface AlertsStack {
  s: Stack;
  web: WebApp;
  alerts: WebAlerts;
  c: Client;
  stop(): Promise<void>;
}

async function startAlertsStack(config: string): Promise<AlertsStack> {
  const s = await startWebStack({ listen: false, config, reloadWaitMs: 2000 });
  const logger = createLogger({ level: "error", write: () => {} });
  const task = createAlertsTask({
    bus: s.bus,
    store: s.store,
    config: s.config,
    logger,
    snapshot: () => Promise.resolve(undefined),
    attemptTimeoutMs: 5000,
  });
  const ctrl = new AbortController();
  const running = task.run(ctrl.signal);
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
  const view = createStatusView({
    streams: () => s.monitor.streams(),
    status: (n) => s.monitor.status(n),
    timeZone: () => s.config().timezone,
  });
  const metrics = createMetrics({ bus: s.bus });
  const api = createApiApp({
    monitor: s.monitor,
    store: s.store,
    view,
    bus: s.bus,
    config: s.config,
    health: () => ({ ok: true }),
    logger,
    metrics,
    sla: createSlaReporter({ store: s.store, streams: () => s.monitor.streams() }),
    alerts,
  });
  const web = createWebApp({
    monitor: s.monitor,
    store: s.store,
    bus: s.bus,
    view,
    api,
    config: s.config,
    configPath: s.configPath,
    logger,
    passwordIterations: 1000,
    reloadWaitMs: 2000,
    alerts,
  });
  const c = await setupAndSignIn(web.app, web.setupToken()!);
  return {
    s,
    web,
    alerts,
    c,
    async stop() {
      ctrl.abort();
      await running;
      web.close();
      metrics.close();
      await s.stop();
    },
  };
}

const versionOf = (html: string) => /name="_version" value="([^"]+)"/.exec(html)![1];
const file = (st: AlertsStack) => Deno.readTextFile(st.s.configPath);

/** A local webhook receiver (Deno.serve on port 0) answering with `reply`. */
function receiver(reply: () => Response) {
  const got: Array<{ path: string; body: string }> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    got.push({ path: new URL(req.url).pathname, body: await req.text() });
    return reply();
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, got, stop: () => server.shutdown() };
}

Deno.test("editChannel() adds a channel under a new alerts: block and carries a rename into rules", () => {
  const text = "# c1\nheartbeat_seconds: 10\nstreams: []\n# c2\n";
  const out = applyEdit(
    text,
    editChannel({
      name: "hook",
      type: "webhook",
      url: "https://h.example/x",
      header_name_0: "X-A",
      header_value_0: "v",
    }),
  );
  assertStringIncludes(out, "# c1");
  assertStringIncludes(out, "# c2");
  assertStringIncludes(out, "alerts:\n  channels:\n    - name: hook\n      type: webhook\n");
  assertStringIncludes(out, "headers:\n        X-A: v");
  const renamed = applyEdit(BASE, editChannel({ name: "pager", priority: "4" }, "phone"));
  assertStringIncludes(renamed, "- channels: [ pager ] # everything");
  assertStringIncludes(renamed, "token: tk_NTFY_TOKEN_SECRET", "a blank secret is kept");
});

Deno.test("fromLocalInput() reads a datetime-local value on the wall clock of the config's zone", () => {
  assertEquals(fromLocalInput("2025-12-01T03:00", "Europe/Berlin"), "2025-12-01T03:00:00+01:00");
  assertEquals(fromLocalInput("2025-07-01T03:00", "Europe/Berlin"), "2025-07-01T03:00:00+02:00");
  assertEquals(fromLocalInput("2025-07-01T03:00", "UTC"), "2025-07-01T03:00:00+00:00");
  assertEquals(fromLocalInput("tomorrow", "UTC"), "tomorrow", "left for the loader to name");
  assertEquals(
    toLocalInput(Date.parse("2025-12-01T02:00:00Z"), "Europe/Berlin"),
    "2025-12-01T03:00",
  );
});

Deno.test("the channel form adds a channel with comments kept and keeps secrets left blank", async () => {
  const st = await startAlertsStack(BASE);
  try {
    const form = await (await st.c.get("/alerts/channels/new?type=webhook")).text();
    assertStringIncludes(form, 'name="header_name_0"');
    assert(!form.includes('name="token"'), "only the webhook's fields");
    const res = await st.c.post("/alerts/channels", {
      _version: versionOf(form),
      type: "webhook",
      name: "hook",
      url: "https://hooks.example/in/WEBHOOK_URL_SECRET",
      header_name_0: "X-Key",
      header_value_0: "HEADER_VALUE_SECRET",
    });
    assertEquals(res.status, 303);
    let text = await file(st);
    for (
      const kept of [
        "# top comment",
        "# an unknown key",
        "# the channels",
        "# the on-call phone",
        "# everything",
      ]
    ) {
      assertStringIncludes(text, kept);
    }
    assertStringIncludes(text, "x-notes: keep me");
    assertStringIncludes(text, "    - name: hook\n      type: webhook\n");
    assertStringIncludes(text, "X-Key: HEADER_VALUE_SECRET");
    assertEquals(st.s.config().alerts.channels.map((c) => c.name), ["phone", "hook"], "applied");

    // Edit both with every secret left blank: the stored ones stay.
    const edit = await (await st.c.get("/alerts/channels/hook/edit")).text();
    assert(!edit.includes("WEBHOOK_URL_SECRET") && !edit.includes("HEADER_VALUE_SECRET"), edit);
    assertStringIncludes(edit, "•••• set");
    const res2 = await st.c.post("/alerts/channels", {
      _version: versionOf(edit),
      _original: "hook",
      name: "hook",
      url: "",
      header_name_0: "X-Key",
      header_value_0: "",
      header_was_0: "X-Key",
      header_name_1: "X-Other",
      header_value_1: "two",
      title: "{{ stream }} needs a look",
    });
    assertEquals(res2.status, 303);
    const phone = await (await st.c.get("/alerts/channels/phone/edit")).text();
    assertEquals(
      (await st.c.post("/alerts/channels", {
        _version: versionOf(phone),
        _original: "phone",
        name: "phone",
        url: "https://ntfy.example/cams",
        token: "",
        priority: "5",
      })).status,
      303,
    );
    text = await file(st);
    assertStringIncludes(text, "url: https://hooks.example/in/WEBHOOK_URL_SECRET");
    assertStringIncludes(text, "X-Key: HEADER_VALUE_SECRET");
    assertStringIncludes(text, "X-Other: two");
    assertStringIncludes(text, 'title: "{{ stream }} needs a look"');
    assertStringIncludes(text, "token: tk_NTFY_TOKEN_SECRET");
    assertStringIncludes(text, "priority: 5");
    assertStringIncludes(text, "x-owner: ops team # unknown to the loader, kept");
    assertStringIncludes(text, "# the on-call phone");
  } finally {
    await st.stop();
  }
});

const SECRETS = [
  "tk_NTFY_TOKEN_SECRET",
  "NTFY_PASSWORD_SECRET",
  "WEBHOOK_URL_SECRET",
  "HEADER_VALUE_SECRET",
  "TELEGRAM_TOKEN_SECRET",
  "DISCORD_URL_SECRET",
  "SMTP_PASSWORD_SECRET",
  "PUSHOVER_TOKEN_SECRET",
  "PUSHOVER_USER_SECRET",
  "MATRIX_TOKEN_SECRET",
];
const ALL_TYPES = withChannels(
  `    - {name: phone2, type: ntfy, url: "https://ntfy.example/b", username: u, password: NTFY_PASSWORD_SECRET}
    - name: hook
      type: webhook
      url: https://hooks.example/in/WEBHOOK_URL_SECRET
      headers: {X-Key: HEADER_VALUE_SECRET}
    - {name: tg, type: telegram, token: "123456:TELEGRAM_TOKEN_SECRET", chat_id: "-100123"}
    - {name: dc, type: discord, url: "https://discord.com/api/webhooks/1/DISCORD_URL_SECRET"}
    - {name: mail, type: email, host: smtp.example, username: u, password: SMTP_PASSWORD_SECRET, from: sp@example.org, to: [ops@example.org]}
    - {name: po, type: pushover, token: PUSHOVER_TOKEN_SECRET, user: PUSHOVER_USER_SECRET}
    - {name: mx, type: matrix, url: "https://matrix.example", token: MATRIX_TOKEN_SECRET, room: "!abc:example.org"}
`,
);

Deno.test("the Alerts page, every channel form and GET /api/alerts never contain a secret", async () => {
  const st = await startAlertsStack(ALL_TYPES);
  try {
    assertEquals(st.s.config().alerts.channels.length, 8, "the config is valid");
    const pages = [await (await st.c.get("/alerts")).text()];
    for (const ch of st.s.config().alerts.channels) {
      const res = await st.c.get(`/alerts/channels/${encodeURIComponent(ch.name)}/edit`);
      assertEquals(res.status, 200, ch.name);
      pages.push(await res.text());
    }
    const api = await st.web.app.request("http://localhost/api/alerts", {
      headers: { cookie: st.c.cookie },
    });
    assertEquals(api.status, 200);
    const json = await api.text();
    for (const text of [...pages, json]) {
      for (const secret of SECRETS) assert(!text.includes(secret), `${secret} shown`);
    }
    assertStringIncludes(pages[0], "https://ntfy.example");
    assertStringIncludes(pages[0], "token: •••• set");
    const body = JSON.parse(json);
    assertEquals(body.channels.find((c: { name: string }) => c.name === "phone"), {
      name: "phone",
      type: "ntfy",
      origin: "https://ntfy.example",
    });
    assertEquals(body.channels.find((c: { name: string }) => c.name === "hook"), {
      name: "hook",
      type: "webhook",
    });
  } finally {
    await st.stop();
  }
});

Deno.test("an invalid channel URL is refused with 422 and the loader's message beside the field", async () => {
  const st = await startAlertsStack(BASE);
  try {
    const form = await (await st.c.get("/alerts/channels/new?type=gotify")).text();
    const res = await st.c.post("/alerts/channels", {
      _version: versionOf(form),
      type: "gotify",
      name: "go",
      url: "not a url",
      token: "GOTIFY_TOKEN_SECRET",
    });
    assertEquals(res.status, 422);
    const html = await res.text();
    assertStringIncludes(
      html,
      'data-problem-for="url" id="p-url">alerts.channels[1].url: is not a valid URL ' +
        "(expected e.g. https://host/path)</p>",
    );
    assertStringIncludes(html, 'value="go"', "the typed values are kept");
    assert(!html.includes("GOTIFY_TOKEN_SECRET"), "a typed secret is not echoed");
    assertEquals(await file(st), BASE);
  } finally {
    await st.stop();
  }
});

Deno.test("a channel save over a config.yaml changed on disk is refused with 409", async () => {
  const st = await startAlertsStack(BASE);
  try {
    const form = await (await st.c.get("/alerts/channels/phone/edit")).text();
    const edited = BASE.replace("heartbeat_seconds: 60", "heartbeat_seconds: 61");
    await Deno.writeTextFile(st.s.configPath, edited);
    const res = await st.c.post("/alerts/channels", {
      _version: versionOf(form),
      _original: "phone",
      name: "renamed",
      url: "https://ntfy.example/cams",
    });
    assertEquals(res.status, 409);
    const html = await res.text();
    assertStringIncludes(html, "changed on disk");
    assertStringIncludes(html, 'value="renamed"');
    assertEquals(await file(st), edited);
  } finally {
    await st.stop();
  }
});

Deno.test("rules and maintenance windows are added, shown and deleted through the forms", async () => {
  const st = await startAlertsStack(BASE);
  try {
    const form = await (await st.c.get("/alerts/rules/new")).text();
    assertStringIncludes(form, '<option value="phone"');
    // `channels` and `states` repeat, as a multi-select and checkboxes send them.
    const body = new URLSearchParams([
      ["_csrf", st.c.csrf],
      ["_version", versionOf(form)],
      ["channels", "phone"],
      ["states", "down"],
      ["states", "degraded"],
      ["tags", "outside, east"],
      ["after_seconds", "30"],
      ["resolved", "on"],
      ["remind_minutes", "60"],
    ]);
    const res = await st.web.app.request("http://localhost/alerts/rules", {
      method: "POST",
      headers: { cookie: st.c.cookie, origin: "http://localhost" },
      body,
    });
    assertEquals(res.status, 303);
    let text = await file(st);
    assertStringIncludes(
      text,
      "    - channels: [ phone ]\n      states: [ down, degraded ]\n      tags: [ outside, east ]\n" +
        "      after_seconds: 30\n      remind_minutes: 60\n",
    );
    assertStringIncludes(text, "- channels: [ phone ] # everything");
    assertEquals(st.s.config().alerts.rules[1].remindMinutes, 60);

    const win = await (await st.c.get("/alerts/maintenance/new")).text();
    assertStringIncludes(win, "From (Europe/Berlin)");
    const now = Date.now();
    const local = (ms: number) => toLocalInput(ms, "Europe/Berlin");
    assertEquals(
      (await st.c.post("/alerts/maintenance", {
        _version: versionOf(win),
        name: "now",
        mode: "once",
        from: local(now - 3_600_000),
        to: local(now + 3_600_000),
        streams: "gate",
      })).status,
      303,
    );
    const win2 = await (await st.c.get("/alerts/maintenance/new")).text();
    assertEquals(
      (await st.c.post("/alerts/maintenance", {
        _version: versionOf(win2),
        name: "nightly",
        mode: "cron",
        cron: "0 3 * * *",
        minutes: "30",
      })).status,
      303,
    );
    text = await file(st);
    assertStringIncludes(text, "  maintenance:\n    - name: now\n      from: ");
    assertStringIncludes(text, "    - name: nightly\n      cron: 0 3 * * *\n      minutes: 30\n");
    const page = await (await st.c.get("/alerts")).text();
    assertStringIncludes(page, "in force now");
    assertStringIncludes(page, "cron &quot;0 3 * * *&quot; for 30 min");
    assertEquals(st.alerts.maintenance("gate"), "now", "the alerts task applied it");
    assertStringIncludes(
      await (await st.c.get("/streams/gate")).text(),
      "In maintenance window “now”: no alerts.",
    );

    const bad = await (await st.c.get("/alerts/maintenance/new")).text();
    const refused = await st.c.post("/alerts/maintenance", {
      _version: versionOf(bad),
      name: "broken",
      mode: "cron",
      cron: "not cron",
      minutes: "30",
    });
    assertEquals(refused.status, 422);
    assertStringIncludes(await refused.text(), 'id="p-cron">alerts.maintenance[2].cron: ');

    for (
      const path of [
        "/alerts/maintenance/1/delete",
        "/alerts/maintenance/0/delete",
        "/alerts/rules/1/delete",
      ]
    ) {
      const v = versionOf(await (await st.c.get("/alerts")).text());
      assertEquals((await st.c.post(path, { _version: v })).status, 303, path);
    }
    text = await file(st);
    assert(!text.includes("nightly") && !text.includes("name: now"), text);
    assert(!text.includes("remind_minutes"), text);
    assertStringIncludes(text, "- channels: [ phone ] # everything");
    assertEquals(st.s.config().alerts.maintenance, []);
  } finally {
    await st.stop();
  }
});

Deno.test("Send test shows the answer of a local webhook receiver, for a saved and an unsaved channel", async () => {
  let status = 200;
  const rx = receiver(() =>
    new Response(status === 200 ? "received-ok-42" : "nope-quota", { status })
  );
  const config = withChannels(
    `    - {name: hook, type: webhook, url: "${rx.url}/in/WEBHOOK_URL_SECRET"}\n`,
  );
  const st = await startAlertsStack(config);
  try {
    const saved = await st.c.post("/alerts/channels/hook/test", {});
    assertEquals(saved.status, 200);
    const html = await saved.text();
    assertStringIncludes(html, "&quot;hook&quot;: Test sent (status 200): received-ok-42");
    assertEquals(rx.got.length, 1);
    assertEquals(rx.got[0].path, "/in/WEBHOOK_URL_SECRET");
    assert(!html.includes("WEBHOOK_URL_SECRET"));

    // An unsaved form: its own values are sent (here a new channel), nothing is saved.
    status = 503;
    const form = await (await st.c.get("/alerts/channels/new?type=webhook")).text();
    const res = await st.c.post("/alerts/channels/test", {
      _version: versionOf(form),
      type: "webhook",
      name: "draft",
      url: `${rx.url}/draft`,
    });
    assertEquals(res.status, 200);
    assertStringIncludes(await res.text(), "Test failed (status 503): HTTP 503: nope-quota");
    assertEquals(rx.got.at(-1)?.path, "/draft");
    assert(!(await file(st)).includes("draft"), "a test saves nothing");
    assertEquals((await st.c.post("/alerts/channels/hook/test", {}, { csrf: false })).status, 403);

    // With script, FormAssist posts the form to /try and /validate and gets JSON.
    status = 200;
    const tried = await (await st.c.post("/alerts/channels/try", {
      type: "webhook",
      name: "draft",
      url: `${rx.url}/island`,
    })).json();
    assertEquals(tried, { ok: true, message: "Test sent (status 200): received-ok-42" });
    const checked = await (await st.c.post("/alerts/channels/validate", {
      type: "webhook",
      name: "draft",
      url: "ftp://x",
    })).json();
    assertEquals(checked, {
      fields: { url: "alerts.channels[2].url: must be an http:// or https:// URL, got ftp://" },
      other: [],
    });
  } finally {
    await st.stop();
    await rx.stop();
  }
});

Deno.test("an outage goes through the real engine and outbox to the receiver and into the delivery log", async () => {
  const rx = receiver(() => new Response("accepted-7", { status: 200 }));
  const config = withChannels(`    - {name: hook, type: webhook, url: "${rx.url}/hook"}\n`)
    .replace("- channels: [phone] # everything", "- channels: [hook]")
    .replace("    enabled: false\n", "    interval_seconds: 3600\n"); // disabled streams never alert
  const st = await startAlertsStack(config);
  try {
    const status = st.s.monitor.status("gate")!;
    st.s.bus.emit("state-change", {
      name: "gate",
      from: "up",
      to: "down",
      ts: Date.now(),
      cause: "connection refused",
      status,
    });
    const end = Date.now() + 15_000;
    while ((await st.alerts.deliveries({})).length === 0 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert(rx.got.length >= 1, "delivered");
    assertStringIncludes(rx.got[0].body, '"stream":"gate"');
    const page = await (await st.c.get("/alerts?channel=hook")).text();
    assertStringIncludes(page, '<td class="result-ok">ok</td><td class="num">200</td>');
    assertStringIncludes(page, "accepted-7");
    const other = await (await st.c.get("/alerts?channel=phone")).text();
    assertStringIncludes(other, "Nothing sent yet.");
  } finally {
    await st.stop();
    await rx.stop();
  }
});

Deno.test("the stream page acknowledges an open incident with a note (CSRF required) and mutes the stream", async () => {
  const st = await startAlertsStack(BASE);
  try {
    const t = Date.now() - 60_000;
    st.s.store.recordStateChange({ name: "gate", from: "up", to: "down", ts: t, cause: "timeout" });
    const id = st.s.store.incidents("gate", {})[0].id;
    let page = await (await st.c.get("/streams/gate")).text();
    assertStringIncludes(page, `action="/streams/gate/incidents/${id}/ack"`);
    assertStringIncludes(page, "Not muted.");

    const path = `/streams/gate/incidents/${id}/ack`;
    assertEquals((await st.c.post(path, { note: "on it" }, { csrf: false })).status, 403);
    assertEquals(st.s.store.incident(id)?.ack, null, "refused without CSRF");
    const ack = await st.c.post(path, { note: "Ladder ordered <b>" });
    assertEquals(ack.status, 303);
    assertEquals(st.s.store.incident(id)?.ack?.note, "Ladder ordered <b>");
    page = await (await st.c.get("/streams/gate")).text();
    assertStringIncludes(page, "Ladder ordered &lt;b>");
    assertEquals(
      (await st.c.post(`/streams/gate/incidents/999999/ack`, { note: "x" })).status,
      404,
    );

    assertEquals(
      (await st.c.post("/streams/gate/mute", { for: "480", note: "roof work" })).status,
      303,
    );
    const mute = st.alerts.mutes().find((m) => m.name === "gate");
    assert(mute && mute.until > Date.now() + 7.9 * 3_600_000, JSON.stringify(mute));
    page = await (await st.c.get("/streams/gate")).text();
    assertStringIncludes(page, "Muted until ");
    const alertsPage = await (await st.c.get("/alerts")).text();
    assertStringIncludes(alertsPage, "roof work");
    assertEquals((await st.c.post("/streams/gate/mute", { for: "forever" })).status, 303);
    assertStringIncludes(await (await st.c.get("/streams/gate")).text(), "Muted until unmuted.");
    assertEquals((await st.c.post("/streams/gate/mute", { for: "unmute" })).status, 303);
    assertEquals(st.alerts.mutes(), []);
    assertEquals((await st.c.post("/streams/gate/mute", { for: "60" })).status, 303);
    assertStringIncludes(
      await (await st.c.get("/alerts")).text(),
      'action="/alerts/mutes/gate/unmute"',
    );
    assertEquals((await st.c.post("/alerts/mutes/gate/unmute", {})).status, 303);
    assertEquals(st.alerts.mutes(), [], "unmuted from the Alerts page");
    assertEquals((await st.c.post("/streams/gate/mute", { for: "7" })).status, 400);

    // The API through the dashboard: a signed-in browser still needs the CSRF header.
    const api = (headers: Record<string, string>) =>
      st.web.app.request(`http://localhost/api/incidents/${id}/ack`, {
        method: "POST",
        headers: {
          cookie: st.c.cookie,
          origin: "http://localhost",
          "content-type": "application/json",
          ...headers,
        },
        body: JSON.stringify({ note: "via the API" }),
      });
    assertEquals((await api({})).status, 403);
    const ok = await api({ "x-csrf-token": st.c.csrf });
    assertEquals(ok.status, 200);
    assertEquals((await ok.json()).ack.note, "via the API");
  } finally {
    await st.stop();
  }
});
