/** Tests of the one incident → JSON mapper the status API and the stream page share. */

import { assertEquals } from "../../assert.ts";
import { type Incident, incidentEntry } from "../../../monitor/store/mod.ts";

const T0 = Date.UTC(2025, 10, 1, 12, 0, 0);

const incident = (extra: Partial<Incident> = {}): Incident => ({
  id: 1,
  name: "cam",
  state: "down",
  start: T0,
  end: T0 + 90_400,
  durationMs: 90_400,
  cause: "timeout",
  endCause: "RTSP 200",
  ack: null,
  ...extra,
});

Deno.test("incidentEntry() formats times in the zone and rounds the duration to seconds", () => {
  assertEquals(incidentEntry(incident(), { timeZone: "Europe/Berlin", now: T0 + 999_000 }), {
    state: "down",
    start: "2025-11-01T13:00:00+01:00",
    end: "2025-11-01T13:01:30+01:00",
    duration_seconds: 90,
    cause: "timeout",
  });
});

Deno.test("incidentEntry() gives an open incident a null end and its length until now", () => {
  const open = incidentEntry(incident({ state: "degraded", end: null }), {
    timeZone: "UTC",
    now: T0 + 1_500,
  });
  assertEquals(open, {
    state: "degraded",
    start: "2025-11-01T12:00:00+00:00",
    end: null,
    duration_seconds: 2,
    cause: "timeout",
  });
});
