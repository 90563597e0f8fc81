/** The status API as composed by createApiApp(): every route module behind one token check and onError. */

import { assertEquals } from "../assert.ts";
import { createBus } from "../../monitor/mod.ts";
import { parseConfig } from "../../monitor/config/mod.ts";
import type { StreamStatus } from "../../monitor/mod.ts";
import { createStatusView, type SlaReporter } from "../../monitor/status/mod.ts";
import { createApiApp } from "../../web/api/mod.ts";

const NOW = Date.UTC(2025, 10, 30, 12, 0, 0);

function api(yaml: string, opts: { healthy?: boolean; snapshot?: boolean } = {}) {
  const config = parseConfig(yaml);
  const streams = config.streams;
  const st: StreamStatus = { name: "cam", kind: "http", state: "up", since: NOW, failStreak: 0 };
  const monitor = {
    streams: () => streams,
    status: (n: string) => (n === "cam" ? st : undefined),
    statuses: () => [st],
    stats: () => ({ running: 1 }) as never,
  };
  const errors: string[] = [];
  let allJson = 0;
  const view = createStatusView({
    streams: () => streams,
    status: monitor.status,
    timeZone: () => "UTC",
  });
  const counted = { ...view, allJson: () => (allJson++, view.allJson()) };
  const bus = createBus(() => {});
  // An open incident of one minute, in every field a store may give (and mappers may read).
  const incident = {
    id: 1,
    name: "cam",
    state: "down" as const,
    start: NOW - 60_000,
    end: null,
    durationMs: 60_000,
    cause: "timeout",
    endCause: null,
  };
  const sla = {
    report: (days: number) => ({
      from: NOW - days * 86_400_000,
      to: NOW,
      streams: new Map(),
      overall: { ratio: null, availableMs: 0, downMs: 0, degradedMs: 0, observedMs: 0 },
    }),
    prepare: () => Promise.resolve(),
  } as unknown as Pick<SlaReporter, "report" | "prepare">;
  const app = createApiApp({
    monitor,
    store: {
      history: () => [],
      incidents: () => [incident],
    },
    config: () => config,
    health: () => ({ ok: opts.healthy ?? true }),
    now: () => NOW,
    logger: { error: (m) => errors.push(m) },
    view: counted,
    bus,
    metrics: { families: () => [], lastPassed: () => undefined },
    sla,
    snapshot: opts.snapshot ? () => Promise.resolve(undefined) : undefined,
  });
  const get = async (path: string, init?: RequestInit) => {
    const res = await app.request(`http://localhost${path}`, init);
    const type = res.headers.get("content-type") ?? "";
    return {
      status: res.status,
      body: type.includes("json") ? await res.json() : await res.text(),
    };
  };
  return { get, errors, bus, allJson: () => allJson };
}

const ONE = "streams:\n  - name: cam\n    url: http://127.0.0.1:1/\n";

Deno.test("createApiApp() answers an error thrown in any route module as JSON {error}", async () => {
  const { get, errors } = api(ONE, { snapshot: true });
  assertEquals(await get("/api/streams/nope"), {
    status: 404,
    body: { error: 'Unknown stream "nope"' },
  });
  assertEquals((await get("/api/streams/cam/history?from=soon")).status, 400);
  assertEquals((await get("/api/streams/cam/incidents?limit=0")).body, {
    error: 'Invalid "limit": expected a whole number from 1 to 1000',
  });
  assertEquals((await get("/api/sla?days=0")).status, 400);
  assertEquals((await get("/api/streams/cam/snapshot.jpg?kind=x")).status, 400);
  assertEquals((await get("/api/streams/cam/snapshot.jpg")).body, {
    error: 'No snapshot of stream "cam" yet',
  });
  assertEquals(await get("/api/nothing"), {
    status: 404,
    body: { error: "Not found: GET /api/nothing" },
  });
  assertEquals(errors, []);
});

Deno.test("createApiApp() serves every route module, /api/health 503 when unhealthy", async () => {
  const { get } = api(ONE, { healthy: false });
  assertEquals((await get("/api/status")).body.cam.message, "not checked yet");
  assertEquals((await get("/api/streams")).body[0].name, "cam");
  assertEquals((await get("/api/streams/cam")).body.status.state, "up");
  assertEquals((await get("/api/streams/cam/incidents")).body[0].duration_seconds, 60);
  assertEquals((await get("/api/sla")).body.days, 30);
  assertEquals(await get("/api/health"), {
    status: 503,
    body: { ok: false, scheduler: { running: 1 } },
  });
  const metrics = await get("/metrics");
  assertEquals(metrics.status, 200);
  assertEquals(metrics.body.includes('streampulse_stream_state{stream="cam",state="up"} 1'), true);
  // Without a snapshot source the route is not mounted.
  assertEquals((await get("/api/streams/cam/snapshot.jpg")).body, {
    error: "Not found: GET /api/streams/cam/snapshot.jpg",
  });
});

Deno.test("createApiApp() puts every route module behind api.token", async () => {
  const { get } = api(ONE + "api:\n  token: s3cret-token-value\n", { snapshot: true });
  for (const path of ["/api/status", "/api/streams/cam", "/api/health", "/metrics", "/api/sla"]) {
    assertEquals((await get(path)).status, 401, path);
    const ok = await get(path, { headers: { authorization: "Bearer s3cret-token-value" } });
    assertEquals(ok.status, 200, path);
  }
  assertEquals((await get("/api/streams/cam/snapshot.jpg")).status, 401);
});

Deno.test("createApiApp() rebuilds /api/status at most once a second, at once on a state change", async () => {
  const { get, bus, allJson } = api(ONE);
  await get("/api/status");
  await get("/api/status");
  assertEquals(allJson(), 1);
  bus.emit("state-change", {} as never);
  await get("/api/status");
  assertEquals(allJson(), 2);
});
