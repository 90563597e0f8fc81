/** The one server-sent-events stream `/events`: a snapshot on connect, then changed rows. */

import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { Bus } from "../monitor/mod.ts";
import type { Row } from "../islands/mod.ts";
import type { Rows } from "./rows.ts";

/** Dependencies of {@link createEvents}. */
export interface EventsDeps {
  bus: Bus;
  rows: Rows;
  now?: () => number;
  /** Comment line keeping proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** Results are coalesced this long (default 250 ms); state changes go out at once. */
  batchMs?: number;
  /** The reconnect delay told to EventSource (default 1000 ms). */
  retryMs?: number;
  /** Sign-in sessions: a stream opened by a session ends with it (default: streams never end). */
  sessions?: {
    alive(id: string): boolean;
    onEnd(fn: () => void): () => void;
  };
}

/** The event hub behind `/events`. */
export interface Events {
  /** The route handler; a stream opened by `session` (its id) ends when that session does. */
  handler(c: Context, session?: string): Response;
  /** Open streams. */
  clients(): number;
  /** Ends every open stream (browsers reconnect), e.g. when the dashboard moves to a new port. */
  disconnectAll(): void;
  /** Ends every stream and stops listening to the bus. */
  close(): void;
}

interface Client {
  stream: SSEStreamingApi;
  /** `/events?stream=<name>`: only that stream's rows (the stream page). */
  only?: string;
  /** The sign-in session that opened the stream. */
  session?: string;
  /** Writes not yet taken by the socket; a client too far behind is dropped (it reconnects). */
  backlog: number;
  end: () => void;
}

const MAX_BACKLOG = 200;

/**
 * Creates the hub (`/events?stream=<name>` narrows it to one stream). Events: `snapshot`
 * `{rows, now}` on connect and after a config reload;
 * `state` `{rows, now}` right after a state change; `result` `{rows, now}` with the rows whose
 * checks finished in the last `batchMs`; `config-error` `{message}`. Every event has an id
 * (`<boot>-<n>`) and the first a `retry:`, so EventSource reconnects after a restart and
 * catches up from the fresh snapshot. A stream ends as soon as its session does: at logout and
 * password change (`sessions.onEnd`), and at expiry, since `sessions.alive` is asked before every
 * write and at every heartbeat, so no event reaches a browser whose session is over.
 */
export function createEvents(deps: EventsDeps): Events {
  const now = deps.now ?? Date.now;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const batchMs = deps.batchMs ?? 250;
  const boot = now().toString(36);
  const clients = new Set<Client>();
  const pending = new Set<string>();
  let seq = 0;
  let urgent = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  /** True (and the stream ended) when the client's session is over. */
  const signedOut = (c: Client) => {
    if (c.session === undefined || deps.sessions?.alive(c.session) !== false) return false;
    c.end();
    return true;
  };
  const send = (c: Client, event: string, data: unknown, retry?: number) => {
    if (c.backlog > MAX_BACKLOG || signedOut(c)) return c.end();
    c.backlog++;
    c.stream.writeSSE({ event, id: `${boot}-${++seq}`, data: JSON.stringify(data), retry })
      .then(() => c.backlog--, () => c.end());
  };
  const broadcast = (event: string, data: unknown) => {
    for (const c of clients) send(c, event, data);
  };
  const mine = (
    c: Client,
    rows: Row[],
  ) => (c.only === undefined ? rows : rows.filter((r) => r.name === c.only));
  /** Sends rows to every client interested in them. */
  const broadcastRows = (event: string, rows: Row[]) => {
    const t = now();
    for (const c of clients) {
      const some = mine(c, rows);
      if (some.length > 0 || event === "snapshot") send(c, event, { rows: some, now: t });
    }
  };
  const flush = () => {
    flushTimer = undefined;
    const names = [...pending];
    pending.clear();
    const event = urgent ? "state" : "result";
    urgent = false;
    if (clients.size === 0 || names.length === 0) return;
    const rows = names.map((n) => deps.rows.one(n)).filter((r) => r !== undefined);
    if (rows.length > 0) broadcastRows(event, rows);
  };
  const schedule = (delayMs: number) => {
    if (flushTimer !== undefined && delayMs > 0) return;
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, delayMs);
  };

  const offs = [
    deps.bus.on("result", ({ name, record }) => {
      deps.rows.record(name, record);
      if (clients.size === 0) return;
      pending.add(name);
      schedule(batchMs);
    }),
    deps.bus.on("state-change", ({ name }) => {
      if (clients.size === 0) return;
      pending.add(name);
      urgent = true;
      schedule(0);
    }),
    deps.bus.on("config-reloaded", () => {
      deps.rows.prune();
      if (clients.size > 0) broadcastRows("snapshot", deps.rows.all());
    }),
    deps.bus.on("config-error", ({ message }) => broadcast("config-error", { message })),
    deps.sessions?.onEnd(() => clients.forEach(signedOut)) ?? (() => {}),
  ];

  const stopTimersIfIdle = () => {
    if (clients.size > 0) return;
    clearInterval(heartbeat);
    heartbeat = undefined;
    clearTimeout(flushTimer);
    flushTimer = undefined;
    pending.clear();
  };

  return {
    handler(c, session) {
      if (closed) return c.text("Shutting down", 503);
      const res = streamSSE(c, async (stream) => {
        let end!: () => void;
        const done = new Promise<void>((resolve) => end = resolve);
        const client: Client = { stream, backlog: 0, end, only: c.req.query("stream"), session };
        stream.onAbort(end);
        clients.add(client);
        heartbeat ??= setInterval(() => {
          for (const cl of clients) {
            if (!signedOut(cl)) cl.stream.write(": ping\n\n").catch(() => cl.end());
          }
        }, heartbeatMs);
        const rows = client.only === undefined
          ? deps.rows.all()
          : [deps.rows.one(client.only)].filter((r) => r !== undefined);
        send(client, "snapshot", { rows, now: now() }, deps.retryMs ?? 1000);
        await done;
        clients.delete(client);
        stopTimersIfIdle();
      });
      // Deno.serve would gzip text/event-stream and hold events back in its buffer.
      res.headers.set("Cache-Control", "no-cache, no-transform");
      res.headers.set("X-Accel-Buffering", "no");
      return res;
    },
    clients: () => clients.size,
    disconnectAll() {
      for (const c of clients) c.end();
    },
    close() {
      closed = true;
      for (const off of offs) off();
      for (const c of clients) c.end();
      clients.clear();
      stopTimersIfIdle();
    },
  };
}
