/** The incident log over HTTP: /incidents filters and paging, ack from the log, CSV, the JSON API. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import type { StreamState } from "../../monitor/mod.ts";
import { parseLocalTime, toLocalInput } from "../../web/incident_log.ts";
import { safeBack } from "../../web/routes/incidents.tsx";
import { type Stack, startWebStack } from "./harness.ts";
import { type Client, setupAndSignIn } from "./helpers.ts";

const HOUR = 3_600_000;
const TOKEN = "tok_INCIDENT_API_SECRET";
const CONFIG = `heartbeat_seconds: 60
timezone: Europe/Berlin
api:
  token: ${TOKEN}
streams:
  - name: gate
    url: rtsp://admin:pw_GATE_SECRET@127.0.0.1:1/live
    enabled: false
    tags: [outdoor]
    site: north
  - name: lobby & hall
    url: rtsp://127.0.0.1:1/lobby
    enabled: false
    tags: [indoor]
    site: south
`;

/** A stack with incidents: gate down 30 h ago (ended), down 3–2 h ago, degraded 1 h ago (open). */
async function withLog(fn: (s: Stack, c: Client, t: number) => Promise<void>) {
  const s = await startWebStack({ listen: false, config: CONFIG });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const t = Date.now();
    const change = (name: string, from: StreamState, to: StreamState, ago: number, cause: string) =>
      s.store.recordStateChange({ name, from, to, ts: t - ago, cause });
    change("gate", "up", "down", 30 * HOUR, "connection refused");
    change("gate", "down", "up", 29 * HOUR, "RTSP 200");
    change("gate", "up", "down", 3 * HOUR, '=HYPERLINK("http://x") timeout');
    change("gate", "down", "up", 2 * HOUR, "RTSP 200 again");
    change("lobby & hall", "up", "degraded", HOUR, "frozen picture");
    await fn(s, c, t);
  } finally {
    await s.stop();
  }
}

const rowsOf = (html: string) =>
  [...html.matchAll(/<tr id="incident-(\d+)"[^>]*>\s*<th scope="row"[^>]*>(.*?)<\/th>/gs)]
    .map((m) => m[2].replace(/<[^>]+>/g, "").replace("&amp;", "&"));

Deno.test("GET /incidents lists the last 24 hours newest first, with nav entry and no secret", () =>
  withLog(async (_s, c) => {
    const res = await c.get("/incidents");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertEquals(rowsOf(html), ["lobby & hall", "gate"]); // the 30 h old one is outside
    assertStringIncludes(html, 'href="/incidents" aria-current="page"');
    assertStringIncludes(html, 'href="/streams/lobby%20%26%20hall"');
    assertStringIncludes(html, "frozen picture");
    assertStringIncludes(html, "Ended: RTSP 200 again");
    assertStringIncludes(html, "Times in Europe/Berlin");
    assertStringIncludes(html, "ongoing");
    assert(!html.includes("pw_GATE_SECRET"), "no camera password in the page");
  }));

Deno.test("GET /incidents filters by state, stream, tag, site, open and range", () =>
  withLog(async (_s, c) => {
    const list = async (q: string) => rowsOf(await (await c.get(`/incidents?${q}`)).text());
    assertEquals(await list("state=degraded"), ["lobby & hall"]);
    assertEquals(await list("state=down"), ["gate"]);
    assertEquals(await list("stream=gate&range=7d"), ["gate", "gate"]);
    assertEquals(await list("tag=indoor"), ["lobby & hall"]);
    assertEquals(await list("site=north&range=7d"), ["gate", "gate"]);
    assertEquals(await list("site=north&tag=indoor"), []);
    assertEquals(await list("open=1"), ["lobby & hall"]);
    assertEquals(await list("range=7d"), ["lobby & hall", "gate", "gate"]);
    const from = Date.now() - 31 * HOUR;
    assertEquals(await list(`from=${from}&to=${from + 1.5 * HOUR}`), ["gate"]);
    // What the form's datetime-local inputs send: wall-clock times in the configured zone.
    const local = (ms: number) => toLocalInput(ms, "Europe/Berlin");
    const form = `range=24h&from=${local(from)}&to=${local(from + 1.5 * HOUR)}&state=&stream=`;
    assertEquals(await list(form), ["gate"]);
    const shown = await (await c.get(`/incidents?${form}`)).text();
    assertStringIncludes(shown, `name="from" value="${local(from)}"`);
    assertStringIncludes(shown, `href="/incidents.csv?from=${encodeURIComponent(local(from))}`);
    const bad = await c.get("/incidents?state=up");
    assertEquals(bad.status, 400);
    assertStringIncludes(await bad.text(), "Invalid &quot;state&quot;: expected down or degraded");
    const html = await (await c.get("/incidents?tag=indoor&range=7d")).text();
    assertStringIncludes(html, 'href="/incidents.csv?range=7d&amp;tag=indoor"');
    assertStringIncludes(html, '<option value="indoor" selected>');
  }));

