/** The channels' shared HTTP send: verdicts, Retry-After, bounds, aborts and masked secrets. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import {
  createChannel,
  MAX_ANSWER_BYTES,
  parseRetryAfter,
  statusVerdict,
} from "../../../monitor/alerts/channels/mod.ts";
import { safeAnswer } from "../../../monitor/alerts/channels/http.ts";
import type { Channel, DeliveryResult } from "../../../monitor/alerts/types.ts";
import {
  closedPort,
  downAlert,
  json,
  sendContext,
  startProvider,
} from "../../fixtures/providers.ts";
import { startGotify } from "../../fixtures/providers_push.ts";
import { startSilentServer } from "../../fixtures/smtp.ts";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

function webhook(url: string, headers: Record<string, string> = {}): Channel {
  return createChannel({ type: "webhook", name: "hook", url, headers }, { now: () => NOW });
}

/** Sends a down alert through `channel` with a fresh context. */
function send(channel: Channel, signal = AbortSignal.timeout(10_000)): Promise<DeliveryResult> {
  return channel.send(downAlert(), sendContext({ signal }));
}

Deno.test("statusVerdict() makes 2xx ok, 408/425/429/5xx retryable and other 4xx permanent", () => {
  for (const s of [200, 201, 202, 204]) assertEquals(statusVerdict(s), { ok: true }, String(s));
  for (const s of [408, 425, 429, 500, 502, 503, 504]) {
    assertEquals(statusVerdict(s), { ok: false }, String(s));
  }
  for (const s of [400, 401, 403, 404, 413, 422, 301, 302]) {
    assertEquals(statusVerdict(s), { ok: false, permanent: true }, String(s));
  }
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates, and nothing else", () => {
  assertEquals(parseRetryAfter("120", NOW), 120_000);
  assertEquals(parseRetryAfter("1.5", NOW), 1500);
  assertEquals(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90_000);
  assertEquals(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW), 0);
  assertEquals(parseRetryAfter("soon", NOW), undefined);
  assertEquals(parseRetryAfter(null, NOW), undefined);
  assertEquals(parseRetryAfter("9".repeat(100), NOW), undefined);
});

Deno.test("safeAnswer() masks every secret, URL user-info and control characters, within 300 characters", () => {
  const out = safeAnswer(`token=abc123XYZ and http://u:pw@h/ ok\n${"x".repeat(1000)}`, [
    "abc123XYZ",
  ]);
  assert(!out.includes("abc123XYZ") && !out.includes("pw@"), out);
  assert(!out.includes("\n"));
  assert(out.length <= 300, String(out.length));
});

Deno.test("send() turns 429 with Retry-After in seconds into a retryable result with retryAfterMs", async () => {
  const p = startProvider(() =>
    new Response("slow down", { status: 429, headers: { "retry-after": "30" } })
  );
  try {
    const r = await send(webhook(`${p.url}/hook`));
    assertEquals(r, {
      ok: false,
      status: 429,
      answer: "HTTP 429: slow down",
      retryAfterMs: 30_000,
    });
  } finally {
    await p.close();
  }
});

Deno.test("send() reads a Retry-After HTTP date relative to the clock", async () => {
  const date = new Date(NOW + 120_000).toUTCString();
  const p = startProvider(() =>
    new Response("", { status: 503, headers: { "retry-after": date } })
  );
  try {
    const r = await send(webhook(`${p.url}/hook`));
    assertEquals(r, { ok: false, status: 503, answer: "HTTP 503", retryAfterMs: 120_000 });
  } finally {
    await p.close();
  }
});

Deno.test("send() makes 500 retryable and 400/401 permanent", async () => {
  const p = startProvider(() => new Response("boom", { status: 500 }));
  p.script(() => new Response("bad", { status: 400 }), () => new Response("who?", { status: 401 }));
  try {
    const ch = webhook(`${p.url}/hook`);
    assertEquals(await send(ch), {
      ok: false,
      status: 400,
      answer: "HTTP 400: bad",
      permanent: true,
    });
    assertEquals(await send(ch), {
      ok: false,
      status: 401,
      answer: "HTTP 401: who?",
      permanent: true,
    });
    assertEquals(await send(ch), { ok: false, status: 500, answer: "HTTP 500: boom" });
  } finally {
    await p.close();
  }
});

Deno.test("send() to a closed port is retryable and says connection refused and where", async () => {
  const port = closedPort();
  const r = await send(webhook(`http://127.0.0.1:${port}/hook/abcdefghijklmnop`));
  assertEquals(r, { ok: false, answer: `connection refused (POST http://127.0.0.1:${port})` });
});

Deno.test("send() to a server that never answers ends when ctx.signal aborts", async () => {
  const silent = startSilentServer();
  try {
    const start = performance.now();
    const r = await send(webhook(`http://127.0.0.1:${silent.port}/hook`), AbortSignal.timeout(300));
    assertEquals(r.ok, false);
    assertEquals(r.permanent, undefined);
    assertStringIncludes(r.answer, "timeout");
    assert(performance.now() - start < 8_000, "the send outlived its signal");
  } finally {
    silent.close();
  }
});

