/** The Telegram channel against a Bot API stand-in that parses HTML and multipart like Telegram. */

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
import { startTelegram } from "../../fixtures/providers_telegram.ts";

const TOKEN = "123456789:AAF-test_token-abcdefghijklmnopqrstu";

function ctxFor(alert: Alert, attachments: Attachment[] = []) {
  const { title, body } = renderAlert(alert, { timeZone: "UTC" });
  return sendContext({ message: { title, body }, attachments });
}

function telegram(url: string, chatId = "-100200300") {
  return createChannel({ type: "telegram", name: "tg", url, token: TOKEN, chatId });
}

Deno.test("telegram send() calls sendMessage with chat_id and escaped HTML text", async () => {
  const tg = startTelegram(TOKEN, "-100200300");
  try {
    const alert = downAlert({ cause: "HTTP 500 <html> & co" });
    const ctx = ctxFor(alert);
    const r = await telegram(tg.url).send(alert, ctx);
    assertEquals(r, { ok: true, status: 200, answer: "ok: message 101" });
    const req = tg.requests[0];
    assertEquals([req.method, req.path], ["POST", `/bot${TOKEN}/sendMessage`]);
    assertEquals(req.headers["content-type"], "application/json");
    const body = req.json as Record<string, unknown>;
    assertEquals(body.chat_id, "-100200300");
    assertEquals(body.parse_mode, "HTML");
    assertEquals(body.link_preview_options, { is_disabled: true });
    assertStringIncludes(
      String(body.text),
      "<b>cam-1 is down</b>\nCause: HTTP 500 &lt;html&gt; &amp; co",
    );
    assertEquals(tg.sent[0].text, `cam-1 is down\n${ctx.message.body}`);
  } finally {
    await tg.close();
  }
});

Deno.test("telegram send() of a grouped alert fits the 4,096-character bound", async () => {
  const tg = startTelegram(TOKEN, "-100200300");
  try {
    const alert = groupedAlert(50);
    const ctx = ctxFor(alert);
    ctx.message.body = ctx.message.body.repeat(3).slice(0, 4000) + "&<>".repeat(100);
    const r = await telegram(tg.url).send(alert, ctx);
    assertEquals(r.ok, true, r.answer);
    assert(tg.sent[0].text.startsWith("50 streams on cam-host:554 are down\nCause:"));
    assert(tg.sent[0].text.length <= 4096);
  } finally {
    await tg.close();
  }
});

Deno.test("telegram send() of two pictures uses sendMediaGroup with attach:// parts and the caption first", async () => {
  const tg = startTelegram(TOKEN, "-100200300");
  try {
    const pics = evidence();
    const alert = degradedAlert();
    const r = await telegram(tg.url).send(alert, ctxFor(alert, pics));
    assertEquals(r, { ok: true, status: 200, answer: "ok: message 101, 102" });
    const req = tg.requests[0];
    assertEquals(req.path, `/bot${TOKEN}/sendMediaGroup`);
    assertEquals(req.form?.chat_id, "-100200300");
    const media = JSON.parse(String(req.form?.media));
    assertEquals(media.map((m: { media: string }) => m.media), [
      "attach://failure",
      "attach://last",
    ]);
    assertEquals(media[0].parse_mode, "HTML");
    assertEquals(media[1].caption, undefined);
    const sent = tg.sent[0];
    assertEquals(sent.photos.map((p) => [p.filename, p.type]), [["failure.jpg", "image/jpeg"], [
      "last.jpg",
      "image/jpeg",
    ]]);
    assertEquals(sent.photos[0].bytes, pics[0].bytes);
    assertEquals(sent.photos[1].bytes, pics[1].bytes);
    assert(sent.text.startsWith("cam-1 is degraded\nCause: picture frozen"), sent.text);
    assert(sent.text.length <= 1024, String(sent.text.length));
  } finally {
    await tg.close();
  }
});

Deno.test("telegram send() of one picture uses sendPhoto with a caption of at most 1,024 characters", async () => {
  const tg = startTelegram(TOKEN, "-100200300");
  try {
    const [failure] = evidence();
    const ctx = sendContext({
      message: { title: "cam-1 is degraded", body: "z\n".repeat(2000) },
      attachments: [failure],
    });
    const r = await telegram(tg.url).send(degradedAlert(), ctx);
    assertEquals(r.ok, true, r.answer);
    assertEquals(tg.requests[0].path, `/bot${TOKEN}/sendPhoto`);
    assertEquals(tg.sent[0].photos[0].bytes, failure.bytes);
    assert(tg.sent[0].text.length <= 1024, String(tg.sent[0].text.length));
    assertStringIncludes(String(tg.requests[0].form?.caption), "z\nz\n"); // line breaks kept as LF
  } finally {
    await tg.close();
  }
});

Deno.test("telegram send() fails on ok:false even under HTTP 200, and reads retry_after", async () => {
  const tg = startTelegram(TOKEN, "-100200300");
  tg.script(
    () => json(200, { ok: false, error_code: 400, description: "Bad Request: odd" }),
    () =>
      json(429, {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 7",
        parameters: { retry_after: 7 },
      }),
  );
  try {
    const ch = telegram(tg.url);
    const alert = downAlert();
    assertEquals(await ch.send(alert, ctxFor(alert)), {
      ok: false,
      status: 200,
      answer: "400: Bad Request: odd",
      permanent: true,
    });
    assertEquals(await ch.send(alert, ctxFor(alert)), {
      ok: false,
      status: 429,
      answer: "429: Too Many Requests: retry after 7",
      retryAfterMs: 7000,
    });
    const r = await telegram(tg.url, "-999").send(alert, ctxFor(alert));
    assertEquals(r, {
      ok: false,
      status: 400,
      answer: "400: Bad Request: chat not found",
      permanent: true,
    });
  } finally {
    await tg.close();
  }
});
