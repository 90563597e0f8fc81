/** Tests of the SQLite store's incident log: allIncidents() across streams, filters, paging, plan. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { StreamState } from "../../../../monitor/types.ts";
import { BACKENDS, HOUR, open, T0, withPath } from "./helpers.ts";

type Store = ReturnType<typeof open>;

/** Records a state change of `name`. */
function change(store: Store, name: string, from: StreamState, to: StreamState, ts: number) {
  store.recordStateChange({ name, from, to, ts, cause: `${name} ${to} at ${(ts - T0) / HOUR}h` });
}

/**
 * Three streams: cam-a down 1–2 h and degraded 5 h–now, cam-b down 3–4 h, cam-c down since -1 h
 * (begun before a window starting at 0 and still open).
 */
function seed(store: Store) {
  change(store, "cam-c", "up", "down", T0 - HOUR);
  change(store, "cam-a", "up", "down", T0 + HOUR);
  change(store, "cam-a", "down", "up", T0 + 2 * HOUR);
  change(store, "cam-b", "up", "down", T0 + 3 * HOUR);
  change(store, "cam-b", "down", "up", T0 + 4 * HOUR);
  change(store, "cam-a", "up", "degraded", T0 + 5 * HOUR);
}

const starts = (list: Array<{ name: string; start: number }>) =>
  list.map((i) => `${i.name}@${(i.start - T0) / HOUR}`);

for (const backend of BACKENDS) {
  Deno.test(`allIncidents() lists every stream's incidents newest first (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path, { now: () => T0 + 6 * HOUR });
      try {
        seed(store);
        const all = store.allIncidents(); // the queued changes are written first
        assert.deepEqual(starts(all), ["cam-a@5", "cam-b@3", "cam-a@1", "cam-c@-1"]);
        assert.deepEqual(all[0], {
          id: all[0].id,
          name: "cam-a",
          state: "degraded",
          start: T0 + 5 * HOUR,
          end: null,
          durationMs: HOUR,
          cause: "cam-a degraded at 5h",
          endCause: null,
          ack: null,
        });
        assert.equal(all[1].endCause, "cam-b up at 4h");
        assert.equal(all[1].durationMs, HOUR);
      } finally {
        store.close();
      }
    }));

  Deno.test(`allIncidents() filters by window, state, names and open (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path, { now: () => T0 + 6 * HOUR });
      try {
        seed(store);
        const q = (x: Parameters<Store["allIncidents"]>[0]) => starts(store.allIncidents(x));
        // Overlap, not start: cam-c began before the window and still lasts; cam-a@1 ended at 2 h.
        assert.deepEqual(q({ from: T0 + 2 * HOUR, to: T0 + 3 * HOUR }), [
          "cam-b@3",
          "cam-a@1",
          "cam-c@-1",
        ]);
        assert.deepEqual(q({ from: T0 + 2.5 * HOUR, to: T0 + 2.9 * HOUR }), ["cam-c@-1"]);
        assert.deepEqual(q({ to: T0 }), ["cam-c@-1"]);
        assert.deepEqual(q({ state: "degraded" }), ["cam-a@5"]);
        assert.deepEqual(q({ state: "down", names: ["cam-a"] }), ["cam-a@1"]);
        assert.deepEqual(q({ names: ["cam-b", "nobody"] }), ["cam-b@3"]);
        assert.deepEqual(q({ names: ["nobody"] }), []);
        assert.deepEqual(q({ names: [] }), []);
        assert.deepEqual(q({ open: true }), ["cam-a@5", "cam-c@-1"]);
        assert.deepEqual(q({ open: true, from: T0 + 5.5 * HOUR }), ["cam-a@5", "cam-c@-1"]);
      } finally {
        store.close();
      }
    }));

  Deno.test(`allIncidents() pages with limit and offset and checks its bounds (${backend})`, () =>
    withPath(backend, (path) => {
      const store = open(path, { now: () => T0 + 6 * HOUR });
      try {
        seed(store);
        assert.deepEqual(starts(store.allIncidents({ limit: 2 })), ["cam-a@5", "cam-b@3"]);
        assert.deepEqual(starts(store.allIncidents({ limit: 2, offset: 2 })), [
          "cam-a@1",
          "cam-c@-1",
        ]);
        assert.deepEqual(store.allIncidents({ offset: 4 }), []);
        assert.equal(store.allIncidents({ limit: 50_000 }).length, 4); // clamped to 10,000
        assert.throws(() => store.allIncidents({ from: NaN }), /"from" is NaN/);
        assert.throws(() => store.allIncidents({ offset: -1 }), /"offset" is -1/);
        assert.throws(() => store.allIncidents({ offset: 200_000 }), /"offset" is 200000/);
        assert.throws(
          () => store.allIncidents({ state: "up" as never }),
          /"state" is "up", not down or degraded/,
        );
        const acked = store.allIncidents({ names: ["cam-b"] })[0];
        assert.equal(store.ackIncident(acked.id, "cable replaced", T0 + 5 * HOUR), true);
        assert.deepEqual(store.allIncidents({ names: ["cam-b"] })[0].ack, {
          ts: T0 + 5 * HOUR,
          note: "cable replaced",
        });
      } finally {
        store.close();
      }
      assert.throws(() => store.allIncidents(), /the store ".*" is closed/);
    }));
}

Deno.test("allIncidents() reads through the start and end indexes of migration 4", () =>
  withPath("file", (path) => {
    open(path).close();
    const db = new DatabaseSync(path);
    try {
      const version = db.prepare("PRAGMA user_version").get() as { user_version: number };
      assert.ok(version.user_version >= 4);
      // The statement of monitor/store/sqlite/incidents.ts, filters left out.
      const plan = db.prepare(
        `EXPLAIN QUERY PLAN SELECT i.id FROM sp_incident i JOIN sp_stream s ON s.id = i.stream_id
         WHERE ((i.started_at >= ?1 AND i.started_at <= ?2)
                OR (i.started_at < ?1 AND i.ended_at >= ?1)
                OR (i.started_at < ?1 AND i.ended_at IS NULL))
         ORDER BY +i.started_at DESC, i.id DESC LIMIT 10`,
      ).all(0, 1) as Array<{ detail: string }>;
      const text = plan.map((p) => p.detail).join("\n");
      assert.match(text, /sp_incident_start/, text);
      assert.match(text, /sp_incident_end/, text);
      assert.doesNotMatch(text, /SCAN i/, text);
    } finally {
      db.close();
    }
  }));
