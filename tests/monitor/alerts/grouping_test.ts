/** Host:port batches and parent folding, through the engine and the helpers behind them. */

import { assert, assertEquals } from "../../assert.ts";
import { createAlertEngine, type Decision } from "../../../monitor/alerts/engine.ts";
import { foldTarget, worstState } from "../../../monitor/alerts/grouping.ts";
import { hostKey } from "../../../monitor/alerts/host_key.ts";
import type { AlertsConfig } from "../../../monitor/config/mod.ts";
import type { StreamConfig, StreamState } from "../../../monitor/types.ts";
import { keys, MIN, rule, run, S, stream, T0 } from "./engine_helpers.ts";

function engine(streams: StreamConfig[], rules = [rule()], over: Partial<AlertsConfig> = {}) {
  const e = createAlertEngine({ timeZone: "UTC" });
  e.configure(streams, { channels: [], rules, groupSeconds: 10, maintenance: [], ...over }, "UTC");
  return e;
}
type Engine = ReturnType<typeof engine>;
function go(e: Engine, name: string, from: StreamState, to: StreamState, ts: number) {
  e.change({ name, from, to, ts, cause: `${name} ${to}` });
}
const names = (d: Decision) => d.alert.streams.map((s) => s.name);
/** Ticks every second from `from` to `to`, applying each change at its time first. */
function play(
  e: Engine,
  changes: [number, string, StreamState, StreamState][],
  from: number,
  to: number,
): Decision[] {
  const out: Decision[] = [];
  for (let t = from; t <= to; t += S) {
    for (const [ts, name, a, b] of changes) if (ts > t - S && ts <= t) go(e, name, a, b, ts);
    out.push(...e.tick(t));
  }
  return out;
}
/** `n` streams on one camera server (one host:port), cam1…camN. */
const onHost = (n: number, host = "nvr.example:554") =>
  Array.from(
    { length: n },
    (_, i) => stream(`cam${i + 1}`, { url: `rtsp://u:p@${host}/ch${i + 1}` }),
  );

Deno.test("hostKey() gives host:port with the scheme's default port and no credentials", () => {
  assertEquals(hostKey("rtsp://admin:s3cret@CAM.example/live"), "cam.example:554");
  assertEquals(hostKey("rtsps://cam.example/live"), "cam.example:322");
  assertEquals(hostKey("http://user:pw@10.0.0.5/mjpg"), "10.0.0.5:80");
  assertEquals(hostKey("https://cam.example:443/x"), "cam.example:443");
  assertEquals(hostKey("rtsp://cam.example:8554/x"), "cam.example:8554");
  assertEquals(hostKey("rtsp://[fe80::1]:554/x"), "[fe80::1]:554");
  assertEquals(hostKey("not a url"), "");
  assertEquals(hostKey("rtsp://" + "a".repeat(10_000)), "");
  assert(!hostKey("rtsp://admin:s3cret@cam.example/").includes("s3cret"));
});

Deno.test("foldTarget() climbs the unbroken chain of failing ancestors and stops at cycles", () => {
  const parent = new Map([["cam", "nvr"], ["nvr", "rack"], ["rack", "site"], ["a", "b"], [
    "b",
    "a",
  ]]);
  const p = (n: string) => parent.get(n);
  assertEquals(foldTarget("cam", p, (n) => n === "nvr" || n === "rack"), "rack");
  assertEquals(foldTarget("cam", p, (n) => n === "rack"), undefined); // the parent is up
  assertEquals(foldTarget("a", p, () => true), "b");
  assertEquals(worstState(["up", "degraded", "unknown"]), "degraded");
  assertEquals(worstState(["degraded", "down"]), "down");
});

