/** The email channel against a real SMTP server (aiosmtpd) with AUTH, STARTTLS and implicit TLS. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { createChannel } from "../../../monitor/alerts/channels/mod.ts";
import type { EmailChannelConfig } from "../../../monitor/config/alerts_types.ts";
import { renderAlert } from "../../../monitor/alerts/template.ts";
import type { Alert, Attachment } from "../../../monitor/alerts/types.ts";
import {
  closedPort,
  degradedAlert,
  downAlert,
  evidence,
  groupedAlert,
  sendContext,
} from "../../fixtures/providers.ts";
import { SMTP_PASSWORD, SMTP_USER, startSilentServer, startSmtp } from "../../fixtures/smtp.ts";

function email(port: number, over: Partial<EmailChannelConfig> = {}) {
  return createChannel({
    type: "email",
    name: "mail",
    host: "127.0.0.1",
    port,
    tls: "starttls",
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    from: "StreamPulse <sp@sp.test>",
    to: ["ops@sp.test", "oncall@sp.test"],
    tlsInsecure: true,
    ...over,
  });
}

function ctxFor(
  alert: Alert,
  attachments: Attachment[] = [],
  signal = AbortSignal.timeout(20_000),
) {
  const { title, body } = renderAlert(alert, { timeZone: "UTC" });
  return sendContext({ message: { title, body }, attachments, signal });
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

Deno.test("email send() over STARTTLS with AUTH delivers a MIME mail with the pictures inline and attached", async () => {
  const smtp = await startSmtp("starttls");
  try {
    const pics = evidence();
    const alert = degradedAlert();
    const ctx = ctxFor(alert, pics);
    const r = await email(smtp.port).send(alert, ctx);
    assertEquals([r.ok, r.status], [true, 250], r.answer);
    assertStringIncludes(r.answer, "250 2.0.0 Message accepted");
    const [mail] = await smtp.mails();
    assertEquals([mail.authenticated, mail.tls], [true, true]);
    assertEquals(mail.rcpt_tos, ["ops@sp.test", "oncall@sp.test"]);
    assertEquals(mail.subject, "cam-1 is degraded");
    assertEquals(mail.from, "StreamPulse <sp@sp.test>");
    const text = mail.parts.find((p) => p.type === "text/plain")!;
    assertEquals(text.text?.replaceAll("\r\n", "\n").trimEnd(), ctx.message.body);
    const html = mail.parts.find((p) => p.type === "text/html")!.text!;
    assertStringIncludes(html, "Cause: picture frozen for 60 s<br>");
    assertStringIncludes(html, '<img src="cid:failure@streampulse"');
    assertStringIncludes(html, '<img src="cid:last@streampulse"');
    const images = mail.parts.filter((p) => p.type === "image/jpeg");
    assertEquals(images.map((p) => [p.filename, p.cid]), [
      ["failure.jpg", "<failure@streampulse>"],
      ["last.jpg", "<last@streampulse>"],
    ]);
    assertEquals(images[0].base64, b64(pics[0].bytes));
    assertEquals(images[1].base64, b64(pics[1].bytes));
  } finally {
    await smtp.stop();
  }
});

Deno.test("email send() over implicit TLS delivers a grouped alert; a retry keeps its Message-ID", async () => {
  const smtp = await startSmtp("tls");
  try {
    const ch = email(smtp.port, { tls: "tls" });
    const alert = groupedAlert(12);
    for (let i = 0; i < 2; i++) assertEquals((await ch.send(alert, ctxFor(alert))).ok, true);
    assertEquals((await ch.send(downAlert(), ctxFor(downAlert()))).ok, true);
    const mails = await smtp.mails();
    assertEquals(mails.map((m) => m.subject), [
      "12 streams on cam-host:554 are down",
      "12 streams on cam-host:554 are down",
      "cam-1 is down",
    ]);
    assertStringIncludes(mails[2].parts[0].text ?? "", "Cause: connection refused");
    assertEquals(mails[0].tls, true);
    assert(
      mails[0].message_id && mails[0].message_id === mails[1].message_id,
      String(mails[0].message_id),
    );
    assertStringIncludes(mails[0].parts[0].text ?? "", "- cam-12 (down)");
    assertEquals(mails[0].parts.some((p) => p.type === "image/jpeg"), false);
  } finally {
    await smtp.stop();
  }
});

Deno.test("email send() refuses a self-signed certificate unless tlsInsecure, retryably", async () => {
  const smtp = await startSmtp("starttls");
  try {
    const r = await email(smtp.port, { tlsInsecure: false }).send(downAlert(), ctxFor(downAlert()));
    assertEquals([r.ok, r.permanent], [false, undefined]);
    assertStringIncludes(r.answer.toLowerCase(), "certificate");
    assertEquals((await smtp.mails()).length, 0);
  } finally {
    await smtp.stop();
  }
});

Deno.test("email send() with a wrong password is permanent (535) and never shows the password", async () => {
  const smtp = await startSmtp("starttls", { echoPassword: true });
  try {
    const wrong = "Wr0ng-Pa55word!";
    const r = await email(smtp.port, { password: wrong }).send(downAlert(), ctxFor(downAlert()));
    assertEquals([r.ok, r.status, r.permanent], [false, 535, true]);
    assertStringIncludes(r.answer, "535 5.7.8 Authentication failed");
    assert(!r.answer.includes(wrong), r.answer);
  } finally {
    await smtp.stop();
  }
});

Deno.test("email send() maps a 451 recipient to retryable and a 550 recipient to permanent", async () => {
  const smtp = await startSmtp("none");
  try {
    const plain = { tls: "none" as const, username: undefined, password: undefined };
    const later = await email(smtp.port, { ...plain, to: ["later@sp.test"] }).send(
      downAlert(),
      ctxFor(downAlert()),
    );
    assertEquals([later.ok, later.status, later.permanent], [false, 451, undefined]);
    assertStringIncludes(later.answer, "451 4.3.0");
    const nobody = await email(smtp.port, { ...plain, to: ["nobody@sp.test"] }).send(
      downAlert(),
      ctxFor(downAlert()),
    );
    assertEquals([nobody.ok, nobody.status, nobody.permanent], [false, 550, true]);
    assertStringIncludes(nobody.answer, "550 5.1.1 No such user");
    const some = await email(smtp.port, { ...plain, to: ["ops@sp.test", "nobody@sp.test"] }).send(
      downAlert(),
      ctxFor(downAlert()),
    );
    assertEquals(some.ok, true);
    assertStringIncludes(some.answer, "1 recipient(s) rejected");
  } finally {
    await smtp.stop();
  }
});

Deno.test("email send() to a closed port is retryable and says connection refused", async () => {
  const port = closedPort();
  const r = await email(port).send(downAlert(), ctxFor(downAlert()));
  assertEquals(r, { ok: false, answer: `connection refused (SMTP 127.0.0.1:${port})` });
});

Deno.test("email send() to a server that never greets ends when ctx.signal aborts", async () => {
  const silent = startSilentServer();
  try {
    const start = performance.now();
    const r = await email(silent.port).send(
      downAlert(),
      ctxFor(downAlert(), [], AbortSignal.timeout(300)),
    );
    assertEquals([r.ok, r.permanent], [false, undefined]);
    assertStringIncludes(r.answer, "timeout");
    assert(performance.now() - start < 8_000, "the send outlived its signal");
  } finally {
    silent.close();
  }
});
