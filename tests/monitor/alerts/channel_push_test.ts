/** ntfy, Gotify and Pushover channels against local servers that follow the providers' docs. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createChannel } from "../../../monitor/alerts/channels/mod.ts";
import { renderAlert } from "../../../monitor/alerts/template.ts";
import type { Alert, Attachment } from "../../../monitor/alerts/types.ts";
import {
  degradedAlert,
  downAlert,
  evidence,
  type FormFile,
  groupedAlert,
  sendContext,
} from "../../fixtures/providers.ts";
import { startGotify, startNtfy, startPushover } from "../../fixtures/providers_push.ts";

const STREAM_LINK = "https://sp.example.org/streams/cam-1";

/** A send context whose message is the built-in rendering of `alert`. */
function ctxFor(alert: Alert, attachments: Attachment[] = []) {
  const { title, body } = renderAlert(alert, { timeZone: "UTC" });
  return sendContext({ message: { title, body }, attachments });
}

Deno.test("ntfy send() POSTs a down alert with Title, Priority 4, Tags, Click and the token", async () => {
  const ntfy = startNtfy("Bearer tk_ntfy_token_123");
  try {
    const ch = createChannel({
      type: "ntfy",
      name: "phone",
      url: `${ntfy.url}/cams`,
      token: "tk_ntfy_token_123",
    });
    const alert = downAlert();
    const ctx = ctxFor(alert);
    const r = await ch.send(alert, ctx);
    assertEquals(r, { ok: true, status: 200, answer: "message m1" });
    const req = ntfy.requests[0];
    assertEquals([req.method, req.path], ["POST", "/cams"]);
    assertEquals(req.headers.title, "cam-1 is down");
    assertEquals(req.headers.priority, "4");
    assertEquals(req.headers.tags, "rotating_light");
    assertEquals(req.headers.click, STREAM_LINK);
    assertEquals(req.headers.authorization, "Bearer tk_ntfy_token_123");
    assertEquals(req.headers["content-type"], "text/plain; charset=utf-8");
    assertEquals(req.text, ctx.message.body);
    assertEquals(ntfy.messages[0].message, ctx.message.body);
  } finally {
    await ntfy.close();
  }
});

Deno.test("ntfy send() of a grouped alert titles the group and lists its streams", async () => {
  const ntfy = startNtfy();
  try {
    const ch = createChannel({ type: "ntfy", name: "phone", url: `${ntfy.url}/cams`, priority: 5 });
    const r = await ch.send(groupedAlert(12), ctxFor(groupedAlert(12)));
    assertEquals(r.ok, true);
    const m = ntfy.messages[0];
    assertEquals(m.title, "12 streams on cam-host:554 are down");
    assertEquals(m.priority, 5);
    assertEquals(m.click, "https://sp.example.org/");
    assertStringIncludes(m.message, "Streams (12):\n- cam-1 (down): connection refused");
    assertStringIncludes(m.message, "- cam-12 (down)");
  } finally {
    await ntfy.close();
  }
});

Deno.test("ntfy send() with evidence PUTs the failure JPEG with Filename and an encoded Message", async () => {
  const ntfy = startNtfy("Basic " + btoa("sp:pw-ntfy-1"));
  try {
    const ch = createChannel({
      type: "ntfy",
      name: "phone",
      url: `${ntfy.url}/cams`,
      username: "sp",
      password: "pw-ntfy-1",
    });
    const pics = evidence();
    const message = {
      title: "Kamera Süd ist gestört 🚨",
      body: "Bild eingefroren\nseit 60 s — prüfen",
    };
    const r = await ch.send(degradedAlert(), sendContext({ message, attachments: pics }));
    assertEquals(r.ok, true, r.answer);
    const req = ntfy.requests[0];
    assertEquals(req.method, "PUT");
    assertEquals(req.headers.filename, "failure.jpg");
    assertEquals(req.bytes, pics[0].bytes);
    for (const [k, v] of Object.entries(req.headers)) {
      assert(/^[\x20-\x7e]*$/.test(v), `${k}: ${v}`);
    }
    const m = ntfy.messages[0];
    assertEquals(m.title, message.title);
    assertEquals(m.message, message.body);
    assertEquals(m.tags, ["warning"]);
    assertEquals(m.priority, 4);
    assertEquals(m.attachment?.name, "failure.jpg");
  } finally {
    await ntfy.close();
  }
});

Deno.test("ntfy send() of a recovery uses priority 3 and the check-mark tag; a bad token is permanent", async () => {
  const ntfy = startNtfy("Bearer right-token-000");
  try {
    const alert = downAlert({ event: "resolved", state: "up" });
    const ok = createChannel({
      type: "ntfy",
      name: "a",
      url: `${ntfy.url}/cams`,
      token: "right-token-000",
    });
    assertEquals((await ok.send(alert, ctxFor(alert))).ok, true);
    assertEquals(ntfy.messages[0].priority, 3);
    assertEquals(ntfy.messages[0].tags, ["white_check_mark"]);
    const bad = createChannel({
      type: "ntfy",
      name: "b",
      url: `${ntfy.url}/cams`,
      token: "wrong-token-999",
    });
    const r = await bad.send(alert, ctxFor(alert));
    assertEquals(r, {
      ok: false,
      status: 401,
      answer: "HTTP 401: unauthorized (40101)",
      permanent: true,
    });
  } finally {
    await ntfy.close();
  }
});

