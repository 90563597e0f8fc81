/** Discord, Slack, Teams and webhook channels against servers that follow the docs. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createChannel } from "../../../monitor/alerts/channels/mod.ts";
import { renderAlert } from "../../../monitor/alerts/template.ts";
import type { Alert, Attachment } from "../../../monitor/alerts/types.ts";
import {
  degradedAlert,
  downAlert,
  evidence,
  groupedAlert,
  json,
  sendContext,
} from "../../fixtures/providers.ts";
import {
  startDiscord,
  startSlack,
  startTeams,
  startWebhookReceiver,
} from "../../fixtures/providers_chat.ts";

function ctxFor(alert: Alert, attachments: Attachment[] = []) {
  const { title, body } = renderAlert(alert, { timeZone: "UTC" });
  return sendContext({ message: { title, body }, attachments });
}

const HOOK_ID = "112233445566778899";
const HOOK_TOKEN = "dT0k-abcdefghijklmnopqrstuvwxyz0123456789";

Deno.test("discord send() posts embeds with wait=true for a down and a grouped alert", async () => {
  const d = startDiscord(HOOK_ID, HOOK_TOKEN);
  try {
    const ch = createChannel({
      type: "discord",
      name: "d",
      url: `${d.url}/api/webhooks/${HOOK_ID}/${HOOK_TOKEN}`,
    });
    const alert = downAlert();
    const ctx = ctxFor(alert);
    assertEquals(await ch.send(alert, ctx), { ok: true, status: 200, answer: "ok: message 9001" });
    const req = d.requests[0];
    assertEquals([req.method, req.path, req.query], [
      "POST",
      `/api/webhooks/${HOOK_ID}/${HOOK_TOKEN}`,
      { wait: "true" },
    ]);
    assertEquals(req.json, {
      embeds: [{
        title: "cam-1 is down",
        description: ctx.message.body,
        color: 0xe74c3c,
        timestamp: new Date(alert.ts).toISOString(),
        url: "https://sp.example.org/streams/cam-1",
      }],
      allowed_mentions: { parse: [] },
    });
    assertEquals((await ch.send(groupedAlert(), ctxFor(groupedAlert()))).ok, true);
    const embed = (d.messages[1].payload.embeds as Record<string, unknown>[])[0];
    assertEquals(embed.title, "12 streams on cam-host:554 are down");
  } finally {
    await d.close();
  }
});

Deno.test("discord send() of pictures is multipart with payload_json and files[0], files[1]", async () => {
  const d = startDiscord(HOOK_ID, HOOK_TOKEN);
  try {
    const ch = createChannel({
      type: "discord",
      name: "d",
      url: `${d.url}/api/webhooks/${HOOK_ID}/${HOOK_TOKEN}`,
    });
    const pics = evidence();
    const r = await ch.send(degradedAlert(), ctxFor(degradedAlert(), pics));
    assertEquals(r.ok, true, r.answer);
    const { payload, files } = d.messages[0];
    assertEquals(Object.keys(files), ["files[0]", "files[1]"]);
    assertEquals([files["files[0]"].filename, files["files[0]"].type], [
      "failure.jpg",
      "image/jpeg",
    ]);
    assertEquals(files["files[0]"].bytes, pics[0].bytes);
    assertEquals(files["files[1]"].bytes, pics[1].bytes);
    const embeds = payload.embeds as { image?: { url: string }; color: number }[];
    assertEquals(embeds.map((e) => e.image?.url), [
      "attachment://failure.jpg",
      "attachment://last.jpg",
    ]);
    assertEquals(embeds[0].color, 0xf39c12);
    assertEquals(payload.attachments, [{ id: 0, filename: "failure.jpg" }, {
      id: 1,
      filename: "last.jpg",
    }]);
  } finally {
    await d.close();
  }
});

Deno.test("discord send() reads a 429's fractional retry_after", async () => {
  const d = startDiscord(HOOK_ID, HOOK_TOKEN);
  d.script(() =>
    json(429, { message: "You are being rate limited.", retry_after: 1.25, global: false }, {
      "retry-after": "2",
    })
  );
  try {
    const ch = createChannel({
      type: "discord",
      name: "d",
      url: `${d.url}/api/webhooks/${HOOK_ID}/${HOOK_TOKEN}`,
    });
    const r = await ch.send(downAlert(), ctxFor(downAlert()));
    assertEquals(r, {
      ok: false,
      status: 429,
      answer: "HTTP 429: You are being rate limited.",
      retryAfterMs: 1250,
    });
  } finally {
    await d.close();
  }
});

const SLACK_PATH = "/services/T0001/B0002/XXXXsecretXXXXkey0001";

Deno.test("slack send() posts text and blocks with the links; Slack answers ok", async () => {
  const s = startSlack(SLACK_PATH);
  try {
    const ch = createChannel({ type: "slack", name: "s", url: `${s.url}${SLACK_PATH}` });
    const alert = downAlert({ cause: "a <b> & c" });
    const ctx = ctxFor(alert);
    assertEquals(await ch.send(alert, ctx), { ok: true, status: 200, answer: "ok" });
    const body = s.requests[0].json as { text: string; blocks: Record<string, unknown>[] };
    assertEquals(body.text, "cam-1 is down");
    assertEquals(body.blocks[0], {
      type: "header",
      text: { type: "plain_text", text: "cam-1 is down" },
    });
    assertStringIncludes(JSON.stringify(body.blocks[1]), "Cause: a &lt;b&gt; &amp; c");
    assertEquals(body.blocks[2], {
      type: "context",
      elements: [
        { type: "mrkdwn", text: "<https://sp.example.org/|Dashboard>" },
        { type: "mrkdwn", text: "<https://sp.example.org/streams/cam-1|Stream>" },
        {
          type: "mrkdwn",
          text: "<https://sp.example.org/snapshots/cam-1/failure.jpg|Failure snapshot>",
        },
        {
          type: "mrkdwn",
          text: "<https://sp.example.org/snapshots/cam-1/last.jpg|Last good snapshot>",
        },
      ],
    });
    const g = await ch.send(groupedAlert(50), ctxFor(groupedAlert(50)));
    assertEquals(g.ok, true, g.answer);
  } finally {
    await s.close();
  }
});

Deno.test("slack send() to a removed webhook is permanent and quotes Slack's error word, not the URL", async () => {
  const s = startSlack(SLACK_PATH);
  try {
    const ch = createChannel({
      type: "slack",
      name: "s",
      url: `${s.url}/services/T0001/B0002/goneSecretKey12345`,
    });
    const r = await ch.send(downAlert(), ctxFor(downAlert()));
    assertEquals(r, { ok: false, status: 404, answer: "HTTP 404: no_service", permanent: true });
  } finally {
    await s.close();
  }
});

Deno.test("teams send() posts an Adaptive Card message and takes 202 for success", async () => {
  const t = startTeams("SiGnAtUrE-0123456789abcdef");
  try {
    const url =
      `${t.url}${t.path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SiGnAtUrE-0123456789abcdef`;
    const ch = createChannel({ type: "teams", name: "t", url });
    const alert = groupedAlert(3);
    const ctx = ctxFor(alert);
    assertEquals(await ch.send(alert, ctx), { ok: true, status: 202, answer: "HTTP 202" });
    const body = t.requests[0].json as {
      type: string;
      attachments: { contentType: string; content: Record<string, unknown> }[];
    };
    assertEquals(body.type, "message");
    assertEquals(body.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
    const card = body.attachments[0].content;
    assertEquals([card.$schema, card.type, card.version], [
      "http://adaptivecards.io/schemas/adaptive-card.json",
      "AdaptiveCard",
      "1.4",
    ]);
    assertEquals(card.body, [
      {
        type: "TextBlock",
        text: "3 streams on cam-host:554 are down",
        weight: "Bolder",
        size: "Medium",
        wrap: true,
      },
      { type: "TextBlock", text: ctx.message.body, wrap: true },
      {
        type: "FactSet",
        facts: [1, 2, 3].map((i) => ({ title: `cam-${i}`, value: "down: connection refused" })),
      },
    ]);
    assertEquals(card.actions, [{
      type: "Action.OpenUrl",
      title: "Dashboard",
      url: "https://sp.example.org/",
    }]);
    const down = downAlert();
    assertEquals((await ch.send(down, ctxFor(down))).ok, true);
    const card1 = (t.requests[1].json as typeof body).attachments[0].content;
    assertEquals((card1.body as Record<string, unknown>[])[0].text, "cam-1 is down");
    assertEquals((card1.actions as { title: string }[]).map((a) => a.title), [
      "Dashboard",
      "Stream",
      "Failure snapshot",
      "Last good snapshot",
    ]);
    const bad = createChannel({
      type: "teams",
      name: "t",
      url: url.replace(/sig=.*/, "sig=forged-signature-00"),
    });
    const r = await bad.send(alert, ctx);
    assertEquals([r.ok, r.status, r.permanent], [false, 401, true]);
    assert(!r.answer.includes("forged-signature-00"), r.answer);
  } finally {
    await t.close();
  }
});

