/** Form bodies are read before anyone is known to be signed in: bounded, whatever they claim. */

import { assertEquals, assertStringIncludes } from "../assert.ts";
import { MAX_FORM_BYTES } from "../../web/guard.ts";
import { startWebStack } from "./harness.ts";

/** A chunked body (no Content-Length) of `total` bytes. */
function chunked(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (sent >= total) return ctrl.close();
      const n = Math.min(64 * 1024, total - sent);
      sent += n;
      ctrl.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
}

Deno.test("POST /login with a chunked form body over the limit is refused 413, a declared one too, and sign-in still works", async () => {
  const stack = await startWebStack({
    env: { STREAMPULSE_ADMIN_PASSWORD: "a long admin password" },
  });
  try {
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      origin: stack.url,
    };
    const big = await fetch(`${stack.url}/login`, {
      method: "POST",
      headers,
      body: chunked(MAX_FORM_BYTES + 1024 * 1024),
    });
    assertEquals(big.status, 413);
    assertStringIncludes(await big.text(), "too large");
    // A declared length over the limit is refused before any of the body is read.
    const url = new URL(stack.url);
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    await conn.write(new TextEncoder().encode(
      `POST /login HTTP/1.1\r\nHost: ${url.host}\r\nOrigin: ${stack.url}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 999999999\r\n\r\nabc`,
    ));
    const buf = new Uint8Array(512);
    const n = await conn.read(buf);
    conn.close();
    assertStringIncludes(new TextDecoder().decode(buf.subarray(0, n ?? 0)), "HTTP/1.1 413");
    // A small chunked form still reaches the CSRF check (no token: 403, not a hang or a 413).
    const small = await fetch(`${stack.url}/login`, {
      method: "POST",
      headers,
      body: chunked(100),
    });
    assertEquals(small.status, 403);
    await small.body?.cancel();
  } finally {
    await stack.stop();
  }
});