Deno.test("gotify send() POSTs /message with the key in X-Gotify-Key and the documented JSON", async () => {
  const gotify = startGotify("AppToken.xyz-123");
  try {
    const ch = createChannel({
      type: "gotify",
      name: "g",
      url: `${gotify.url}/`,
      token: "AppToken.xyz-123",
    });
    const alert = downAlert();
    const ctx = ctxFor(alert);
    assertEquals(await ch.send(alert, ctx), { ok: true, status: 200, answer: "ok: message 1" });
    const req = gotify.requests[0];
    assertEquals([req.method, req.path, req.query], ["POST", "/message", {}]);
    assertEquals(req.headers["x-gotify-key"], "AppToken.xyz-123");
    assertEquals(req.json, {
      title: "cam-1 is down",
      message: ctx.message.body,
      priority: 8,
      extras: {
        "client::display": { contentType: "text/plain" },
        "client::notification": { click: { url: STREAM_LINK } },
      },
    });
  } finally {
    await gotify.close();
  }
});

Deno.test("gotify send() of a grouped alert takes the configured priority; evidence goes as links", async () => {
  const gotify = startGotify("AppToken.xyz-123");
  try {
    const ch = createChannel({
      type: "gotify",
      name: "g",
      url: gotify.url,
      token: "AppToken.xyz-123",
      priority: 6,
    });
    assertEquals((await ch.send(groupedAlert(3), ctxFor(groupedAlert(3)))).ok, true);
    const body = gotify.requests[0].json as Record<string, unknown>;
    assertEquals([body.title, body.priority], ["3 streams on cam-host:554 are down", 6]);
    assertStringIncludes(String(body.message), "- cam-3 (down)");
    const alert = degradedAlert();
    assertEquals((await ch.send(alert, ctxFor(alert, evidence()))).ok, true);
    const msg = String((gotify.requests[1].json as Record<string, unknown>).message);
    assertStringIncludes(
      msg,
      "Failure snapshot: https://sp.example.org/snapshots/cam-1/failure.jpg",
    );
    assertStringIncludes(
      msg,
      "Last good snapshot: https://sp.example.org/snapshots/cam-1/last.jpg",
    );
  } finally {
    await gotify.close();
  }
});

const PO_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi";
const PO_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";

Deno.test("pushover send() posts the documented multipart form for a down and a grouped alert", async () => {
  const po = startPushover(PO_TOKEN, PO_USER);
  try {
    const ch = createChannel({
      type: "pushover",
      name: "p",
      url: po.url,
      token: PO_TOKEN,
      user: PO_USER,
    });
    const alert = downAlert();
    const ctx = ctxFor(alert);
    const r = await ch.send(alert, ctx);
    assert(r.ok && r.answer.startsWith("ok: request "), r.answer);
    const req = po.requests[0];
    assertEquals([req.method, req.path], ["POST", "/1/messages.json"]);
    assertStringIncludes(req.headers["content-type"], "multipart/form-data");
    assertEquals(req.form, {
      token: PO_TOKEN,
      user: PO_USER,
      title: "cam-1 is down",
      message: ctx.message.body,
      priority: "1",
      timestamp: String(Math.floor(alert.ts / 1000)),
      url: STREAM_LINK,
      url_title: "Open in StreamPulse",
    });
    assertEquals((await ch.send(groupedAlert(), ctxFor(groupedAlert()))).ok, true);
    assertEquals(po.requests[1].form?.title, "12 streams on cam-host:554 are down");
  } finally {
    await po.close();
  }
});

Deno.test("pushover send() attaches the failure frame; priority 2 adds retry and expire", async () => {
  const po = startPushover(PO_TOKEN, PO_USER);
  try {
    const ch = createChannel({
      type: "pushover",
      name: "p",
      url: po.url,
      token: PO_TOKEN,
      user: PO_USER,
      priority: 2,
    });
    const pics = evidence();
    const long = { title: "cam-1 is degraded", body: "y".repeat(3000) };
    const r = await ch.send(degradedAlert(), sendContext({ message: long, attachments: pics }));
    assertEquals(r.ok, true, r.answer);
    const f = po.requests[0].form!;
    const file = f.attachment as FormFile;
    assertEquals([file.filename, file.type], ["failure.jpg", "image/jpeg"]);
    assertEquals(file.bytes, pics[0].bytes);
    assertEquals([f.priority, f.retry, f.expire], ["2", "300", "3600"]);
    assertEquals(String(f.message).length, 1024);
  } finally {
    await po.close();
  }
});

Deno.test("pushover send() with a wrong user key is a permanent failure that names the error, not the keys", async () => {
  const po = startPushover(PO_TOKEN, PO_USER);
  try {
    const ch = createChannel({
      type: "pushover",
      name: "p",
      url: po.url,
      token: PO_TOKEN,
      user: "uWrongUserKey0000000000000000x",
    });
    const r = await ch.send(downAlert(), ctxFor(downAlert()));
    assertEquals([r.ok, r.status, r.permanent], [false, 400, true]);
    assertStringIncludes(r.answer, "user identifier is not a valid user");
    assert(!r.answer.includes(PO_TOKEN) && !r.answer.includes("uWrongUserKey"), r.answer);
  } finally {
    await po.close();
  }
});