Deno.test("GET /incidents pages 50 at a time", () =>
  withLog(async (s, c, t) => {
    for (let i = 0; i < 60; i++) {
      s.store.recordStateChange({
        name: "gate",
        from: "up",
        to: "down",
        ts: t - 20 * HOUR + i * 1000,
        cause: `blip ${i}`,
      });
      s.store.recordStateChange({
        name: "gate",
        from: "down",
        to: "up",
        ts: t - 20 * HOUR + i * 1000 + 500,
        cause: "ok",
      });
    }
    const first = await (await c.get("/incidents")).text();
    assertEquals(rowsOf(first).length, 50);
    assertStringIncludes(first, 'href="/incidents?page=2"');
    const second = await (await c.get("/incidents?page=2")).text();
    assertEquals(rowsOf(second).length, 12); // 62 in 24 h
    assertStringIncludes(second, 'href="/incidents"');
    assert(!second.includes("page=3"));
  }));

Deno.test("POST /incidents/:id/ack acknowledges from the log and comes back to it", () =>
  withLog(async (s, c) => {
    const [open] = s.store.allIncidents({ open: true });
    const res = await c.post(`/incidents/${open.id}/ack`, {
      note: "  camera rebooted by Sam ",
      back: "/incidents?state=degraded",
    });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), `/incidents?state=degraded#incident-${open.id}`);
    assertEquals(s.store.incident(open.id)?.ack?.note, "camera rebooted by Sam");
    const html = await (await c.get("/incidents?state=degraded")).text();
    assertStringIncludes(html, "camera rebooted by Sam");
    assertStringIncludes(html, "Update note");
    const away = await c.post(`/incidents/${open.id}/ack`, { note: "x", back: "//evil.example/" });
    assertEquals(away.headers.get("location"), `/incidents#incident-${open.id}`);
    assertEquals((await c.post("/incidents/999999/ack", { note: "x" })).status, 404);
    assertEquals(
      (await c.post(`/incidents/${open.id}/ack`, { note: "n".repeat(1001) })).status,
      400,
    );
    const noCsrf = await c.post(`/incidents/${open.id}/ack`, { note: "y" }, { csrf: false });
    assertEquals(noCsrf.status, 403);
  }));

Deno.test("safeBack() keeps the log's own paths only", () => {
  assertEquals(safeBack("/incidents?tag=a&page=2"), "/incidents?tag=a&page=2");
  assertEquals(safeBack("/incidents#x"), "/incidents#x");
  for (
    const bad of ["//evil.example", "https://evil.example/incidents", "/incidentsx", "/\\evil", 3]
  ) {
    assertEquals(safeBack(bad), "/incidents");
  }
});

