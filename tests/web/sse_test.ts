/** The event stream: a snapshot on connect, rows on results and state changes, clean close. */

import { assert, assertEquals } from "../assert.ts";
import { Hono } from "hono";
import { createBus } from "../../monitor/bus.ts";
import type { StreamStatus } from "../../monitor/types.ts";
import type { Row } from "../../islands/types.ts";
import type { Rows } from "../../web/rows.ts";
import { createEvents } from "../../web/sse.ts";

function fakeRows(): Rows & { states: Map<string, Row["state"]> } {
  const states = new Map<string, Row["state"]>([["cam", "up"]]);
  const row = (name: string): Row => ({
    name,
    state: states.get(name) ?? "unknown",
    enabled: true,
    kind: "rtsp",
    tags: [],
    latencyMs: 5,
    lastTs: 1,
    since: 1,
    message: "m",
    up24h: null,
    up7d: null,
    up30d: null,
    spark: [],
    verifiedAt: null,
    mediaOverdueAt: null,
    pictureProblem: null,
  });
  return {
    states,
    all: () => [...states.keys()].map(row),
    one: (n) => (states.has(n) ? row(n) : undefined),
    record: () => {},
    prune: () => {},
  };
}

/** Reads SSE events (`{event, id, data}`) from a response body. */
function eventsOf(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  return {
    /** The next event; heartbeat comments are skipped unless `comments`. */
    async next(
      comments = false,
    ): Promise<{ event: string; id: string; data: string; retry?: string; comment?: string }> {
      while (true) {
        while (!buf.includes("\n\n")) {
          const { value, done } = await reader.read();
          if (done) throw new Error("stream ended");
          buf += value;
        }
        const block = buf.slice(0, buf.indexOf("\n\n"));
        buf = buf.slice(buf.indexOf("\n\n") + 2);
        const f: Record<string, string> = {};
        for (const line of block.split("\n")) {
          const i = line.indexOf(":");
          if (i > 0) f[line.slice(0, i)] = line.slice(i + 2);
          else if (i === 0) f.comment = line.slice(2);
        }
        if (f.comment !== undefined && !comments) continue;
        return f as { event: string; id: string; data: string; retry?: string; comment?: string };
      }
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test("GET /events sends a snapshot with retry and ids, then state and result rows", async () => {
  const bus = createBus();
  const rows = fakeRows();
  const hub = createEvents({ bus, rows, batchMs: 20, heartbeatMs: 50 });
  const app = new Hono().get("/events", (c) => hub.handler(c));
  const res = await app.request("/events");
  assertEquals(res.headers.get("content-type"), "text/event-stream");
  assertEquals(res.headers.get("cache-control"), "no-cache, no-transform");
  const ev = eventsOf(res);
  const snap = await ev.next();
  assertEquals(snap.event, "snapshot");
  assertEquals(snap.retry, "1000");
  assertEquals(JSON.parse(snap.data).rows[0].name, "cam");
  assertEquals(hub.clients(), 1);
  rows.states.set("cam", "down");
  const status = { name: "cam" } as StreamStatus;
  bus.emit("state-change", { name: "cam", from: "up", to: "down", ts: 2, cause: "x", status });
  const change = await ev.next();
  assertEquals(change.event, "state");
  assertEquals(JSON.parse(change.data).rows[0].state, "down");
  assert(change.id > snap.id);
  bus.emit("result", {
    name: "cam",
    record: { ts: 3, ok: false, state: "down", latencyMs: 1, message: "", details: {} },
    status,
  });
  assertEquals((await ev.next()).event, "result");
  const ping = await ev.next(true);
  assertEquals(ping.comment, "ping");
  bus.emit("config-error", { message: "bad <yaml>" });
  assertEquals(JSON.parse((await ev.next()).data).message, "bad <yaml>");
  await ev.cancel();
  for (let i = 0; i < 50 && hub.clients() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assertEquals(hub.clients(), 0, "the listener is cleaned up when the client goes away");
  hub.close();
});

Deno.test("GET /events?stream=<name> sends only that stream's rows", async () => {
  const bus = createBus();
  const rows = fakeRows();
  rows.states.set("other", "up");
  const hub = createEvents({ bus, rows, batchMs: 10 });
  const app = new Hono().get("/events", (c) => hub.handler(c));
  const ev = eventsOf(await app.request("/events?stream=cam"));
  assertEquals(JSON.parse((await ev.next()).data).rows.map((r: Row) => r.name), ["cam"]);
  const status = { name: "other" } as StreamStatus;
  const record = { ts: 3, ok: true, state: "up" as const, latencyMs: 1, message: "", details: {} };
  bus.emit("result", { name: "other", record, status });
  bus.emit("result", { name: "cam", record, status: { ...status, name: "cam" } });
  const next = JSON.parse((await ev.next()).data);
  assertEquals(next.rows.map((r: Row) => r.name), ["cam"]);
  await ev.cancel();
  hub.close();
});

Deno.test("close() ends open event streams", async () => {
  const hub = createEvents({ bus: createBus(), rows: fakeRows() });
  const app = new Hono().get("/events", (c) => hub.handler(c));
  const res = await app.request("/events");
  const ev = eventsOf(res);
  await ev.next();
  hub.close();
  let ended = false;
  try {
    await ev.next();
  } catch {
    ended = true;
  }
  assert(ended, "the stream ends");
  assertEquals((await app.request("/events")).status, 503);
});

Deno.test("createEvents() ends a session's stream at the heartbeat after it expired", async () => {
  let alive = true;
  const sessions = { alive: () => alive, onEnd: () => () => {} };
  const hub = createEvents({ bus: createBus(), rows: fakeRows(), heartbeatMs: 20, sessions });
  const app = new Hono().get("/events", (c) => hub.handler(c, "session-id"));
  const ev = eventsOf(await app.request("/events"));
  await ev.next();
  assertEquals((await ev.next(true)).comment, "ping", "pings while the session lives");
  alive = false; // expired: no request touched it, no event is due
  let ended = false;
  try {
    while (true) await ev.next(true);
  } catch {
    ended = true;
  }
  assert(ended, "the next heartbeat ends the stream");
  assertEquals(hub.clients(), 0);
  hub.close();
});