Deno.test("webhook send() posts the documented JSON with the configured headers", async () => {
  const w = startWebhookReceiver();
  try {
    const ch = createChannel({
      type: "webhook",
      name: "w",
      url: `${w.url}/hook`,
      headers: { "X-Api-Key": "hk-secret-1" },
    });
    const alert = degradedAlert();
    const ctx = ctxFor(alert, evidence());
    assertEquals(await ch.send(alert, ctx), { ok: true, status: 200, answer: "received" });
    const req = w.requests[0];
    assertEquals([req.method, req.path, req.headers["content-type"], req.headers["x-api-key"]], [
      "POST",
      "/hook",
      "application/json",
      "hk-secret-1",
    ]);
    assertEquals(req.json, {
      key: alert.key,
      event: "degraded",
      stream: "cam-1",
      state: "degraded",
      cause: "picture frozen for 60 s",
      since: "2026-12-01T12:00:00.000Z",
      ts: "2026-12-01T12:04:10.000Z",
      streams: [{
        name: "cam-1",
        state: "degraded",
        cause: "picture frozen for 60 s",
        since: "2026-12-01T12:00:00.000Z",
        tags: [],
        site: null,
      }],
      group: null,
      note: null,
      links: {
        dashboard: "https://sp.example.org/",
        stream: "https://sp.example.org/streams/cam-1",
        failure_snapshot: "https://sp.example.org/snapshots/cam-1/failure.jpg",
        last_snapshot: "https://sp.example.org/snapshots/cam-1/last.jpg",
      },
      title: ctx.message.title,
      message: ctx.message.body,
    });
    assertEquals((await ch.send(groupedAlert(), ctxFor(groupedAlert()))).ok, true);
    const g = w.requests[1].json as Record<string, unknown>;
    assertEquals([g.group, (g.streams as unknown[]).length], [
      { by: "host", key: "cam-host:554" },
      12,
    ]);
    assertEquals((await ch.send(downAlert(), ctxFor(downAlert()))).ok, true);
    const d = w.requests[2].json as Record<string, unknown>;
    assertEquals([d.event, d.state, d.cause, d.title], [
      "down",
      "down",
      "connection refused",
      "cam-1 is down",
    ]);
  } finally {
    await w.close();
  }
});

Deno.test("webhook send() renders the body template in the time zone, and falls back to JSON when it breaks", async () => {
  const w = startWebhookReceiver();
  try {
    const body = '{"text": {{ stream | append: " since " | append: since | json }}}';
    const ch = createChannel(
      {
        type: "webhook",
        name: "w",
        url: `${w.url}/hook`,
        headers: { "content-type": "application/vnd.x+json" },
        body,
      },
      { timeZone: "Europe/Berlin" },
    );
    assertEquals((await ch.send(downAlert(), ctxFor(downAlert()))).ok, true);
    assertEquals(w.requests[0].text, '{"text": "cam-1 since 2026-12-01T13:00:00+01:00"}');
    assertEquals(w.requests[0].headers["content-type"], "application/vnd.x+json");
    const broken = createChannel({
      type: "webhook",
      name: "w",
      url: `${w.url}/hook`,
      headers: {},
      body: "{% include '/etc/passwd' %}",
    });
    const r = await broken.send(downAlert(), ctxFor(downAlert()));
    assertEquals(r.ok, true);
    assertStringIncludes(r.answer, "body template failed");
    assertEquals((w.requests[1].json as Record<string, unknown>).stream, "cam-1");
  } finally {
    await w.close();
  }
});
