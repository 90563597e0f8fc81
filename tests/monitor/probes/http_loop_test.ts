/** Tests that the HTTP probes send a bounded number of requests to redirect and 401 loops. */

import { assert, assertEquals } from "../../assert.ts";
import { createHttpProbe } from "../../../monitor/probes/http.ts";
import { testContext, testStream } from "../../fixtures/media_server.ts";

/** A server on a free port: `/loop` redirects to itself forever, `/auth` always answers 401. */
function startLoopServer() {
  let count = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    count++;
    const url = new URL(req.url);
    if (url.pathname === "/loop") {
      return new Response(null, { status: 302, headers: { location: `/loop?n=${count}` } });
    }
    return new Response("no", {
      status: 401,
      headers: { "www-authenticate": `Basic realm="r${count}"` },
    });
  });
  return {
    url: (path: string) => `http://user:pw@127.0.0.1:${server.addr.port}${path}`,
    requests: () => count,
    reset: () => void (count = 0),
    stop: () => server.shutdown(),
  };
}

Deno.test("httpProbe.check() stops a redirect loop after 10 redirects", async () => {
  const srv = startLoopServer();
  try {
    const res = await createHttpProbe().check(testStream(srv.url("/loop")), testContext(5000));
    console.log(`redirect loop: ${srv.requests()} requests in one check, "${res.message}"`);
    assertEquals([res.ok, res.message], [false, "too many redirects"]);
    assert(srv.requests() <= 11, `one check sent ${srv.requests()} requests`);
  } finally {
    await srv.stop();
  }
});

Deno.test("httpProbe.check() sends one request to a server that always answers 401", async () => {
  const srv = startLoopServer();
  try {
    const res = await createHttpProbe().check(testStream(srv.url("/auth")), testContext(5000));
    assertEquals([res.ok, res.message, srv.requests()], [false, "HTTP 401 Unauthorized", 1]);
  } finally {
    await srv.stop();
  }
});