Deno.test("parseLocalTime() reads wall-clock times in the zone, across DST changes", () => {
  assertEquals(parseLocalTime("2026-12-01T03:00", "Europe/Berlin"), Date.UTC(2026, 11, 1, 2, 0));
  assertEquals(
    parseLocalTime("2026-07-01T03:00:30", "Europe/Berlin"),
    Date.UTC(2026, 6, 1, 1, 0, 30),
  );
  assertEquals(parseLocalTime("2026-03-29T03:30", "Europe/Berlin"), Date.UTC(2026, 2, 29, 1, 30));
  assertEquals(parseLocalTime("2026-12-01T03:00", "America/New_York"), Date.UTC(2026, 11, 1, 8, 0));
  assertEquals(parseLocalTime("2026-12-01T03:00", "UTC"), Date.UTC(2026, 11, 1, 3, 0));
  assert(Number.isNaN(parseLocalTime("2026-12-01 03:00", "UTC")));
  assertEquals(toLocalInput(Date.UTC(2026, 11, 1, 2, 0), "Europe/Berlin"), "2026-12-01T03:00");
});

Deno.test("GET /incidents.csv exports the filtered incidents, formula-safe", () =>
  withLog(async (_s, c) => {
    const res = await c.get("/incidents.csv?stream=gate&range=7d");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/csv; charset=utf-8");
    assertStringIncludes(
      res.headers.get("content-disposition")!,
      'attachment; filename="streampulse-incidents-',
    );
    const lines = (await res.text()).split("\r\n");
    assertEquals(
      lines[0],
      "id,stream,state,start,end,duration_seconds,cause,end_cause,ack_time,ack_note",
    );
    assertEquals(lines.length, 4); // header, 2 rows, the empty rest after the last CRLF
    const cells = lines[1].split(",");
    assertEquals(cells[1], "gate");
    assertEquals(cells[2], "down");
    assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00$/.test(cells[3]), cells[3]);
    assertEquals(cells[5], "3600");
    assertStringIncludes(lines[1], `"'=HYPERLINK(""http://x"") timeout"`);
    assertEquals((await c.get("/incidents.csv?range=2y")).status, 400);
    assertEquals((await c.get("/incidents.csv?to=99999999999999999999")).status, 400);
  }));

Deno.test("GET /api/incidents answers JSON with filters, checks the token and bad values", () =>
  withLog(async (s, c) => {
    const signedIn = await c.get("/api/incidents?state=degraded");
    assertEquals(signedIn.status, 200);
    const body = await signedIn.json();
    assertEquals(body.incidents.length, 1);
    const [i] = body.incidents;
    assertEquals([i.stream, i.state, i.cause, i.end, i.end_cause, i.ack], [
      "lobby & hall",
      "degraded",
      "frozen picture",
      null,
      null,
      null,
    ]);
    assert(/\.\d{3}\+01:00$/.test(i.start), i.start);
    assert(i.duration_seconds >= 3599, String(i.duration_seconds));
    const api = (q: string, headers: Record<string, string> = {}) =>
      s.web.app.request(`http://localhost/api/incidents${q}`, { headers });
    assertEquals((await api("")).status, 401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const all = await (await api("?range=7d&limit=2", auth)).json();
    assertEquals(all.incidents.map((x: { stream: string }) => x.stream), ["lobby & hall", "gate"]);
    const tagged = await (await api("?tag=outdoor&range=30d", auth)).json();
    assertEquals(tagged.incidents.length, 2);
    const from = new Date(Date.now() - 31 * HOUR).toISOString();
    const ranged = await (await api(`?from=${from}&stream=gate`, auth)).json();
    assertEquals(ranged.incidents.length, 2);
    for (
      const [q, msg] of [
        ["?limit=0", 'Invalid "limit": expected a whole number from 1 to 10000'],
        ["?limit=10001", 'Invalid "limit"'],
        [
          "?from=yesterday",
          'Invalid "from": expected a date and time, ISO-8601 or epoch milliseconds',
        ],
        ["?state=up", 'Invalid "state"'],
        ["?from=99999999999999999999", 'Invalid "from"'],
        ["?range=7d&offset=100001", 'Invalid "offset": expected a whole number from 0 to 100000'],
      ]
    ) {
      const res = await api(q, auth);
      assertEquals(res.status, 400, q);
      assertStringIncludes((await res.json()).error, msg);
    }
  }));
