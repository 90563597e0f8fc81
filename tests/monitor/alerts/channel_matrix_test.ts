/** The Matrix channel against a homeserver stand-in: uploads, room events and idempotent retries. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createChannel } from "../../../monitor/alerts/channels/mod.ts";
import { matrixTxnId } from "../../../monitor/alerts/channels/matrix.ts";
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
import { startMatrix } from "../../fixtures/providers_matrix.ts";

const TOKEN = "syt_c3Bib3Q_secretAccessToken_0a1b2c";
const ROOM = "!alerts:localhost";

function ctxFor(alert: Alert, attachments: Attachment[] = []) {
  const { title, body } = renderAlert(alert, { timeZone: "UTC" });
  return sendContext({ message: { title, body }, attachments });
}

function channel(url: string, room = ROOM) {
  return createChannel({ type: "matrix", name: "m", url: `${url}/`, token: TOKEN, room });
}

Deno.test("matrix send() PUTs one m.text event with HTML, its txnId taken from the alert key", async () => {
  const hs = startMatrix(TOKEN, ROOM);
  try {
    const alert = downAlert({ cause: "<script> & co" });
    const ctx = ctxFor(alert);
    assertEquals(await channel(hs.url).send(alert, ctx), {
      ok: true,
      status: 200,
      answer: "ok: $e1",
    });
    const req = hs.requests[0];
    const txn = await matrixTxnId(alert.key, 0);
    assertEquals(req.method, "PUT");
    assertEquals(
      req.path,
      `/_matrix/client/v3/rooms/${encodeURIComponent(ROOM)}/send/m.room.message/${txn}`,
    );
    assertEquals(req.headers.authorization, `Bearer ${TOKEN}`);
    assertEquals(req.query, {});
    assertEquals(req.json, {
      msgtype: "m.text",
      body: `cam-1 is down\n${ctx.message.body}`,
      format: "org.matrix.custom.html",
      formatted_body: "<strong>cam-1 is down</strong><br>Cause: &lt;script&gt; &amp; co<br>" +
        "Since: 2026-12-01T12:00:00+00:00 (4 min 10 s)<br><br>Dashboard: https://sp.example.org/<br>" +
        "Stream: https://sp.example.org/streams/cam-1<br>" +
        "Failure snapshot: https://sp.example.org/snapshots/cam-1/failure.jpg<br>" +
        "Last good snapshot: https://sp.example.org/snapshots/cam-1/last.jpg",
    });
    const g = await channel(hs.url).send(groupedAlert(), ctxFor(groupedAlert()));
    assertEquals(g.ok, true, g.answer);
    assert(String(hs.events[1].content.body).startsWith("12 streams on cam-host:554 are down\n"));
  } finally {
    await hs.close();
  }
});

Deno.test("matrix send() uploads each picture and sends one m.image event per picture", async () => {
  const hs = startMatrix(TOKEN, ROOM);
  try {
    const pics = evidence();
    const alert = degradedAlert();
    const r = await channel(hs.url).send(alert, ctxFor(alert, pics));
    assertEquals(r.ok, true, r.answer);
    assertEquals(hs.uploads.map((u) => [u.filename, u.contentType]), [
      ["failure.jpg", "image/jpeg"],
      ["last.jpg", "image/jpeg"],
    ]);
    assertEquals(hs.uploads[0].bytes, pics[0].bytes);
    assertEquals(hs.uploads[1].bytes, pics[1].bytes);
    const uploadReq = hs.requests.find((q) => q.path === "/_matrix/media/v3/upload")!;
    assertEquals([uploadReq.method, uploadReq.headers.authorization], ["POST", `Bearer ${TOKEN}`]);
    assertEquals(hs.events.map((e) => e.content.msgtype), ["m.text", "m.image", "m.image"]);
    assertEquals(hs.events[1].content, {
      msgtype: "m.image",
      body: "failure.jpg",
      url: hs.uploads[0].uri,
      info: { mimetype: "image/jpeg", size: pics[0].bytes.byteLength },
    });
    assertEquals(hs.events[2].content.url, hs.uploads[1].uri);
    assertEquals(
      hs.events.map((e) => e.txnId),
      await Promise.all([0, 1, 2].map((i) => matrixTxnId(alert.key, i))),
    );
  } finally {
    await hs.close();
  }
});

Deno.test("matrix send() retried after a failed upload stores no event twice", async () => {
  const hs = startMatrix(TOKEN, ROOM);
  try {
    const alert = degradedAlert();
    const ctx = ctxFor(alert, evidence());
    // The text goes, the first upload fails with 502: a retryable failure.
    hs.script((r) =>
      r.path.endsWith("/upload")
        ? json(502, { errcode: "M_UNKNOWN", error: "bad gateway" })
        : undefined
    );
    const first = await channel(hs.url).send(alert, ctx);
    assertEquals([first.ok, first.status, first.permanent], [false, 502, undefined]);
    assertStringIncludes(
      first.answer,
      "upload of failure.jpg failed: HTTP 502 M_UNKNOWN: bad gateway",
    );
    assertEquals(hs.events.length, 1);
    // The retry repeats the whole send; the homeserver recognises the text's txnId.
    const retry = await channel(hs.url).send(alert, ctx);
    assertEquals(retry.ok, true, retry.answer);
    const again = await channel(hs.url).send(alert, ctx); // a third time: nothing new at all
    assertEquals(again.ok, true);
    const txns = hs.events.map((e) => e.txnId);
    assertEquals(txns.length, new Set(txns).size);
    assertEquals(hs.events.filter((e) => e.content.msgtype === "m.image").length, 2);
  } finally {
    await hs.close();
  }
});

Deno.test("matrix send() reads retry_after_ms, and a room it is not in is permanent; the token never shows", async () => {
  const hs = startMatrix(TOKEN, ROOM);
  hs.script(() =>
    json(429, { errcode: "M_LIMIT_EXCEEDED", error: "Too Many Requests", retry_after_ms: 2000 })
  );
  try {
    const r = await channel(hs.url).send(downAlert(), ctxFor(downAlert()));
    assertEquals(r, {
      ok: false,
      status: 429,
      answer: "HTTP 429 M_LIMIT_EXCEEDED: Too Many Requests",
      retryAfterMs: 2000,
    });
    const other = await channel(hs.url, "!other:localhost").send(downAlert(), ctxFor(downAlert()));
    assertEquals([other.ok, other.status, other.permanent], [false, 403, true]);
    assertStringIncludes(other.answer, "M_FORBIDDEN");
    const bad = createChannel({
      type: "matrix",
      name: "m",
      url: hs.url,
      token: "syt_wrong_token_987654",
      room: ROOM,
    });
    const u = await bad.send(downAlert(), ctxFor(downAlert()));
    assertEquals([u.status, u.permanent], [401, true]);
    assert(!u.answer.includes("syt_wrong_token_987654"), u.answer);
  } finally {
    await hs.close();
  }
});