Deno.test("tick() sends 40 streams of one host failing within seconds as one alert and one recovery", () => {
  const streams = onHost(40);
  const e = engine(streams);
  for (let i = 0; i < 40; i++) {
    go(e, `cam${i + 1}`, "up", i === 5 ? "degraded" : "down", T0 + i * 100);
  }
  // cam6 is degraded: not an outage for a down-only rule.
  const out = run(e, T0, T0 + 2 * MIN);
  assertEquals(out.length, 1);
  const a = out[0].alert;
  assertEquals(a.key, `host:nvr.example:554@${T0}:down`);
  assertEquals([a.stream, a.state, a.group], ["nvr.example:554", "down", {
    by: "host",
    key: "nvr.example:554",
  }]);
  assertEquals(a.ts, T0 + 10 * S);
  assertEquals(names(out[0]).length, 39);
  assertEquals(names(out[0])[0], "cam1");
  assert(!JSON.stringify(a).includes("secret"));
  for (let i = 0; i < 39; i++) go(e, `cam${i + 1}`, "down", "up", T0 + 5 * MIN + i * S);
  assertEquals(run(e, T0 + 2 * MIN, T0 + 6 * MIN), []);
  go(e, "cam40", "down", "up", T0 + 7 * MIN);
  const res = e.tick(T0 + 7 * MIN);
  assertEquals(keys(res), [`host:nvr.example:554@${T0}:resolved`]);
  assertEquals(res[0].alert.streams.every((s) => s.state === "up"), true);
});

Deno.test("tick() sends a stream alone on its host at once, without the group wait", () => {
  const e = engine([...onHost(2), stream("Gate")]);
  go(e, "Gate", "up", "down", T0);
  const out = e.tick(T0);
  assertEquals(keys(out), [`Gate@${T0}:down`]);
  assertEquals(out[0].alert.group, undefined);
});

Deno.test("tick() sends a lone failure of a shared host as its own alert after the wait", () => {
  const e = engine(onHost(2));
  go(e, "cam2", "up", "down", T0);
  assertEquals(run(e, T0, T0 + 9 * S), []);
  const out = e.tick(T0 + 10 * S);
  assertEquals(keys(out), [`cam2@${T0}:down`]);
  assertEquals(out[0].alert.group, undefined);
});

Deno.test("tick() starts a new host batch for a stream failing after the group alert went out", () => {
  const e = engine(onHost(4));
  go(e, "cam1", "up", "down", T0);
  go(e, "cam2", "up", "down", T0 + 3 * S);
  assertEquals(keys(run(e, T0, T0 + MIN)), [`host:nvr.example:554@${T0}:down`]);
  go(e, "cam3", "up", "down", T0 + 2 * MIN);
  go(e, "cam4", "up", "down", T0 + 2 * MIN + 4 * S);
  const follow = run(e, T0 + 2 * MIN, T0 + 3 * MIN);
  assertEquals(keys(follow), [`host:nvr.example:554@${T0 + 2 * MIN}:down`]);
  assertEquals(names(follow[0]), ["cam3", "cam4"]);
  for (const n of ["cam1", "cam2"]) go(e, n, "down", "up", T0 + 4 * MIN);
  assertEquals(keys(e.tick(T0 + 4 * MIN)), [`host:nvr.example:554@${T0}:resolved`]);
});

Deno.test("tick() drops from a host batch the streams that recovered during the wait", () => {
  const e = engine(onHost(3));
  go(e, "cam1", "up", "down", T0);
  go(e, "cam2", "up", "down", T0 + S);
  go(e, "cam3", "up", "down", T0 + 2 * S);
  go(e, "cam1", "down", "up", T0 + 5 * S);
  const out = run(e, T0, T0 + MIN);
  assertEquals(keys(out), [`host:nvr.example:554@${T0 + S}:down`]);
  assertEquals(names(out[0]), ["cam2", "cam3"]);
});

Deno.test("tick() folds a child of a failing parent into the parent's alert", () => {
  const streams = [
    stream("NVR A"),
    stream("Door", { parent: "NVR A" }),
    stream("Hall", { parent: "NVR A" }),
  ];
  const e = engine(streams, [rule({ afterSeconds: 30 })]);
  const out = play(
    e,
    [
      [T0, "Door", "up", "down"], // due before the parent's alert: listed in it
      [T0 + 2 * S, "NVR A", "up", "down"],
      [T0 + 40 * S, "Hall", "up", "down"], // due after it: listed in its resolved
    ],
    T0,
    T0 + 5 * MIN,
  );
  assertEquals(keys(out), [`parent:NVR A@${T0 + 2 * S}:down`]);
  const a = out[0].alert;
  assertEquals([a.stream, a.group], ["NVR A", { by: "parent", key: "NVR A" }]);
  assertEquals(names(out[0]), ["NVR A", "Door"]);
  go(e, "Door", "down", "up", T0 + 6 * MIN); // recovers while folded: no message
  assertEquals(e.tick(T0 + 6 * MIN), []);
  go(e, "Hall", "down", "up", T0 + 7 * MIN);
  go(e, "NVR A", "down", "up", T0 + 8 * MIN);
  const res = e.tick(T0 + 8 * MIN);
  assertEquals(keys(res), [`parent:NVR A@${T0 + 2 * S}:resolved`]);
  assertEquals(names(res[0]), ["NVR A", "Door", "Hall"]);
});