Deno.test("send() reads at most 64 KiB of a 10 MB answer", async () => {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const p = startProvider(() => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 10 * 1024 * 1024) return c.close();
        sent += chunk.length;
        c.enqueue(chunk);
      },
    });
    return new Response(body, { status: 500 });
  });
  let read = 0;
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(c, ctl) {
        read += c.byteLength;
        ctl.enqueue(c);
      },
    });
    return new Response(res.body!.pipeThrough(counter), {
      status: res.status,
      headers: res.headers,
    });
  };
  try {
    const r = await webhook(`${p.url}/hook`).send(downAlert(), sendContext({ fetch: counting }));
    assertEquals(r.ok, false);
    assertEquals(r.status, 500);
    assert(r.answer.length <= 300, String(r.answer.length));
    assert(read <= MAX_ANSWER_BYTES + 2 * chunk.length, `read ${read} bytes`);
  } finally {
    await p.close();
  }
});

Deno.test("send() never follows a redirect (it would carry the credentials elsewhere)", async () => {
  const elsewhere = startProvider(() => new Response("ok"));
  const p = startProvider(() =>
    new Response(null, { status: 307, headers: { location: `${elsewhere.url}/steal` } })
  );
  try {
    const r = await send(webhook(`${p.url}/hook`, { "x-api-key": "k3y-value-123" }));
    assertEquals(r.ok, false);
    assertEquals(r.permanent, true);
    assertStringIncludes(r.answer, "redirect not followed");
    assertEquals(elsewhere.requests.length, 0);
  } finally {
    await p.close();
    await elsewhere.close();
  }
});

Deno.test("send() masks a webhook header value and URL user-info the server quotes back", async () => {
  const p = startProvider((r) =>
    new Response(
      `denied: key=${r.headers["x-api-key"]} auth=${r.headers.authorization} ${
        atob(r.headers.authorization.slice(6))
      }`,
      { status: 403 },
    )
  );
  try {
    const url = `http://ops:pa55-w0rd-x@${p.url.slice(7)}/hook`;
    const r = await send(webhook(url, { "x-api-key": "k3y-value-123" }));
    assertEquals(r.permanent, true);
    assertEquals(p.requests[0].headers["x-api-key"], "k3y-value-123");
    for (const secret of ["k3y-value-123", "pa55-w0rd-x", btoa("ops:pa55-w0rd-x")]) {
      assert(!r.answer.includes(secret), `${secret} in ${r.answer}`);
    }
    assertStringIncludes(r.answer, "denied: key=***");
  } finally {
    await p.close();
  }
});

Deno.test("send() masks the Gotify token a server quotes, and a Telegram token in a failing URL", async () => {
  const gotify = startGotify("A-real-token.123");
  gotify.script((): Response =>
    json(401, { error: "Unauthorized", errorDescription: "token AgotifyKey-XYZ.9 unknown" })
  );
  try {
    const ch = createChannel({
      type: "gotify",
      name: "g",
      url: gotify.url,
      token: "AgotifyKey-XYZ.9",
    });
    const r = await send(ch);
    assertEquals(r.permanent, true);
    assert(!r.answer.includes("AgotifyKey-XYZ.9"), r.answer);
    assertEquals(gotify.requests[0].headers["x-gotify-key"], "AgotifyKey-XYZ.9");
    assertEquals(gotify.requests[0].query, {});
  } finally {
    await gotify.close();
  }
  const token = "123456:AAH-secret_bot_token";
  const tg = createChannel({
    type: "telegram",
    name: "t",
    url: `http://127.0.0.1:${closedPort()}`,
    token,
    chatId: "42",
  });
  const r = await send(tg);
  assertEquals(r.ok, false);
  assertStringIncludes(r.answer, "connection refused");
  assert(!r.answer.includes("AAH-secret") && !r.answer.includes("123456:"), r.answer);
});

Deno.test("send() masks a Discord webhook URL the server quotes, path and all", async () => {
  const p = startProvider((r) => json(404, { message: `Unknown Webhook ${r.path}`, code: 10015 }));
  try {
    const token = "hT0k3n-abcdefghijklmnopqrstuvwxyz";
    const ch = createChannel({
      type: "discord",
      name: "d",
      url: `${p.url}/api/webhooks/1234567890123/${token}`,
    });
    const r = await send(ch);
    assertEquals(r.permanent, true);
    assert(!r.answer.includes(token), r.answer);
    assertStringIncludes(r.answer, "Unknown Webhook");
  } finally {
    await p.close();
  }
});

Deno.test("createChannel() send() never rejects, even when a channel throws", async () => {
  const ch = webhook("http://127.0.0.1:9/hook");
  const r = await ch.send(downAlert(), { ...sendContext(), message: undefined as never });
  assertEquals(r.ok, false);
  assertStringIncludes(r.answer, "channel failed: TypeError");
});
