/** The email channel: one SMTP delivery by nodemailer, the pictures inline and attached. */

import { Buffer } from "node:buffer";
// @ts-types="@types/nodemailer"
import nodemailer from "nodemailer";
import type { EmailChannelConfig } from "../../config/mod.ts";
import type {
  Alert,
  Attachment,
  Channel,
  DeliveryResult,
  RenderedMessage,
  SendContext,
} from "../types.ts";
import type { ChannelDeps } from "./deps.ts";
import { escapeHtml, keyDigest, pictureName, pictures } from "./format.ts";
import { finish } from "./http.ts";
import { valueSecrets } from "./secrets.ts";

/** The content id of a picture in the HTML part (`cid:failure@streampulse`). */
export function pictureCid(p: Attachment): string {
  return `${p.role}@streampulse`;
}

/** The HTML part: the escaped body, line breaks kept, then the pictures inline. */
export function emailHtml(message: RenderedMessage, pics: readonly Attachment[]): string {
  const text = escapeHtml(message.body).replaceAll("\n", "<br>\n");
  const images = pics.map((p) =>
    `<p><img src="cid:${pictureCid(p)}" alt="${escapeHtml(pictureName(p))}"></p>`
  );
  return `<!doctype html>\n<html><body>\n<p>${text}</p>\n${images.join("\n")}\n</body></html>\n`;
}

/** What nodemailer's errors carry. */
interface SmtpError {
  name?: string;
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

/** Failures that no retry can mend when the server gave no reply code: config, not weather. */
const PERMANENT_CODES = new Set(["EAUTH", "ENOAUTH", "EENVELOPE", "EMESSAGE"]);

/**
 * A nodemailer error as a result: with an SMTP reply code, 5xx is permanent and 4xx (421,
 * 450, 451, 452…) retryable, the answer the server's reply; without one, auth/envelope errors
 * are permanent and connection errors retryable. Not yet masked (see {@link finish}).
 */
export function smtpFailure(err: unknown, where: string): DeliveryResult {
  const e = (err ?? {}) as SmtpError;
  if (typeof e.responseCode === "number") {
    const answer = e.response || e.message || `SMTP ${e.responseCode}`;
    return {
      ok: false,
      status: e.responseCode,
      answer,
      permanent: e.responseCode >= 500 || undefined,
    };
  }
  let text = e.message || String(err);
  if (/ECONNREFUSED/.test(text)) text = "connection refused";
  else if (/ETIMEDOUT|timeout/i.test(e.code ?? "") || /timeout/i.test(text)) {
    text = `timeout: ${text}`;
  }
  const permanent = PERMANENT_CODES.has(e.code ?? "") || undefined;
  return { ok: false, answer: `${text} (SMTP ${where})`, permanent };
}

/** nodemailer's SMTP options of a channel: TLS mode, auth, certificate checks, bounded phases. */
export function transportOptions(config: EmailChannelConfig, timeoutMs: number) {
  return {
    host: config.host,
    port: config.port,
    secure: config.tls === "tls",
    requireTLS: config.tls === "starttls",
    ignoreTLS: config.tls === "none",
    auth: config.username ? { user: config.username, pass: config.password ?? "" } : undefined,
    tls: { rejectUnauthorized: !config.tlsInsecure },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
}

/** The mail of an alert (no file or URL access: only the bytes given are attached). */
async function composeMail(config: EmailChannelConfig, alert: Alert, ctx: SendContext) {
  const pics = pictures(ctx.attachments);
  return {
    from: config.from,
    to: config.to,
    subject: ctx.message.title,
    text: ctx.message.body,
    html: emailHtml(ctx.message, pics),
    messageId: `<sp-${await keyDigest(alert.key)}@streampulse>`,
    attachments: pics.map((p) => ({
      filename: pictureName(p),
      content: Buffer.from(p.bytes),
      contentType: "image/jpeg",
      cid: pictureCid(p),
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
    signal: ctx.signal,
  };
}

/** What the server said on acceptance: its reply line, and how many recipients it refused. */
function accepted(info: { response?: unknown; rejected?: unknown }): DeliveryResult {
  const response = String(info.response ?? "accepted");
  const status = Number.parseInt(response, 10);
  const rejected = Array.isArray(info.rejected) ? info.rejected.length : 0;
  const answer = rejected ? `${response} (${rejected} recipient(s) rejected)` : response;
  return Number.isNaN(status) ? { ok: true, answer } : { ok: true, status, answer };
}

/**
 * An email channel: one nodemailer SMTP transport per send (closed after), `secure` for `tls`,
 * `requireTLS` for `starttls`, `ignoreTLS` for `none`, auth when a username is set, certificate
 * checks unless `tlsInsecure`, every phase bounded (`deps.smtpTimeoutMs`, default 10 s). The
 * mail: subject the title, text the body, HTML the escaped body with the pictures inline
 * (`cid:failure@streampulse`, `cid:last@streampulse`) and attached as JPEG files; its
 * Message-ID comes from the alert key, so a retried copy is recognisable. `ctx.signal` ends the
 * attempt and closes the connection. The password never shows in an answer.
 */
export function createEmailChannel(config: EmailChannelConfig, deps: ChannelDeps = {}): Channel {
  const timeout = deps.smtpTimeoutMs ?? 10_000;
  const where = `${config.host}:${config.port}`;
  const secrets = valueSecrets(config.password);
  if (config.password) {
    const enc = (s: string) => Buffer.from(s, "utf8").toString("base64");
    secrets.push(enc(config.password), enc(`\0${config.username ?? ""}\0${config.password}`));
  }
  return {
    type: "email",
    name: config.name,
    async send(alert, ctx): Promise<DeliveryResult> {
      if (ctx.signal.aborted) {
        return { ok: false, answer: `timeout before sending (SMTP ${where})` };
      }
      let onAbort = () => {};
      const aborted = new Promise<DeliveryResult>((resolve) => {
        onAbort = () => resolve({ ok: false, answer: `timeout (SMTP ${where})` });
        ctx.signal.addEventListener("abort", onAbort, { once: true });
      });
      let transport: ReturnType<typeof nodemailer.createTransport> | undefined;
      try {
        transport = nodemailer.createTransport(transportOptions(config, timeout));
        const sent = transport.sendMail(await composeMail(config, alert, ctx))
          .then(accepted, (err) => smtpFailure(err, where));
        return finish(await Promise.race([sent, aborted]), secrets);
      } catch (err) {
        return finish(smtpFailure(err, where), secrets);
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
        transport?.close();
      }
    },
  };
}