Deno.test("tick() alerts a still-failing child on its own from its parent's recovery", () => {
  const e = engine([stream("NVR A"), stream("Door", { parent: "NVR A" })], [
    rule({ afterSeconds: 30 }),
  ]);
  go(e, "NVR A", "up", "down", T0);
  go(e, "Door", "up", "down", T0 + S);
  assertEquals(keys(run(e, T0, T0 + MIN)), [`parent:NVR A@${T0}:down`]);
  go(e, "NVR A", "down", "up", T0 + 2 * MIN);
  const res = e.tick(T0 + 2 * MIN);
  assertEquals(keys(res), [`parent:NVR A@${T0}:resolved`]);
  assertEquals(names(res[0]), ["NVR A"]); // Door goes on alone
  assertEquals(run(e, T0 + 2 * MIN + S, T0 + 2 * MIN + 29 * S), []);
  const own = e.tick(T0 + 2 * MIN + 30 * S);
  assertEquals(keys(own), [`Door@${T0 + S}:down`]);
  assertEquals(own[0].alert.group, undefined);
});

Deno.test("tick() folds a grandchild chain into the top failing ancestor", () => {
  const streams = [
    stream("Core"),
    stream("NVR", { parent: "Core" }),
    stream("Cam", { parent: "NVR" }),
  ];
  const e = engine(streams, [rule({ afterSeconds: 20 })]);
  const out = play(
    e,
    [
      [T0, "Cam", "up", "down"],
      [T0 + S, "NVR", "up", "down"],
      [T0 + 2 * S, "Core", "up", "down"],
    ],
    T0,
    T0 + MIN,
  );
  assertEquals(keys(out), [`parent:Core@${T0 + 2 * S}:down`]);
  assertEquals(names(out[0]), ["Core", "Cam", "NVR"]);
  // The top recovers: the NVR alerts alone with its camera folded under it.
  go(e, "Core", "down", "up", T0 + 2 * MIN);
  assertEquals(keys(e.tick(T0 + 2 * MIN)), [`parent:Core@${T0 + 2 * S}:resolved`]);
  const next = run(e, T0 + 2 * MIN + S, T0 + 3 * MIN);
  assertEquals(keys(next), [`parent:NVR@${T0 + S}:down`]);
  assertEquals(names(next[0]), ["NVR", "Cam"]);
});

Deno.test("tick() folds host-batch members whose parent failed during the wait", () => {
  const cams = onHost(3).map((s) => ({ ...s, parent: "NVR" }));
  // The NVR on the cameras' own host:port joins their batch, which then folds into it.
  const same = engine([stream("NVR", { url: "rtsp://nvr.example/" }), ...cams]);
  const one = play(
    same,
    [
      [T0, "cam1", "up", "down"],
      [T0 + S, "cam2", "up", "down"],
      [T0 + 3 * S, "NVR", "up", "down"],
    ],
    T0,
    T0 + MIN,
  );
  assertEquals(keys(one), [`parent:NVR@${T0 + 3 * S}:down`]);
  assertEquals([one[0].alert.ts, names(one[0])], [T0 + 10 * S, ["NVR", "cam1", "cam2"]]);

  // An NVR elsewhere waits group_seconds too (it is a parent): the batch folds into it, listed.
  const streams = [stream("NVR", { url: "http://nvr-web.example/" }), ...cams];
  const e = engine(streams);
  const out = play(
    e,
    [
      [T0, "cam1", "up", "down"],
      [T0 + S, "cam2", "up", "down"],
      [T0 + 3 * S, "NVR", "up", "down"],
    ],
    T0,
    T0 + MIN,
  );
  assertEquals(keys(out), [`parent:NVR@${T0 + 3 * S}:down`]);
  assertEquals([out[0].alert.ts, names(out[0])], [T0 + 13 * S, ["NVR", "cam1", "cam2"]]);
  go(e, "cam1", "down", "up", T0 + 2 * MIN);
  go(e, "cam2", "down", "up", T0 + 2 * MIN);
  assertEquals(e.tick(T0 + 2 * MIN), []);
  go(e, "NVR", "down", "up", T0 + 2 * MIN + S);
  const res = e.tick(T0 + 2 * MIN + S);
  assertEquals(keys(res), [`parent:NVR@${T0 + 3 * S}:resolved`]);
  assertEquals(names(res[0]), ["NVR", "cam1", "cam2"]);
});

