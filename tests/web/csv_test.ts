/** CSV export: quoting, formula guard, lazy streaming, the download route. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { csvCell, csvStream, type ExportRow, parseExportTime } from "../../web/csv.ts";
import { startWebStack } from "./harness.ts";
import { setupAndSignIn } from "./helpers.ts";

Deno.test("csvCell() quotes commas, quotes and line breaks", () => {
  assertEquals(csvCell("plain"), "plain");
  assertEquals(csvCell("a,b"), '"a,b"');
  assertEquals(csvCell('say "hi"'), '"say ""hi"""');
  assertEquals(csvCell("two\nlines"), '"two\nlines"');
  assertEquals(csvCell(12.5), "12.5");
  assertEquals(csvCell(null), "");
  assertEquals(csvCell(true), "true");
});

Deno.test("csvCell() defuses spreadsheet formulas", () => {
  assertEquals(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assertEquals(csvCell("+1"), "'+1");
  assertEquals(csvCell("-1"), "'-1");
  assertEquals(csvCell("@SUM(A1)"), "'@SUM(A1)");
  assertEquals(csvCell("\tx"), "'\tx");
  assertEquals(csvCell("a=b"), "a=b");
});

Deno.test("csvStream() pulls rows only as the reader reads", async () => {
  let produced = 0;
  let closed = false;
  function* rows(): Generator<ExportRow> {
    try {
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield {
          name: "cam",
          ts: 1_700_000_000_000 + i,
          ok: true,
          state: "up",
          latencyMs: 5,
          message: "ok",
        };
      }
    } finally {
      closed = true;
    }
  }
  const reader = csvStream(rows(), { timeZone: "UTC", batch: 100 }).getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assertEquals(first, "stream,time,epoch_ms,ok,state,latency_ms,message\r\n");
  await reader.read();
  assert(produced <= 300, `only a few batches were read, not ${produced} rows`);
  await reader.cancel();
  assert(closed, "cancelling closes the iterator (and the statement behind it)");
});

Deno.test("parseExportTime() reads days, ISO times and epoch ms", () => {
  assertEquals(parseExportTime("2025-11-01", "from"), Date.UTC(2025, 10, 1));
  assertEquals(parseExportTime("2025-11-01", "to", true), Date.UTC(2025, 10, 2) - 1);
  assertEquals(parseExportTime("1700000000000", "from"), 1_700_000_000_000);
  // An unencoded + in the query string arrives as a space.
  assertEquals(parseExportTime("2026-12-01T10:00:00 05:30", "from"), Date.UTC(2026, 11, 1, 4, 30));
  assertEquals(parseExportTime("2026-12-01T10:00:00-05:30", "from"), Date.UTC(2026, 11, 1, 15, 30));
  let msg = "";
  try {
    parseExportTime("soon", "from");
  } catch (err) {
    msg = (err as Error).message;
  }
  assertEquals(msg, 'Invalid "from": expected a date like 2025-11-01, got "soon"');
});

Deno.test("GET /export.csv downloads the checks of a range, one stream or all", async () => {
  const s = await startWebStack({
    listen: false,
    config:
      "streams:\n  - name: a\n    url: rtsp://127.0.0.1:1/a\n    enabled: false\n  - name: b\n    url: rtsp://127.0.0.1:1/b\n    enabled: false\n",
  });
  try {
    const day = Date.UTC(2025, 0, 10);
    for (
      const [name, i, msg] of [["a", 1, "=cmd|' /C calc'!A0"], ["a", 2, "ok, fine"], [
        "b",
        3,
        "ok",
      ]] as const
    ) {
      s.store.recordCheck(name, {
        ts: day + i * 60_000,
        ok: true,
        state: "up",
        latencyMs: 10 + i,
        message: msg,
        details: {},
      });
    }
    s.store.recordCheck("a", {
      ts: day + 3 * 86_400_000,
      ok: true,
      state: "up",
      latencyMs: 1,
      message: "later",
      details: {},
    });
    // No flush needed: the export reads flush the queue first.
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const res = await c.get("/export.csv?stream=a&from=2025-01-10&to=2025-01-10");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/csv; charset=utf-8");
    assertStringIncludes(res.headers.get("content-disposition")!, "attachment");
    const text = await res.text();
    assertEquals(text.split("\r\n"), [
      "stream,time,epoch_ms,ok,state,latency_ms,message",
      `a,2025-01-10T00:01:00+00:00,${day + 60_000},true,up,11,'=cmd|' /C calc'!A0`,
      `a,2025-01-10T00:02:00+00:00,${day + 120_000},true,up,12,"ok, fine"`,
      "",
    ]);
    const all = await (await c.get("/export.csv?from=2025-01-01&to=2025-01-31")).text();
    assertEquals(all.trim().split("\r\n").length, 5);
    assertEquals((await c.get("/export.csv?from=yesterday&to=2025-01-01")).status, 400);
    // `from=…+01:00` typed into the address bar: the + is not encoded.
    const plus =
      await (await c.get("/export.csv?stream=a&from=2025-01-10T01:01:30+01:00&to=2025-01-10"))
        .text();
    assertEquals(plus.trim().split("\r\n").length, 2, "header and the 00:02 check");
  } finally {
    await s.stop();
  }
});