Deno.test("tick() sends nothing for a child whose failing parent no rule here covers", () => {
  const e = engine(
    [stream("NVR", { tags: ["nvr"] }), stream("Door", { parent: "NVR", tags: ["cam"] })],
    [rule({ tags: ["cam"] })],
  );
  go(e, "NVR", "up", "down", T0);
  go(e, "Door", "up", "down", T0 + S);
  assertEquals(run(e, T0, T0 + MIN), []);
  go(e, "NVR", "down", "up", T0 + 2 * MIN);
  assertEquals(keys(e.tick(T0 + 2 * MIN)), [`Door@${T0 + S}:down`]);
});

Deno.test("acknowledge() of a member or of the host key stops a host alert's reminders", () => {
  for (const who of ["cam2", "host:nvr.example:554"]) {
    const e = engine(onHost(2), [rule({ remindMinutes: 1 })]);
    go(e, "cam1", "up", "down", T0);
    go(e, "cam2", "up", "down", T0 + S);
    const first = run(e, T0, T0 + 70 * S);
    assertEquals(keys(first), [
      `host:nvr.example:554@${T0}:down`,
      `host:nvr.example:554@${T0}:reminder#1`,
    ]);
    assert(e.acknowledge(who, T0 + S, "router swap"), who);
    assertEquals(run(e, T0 + 71 * S, T0 + 10 * MIN), [], who);
    go(e, "cam1", "down", "up", T0 + 11 * MIN);
    go(e, "cam2", "down", "up", T0 + 11 * MIN);
    assertEquals(e.tick(T0 + 11 * MIN).map((d) => d.alert.note), ["router swap"], who);
  }
});

Deno.test("acknowledge() of a folded child leaves its parent's alert reminding", () => {
  const e = engine([stream("NVR"), stream("Door", { parent: "NVR" })], [
    rule({ remindMinutes: 1 }),
  ]);
  // The parent waits group_seconds (10 s) for its children, then reminds a minute later.
  const out = play(e, [[T0, "NVR", "up", "down"], [T0 + S, "Door", "up", "down"]], T0, T0 + 15 * S);
  assertEquals(keys(out), [`parent:NVR@${T0}:down`]);
  assertEquals(names(out[0]), ["NVR", "Door"]);
  assert(e.acknowledge("Door", T0 + S, "seen"));
  assertEquals(keys(run(e, T0 + 16 * S, T0 + 71 * S)), [`parent:NVR@${T0}:reminder#1`]);
});

Deno.test("restore() rebuilds a host batch with the key it had before the restart", () => {
  const streams = onHost(3);
  const before = engine(streams);
  const sent = play(
    before,
    [
      [T0, "cam1", "up", "down"],
      [T0 + 2 * S, "cam2", "up", "down"],
      [T0 + 4 * S, "cam3", "up", "down"],
    ],
    T0,
    T0 + MIN,
  );
  assertEquals(keys(sent), [`host:nvr.example:554@${T0}:down`]);
  const after = engine(streams);
  after.restore(
    [0, 2, 4].map((s, i) => ({ name: `cam${i + 1}`, state: "down", since: T0 + s * S, cause: "" })),
    T0 + 5 * MIN,
  );
  const again = after.tick(T0 + 5 * MIN);
  assertEquals(keys(again), keys(sent));
  assertEquals(names(again[0]), ["cam1", "cam2", "cam3"]);
});
