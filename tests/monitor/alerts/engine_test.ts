/** The alert engine's core decisions: waits, states, rules, reminders, acks, restarts, reloads. */

import { assert, assertEquals } from "../../assert.ts";
import { createAlertEngine } from "../../../monitor/alerts/engine.ts";
import type { AlertRule, AlertsConfig } from "../../../monitor/config/alerts_types.ts";
import type { StreamConfig, StreamState } from "../../../monitor/types.ts";
import { keys, MIN, rule, run, S, stream, T0 } from "./engine_helpers.ts";

function alerts(rules: AlertRule[] = [rule()], over: Partial<AlertsConfig> = {}): AlertsConfig {
  return { channels: [], rules, groupSeconds: 10, maintenance: [], ...over };
}
function engine(streams: StreamConfig[], a: AlertsConfig = alerts()) {
  const e = createAlertEngine({ timeZone: "UTC" });
  e.configure(streams, a, "UTC");
  return e;
}
type Engine = ReturnType<typeof engine>;
function go(e: Engine, name: string, from: StreamState, to: StreamState, ts: number) {
  e.change({ name, from, to, ts, cause: `${from} -> ${to}` });
}

Deno.test("tick() sends nothing for an outage shorter than after_seconds", () => {
  const e = engine([stream("Gate")], alerts([rule({ afterSeconds: 60 })]));
  go(e, "Gate", "up", "down", T0);
  assertEquals(run(e, T0, T0 + 30 * S), []);
  go(e, "Gate", "down", "up", T0 + 30 * S);
  assertEquals(run(e, T0 + 30 * S, T0 + 5 * MIN), []);
  assertEquals(e.nextDue(), undefined);
});

Deno.test("tick() sends one alert after after_seconds, then one resolved", () => {
  const e = engine([stream("Gate")], alerts([rule({ afterSeconds: 60 })]));
  go(e, "Gate", "up", "down", T0);
  assertEquals(e.nextDue(), T0 + 60 * S);
  assertEquals(run(e, T0, T0 + 59 * S), []);
  const first = e.tick(T0 + 60 * S);
  assertEquals(keys(first), [`Gate@${T0}:down`]);
  const a = first[0].alert;
  assertEquals([a.event, a.stream, a.state, a.since, a.ts, a.cause], [
    "down",
    "Gate",
    "down",
    T0,
    T0 + 60 * S,
    "up -> down",
  ]);
  assertEquals(a.streams.map((x) => [x.name, x.state, x.since]), [["Gate", "down", T0]]);
  assertEquals(a.group, undefined);
  assertEquals(a.links, {});
  assertEquals(first[0].channels, ["chat"]);
  assertEquals(run(e, T0 + 61 * S, T0 + 10 * MIN), []);
  go(e, "Gate", "down", "up", T0 + 10 * MIN);
  const res = e.tick(T0 + 10 * MIN);
  assertEquals(keys(res), [`Gate@${T0}:resolved`]);
  assertEquals([res[0].alert.state, res[0].alert.streams[0].state], ["up", "up"]);
  assertEquals(run(e, T0 + 10 * MIN, T0 + 20 * MIN), []);
});

Deno.test("tick() alerts only the states a rule names", () => {
  const e = engine([stream("Gate")], alerts([rule({ states: ["down"], channels: ["pager"] })]));
  go(e, "Gate", "up", "degraded", T0);
  assertEquals(e.tick(T0), []);
  go(e, "Gate", "degraded", "up", T0 + MIN);
  assertEquals(e.tick(T0 + MIN), []);

  const d = engine([stream("Gate")], alerts([rule({ states: ["degraded"] })]));
  go(d, "Gate", "up", "degraded", T0);
  assertEquals(keys(d.tick(T0)), [`Gate@${T0}:degraded`]);
  go(d, "Gate", "degraded", "down", T0 + MIN); // leaves the rule's states: the outage ended
  assertEquals(keys(d.tick(T0 + MIN)), [`Gate@${T0}:resolved`]);
});

Deno.test("tick() escalates degraded to down within one outage, and not back", () => {
  const e = engine([stream("Gate")], alerts([rule({ states: ["down", "degraded"] })]));
  go(e, "Gate", "up", "degraded", T0);
  assertEquals(keys(e.tick(T0)), [`Gate@${T0}:degraded`]);
  go(e, "Gate", "degraded", "down", T0 + MIN);
  const esc = e.tick(T0 + MIN);
  assertEquals(keys(esc), [`Gate@${T0}:down`]);
  assertEquals([esc[0].alert.state, esc[0].alert.since], ["down", T0]);
  go(e, "Gate", "down", "degraded", T0 + 2 * MIN);
  go(e, "Gate", "degraded", "down", T0 + 3 * MIN);
  assertEquals(run(e, T0 + 2 * MIN, T0 + 4 * MIN), []);
  go(e, "Gate", "down", "up", T0 + 5 * MIN);
  assertEquals(keys(e.tick(T0 + 5 * MIN)), [`Gate@${T0}:resolved`]);
});

Deno.test("tick() sends down, not degraded, when the outage escalated before its alert", () => {
  const e = engine(
    [stream("Gate")],
    alerts([rule({ states: ["down", "degraded"], afterSeconds: 60 })]),
  );
  go(e, "Gate", "up", "degraded", T0);
  go(e, "Gate", "degraded", "down", T0 + 30 * S);
  assertEquals(keys(run(e, T0, T0 + 2 * MIN)), [`Gate@${T0}:down`]);
});

Deno.test("tick() lets each rule decide alone and merges the same key into one decision", () => {
  const e = engine(
    [stream("Gate", { tags: ["door"], site: "HQ" })],
    alerts([
      rule({ channels: ["chat", "mail"] }),
      rule({ tags: ["door"], channels: ["mail", "ntfy"] }),
      rule({ sites: ["HQ"], channels: ["pager"], afterSeconds: 300, resolved: false }),
      rule({ sites: ["Elsewhere"], channels: ["never"] }),
    ]),
  );
  go(e, "Gate", "up", "down", T0);
  const now = e.tick(T0);
  assertEquals(now.length, 1);
  assertEquals(now[0].alert.key, `Gate@${T0}:down`);
  assertEquals(now[0].channels, ["chat", "mail", "ntfy"]);
  const later = run(e, T0 + S, T0 + 300 * S);
  assertEquals(later.map((d) => [d.alert.key, d.channels]), [[`Gate@${T0}:down`, ["pager"]]]);
  go(e, "Gate", "down", "up", T0 + 10 * MIN);
  const res = e.tick(T0 + 10 * MIN);
  assertEquals(res.map((d) => [d.alert.key, d.channels]), [
    [`Gate@${T0}:resolved`, ["chat", "mail", "ntfy"]],
  ]);
});

Deno.test("tick() honours resolved: false", () => {
  const e = engine([stream("Gate")], alerts([rule({ resolved: false })]));
  go(e, "Gate", "up", "down", T0);
  assertEquals(keys(e.tick(T0)), [`Gate@${T0}:down`]);
  go(e, "Gate", "down", "up", T0 + MIN);
  assertEquals(e.tick(T0 + MIN), []);
});

Deno.test("tick() numbers reminders and acknowledge() stops them; the note reaches the resolved", () => {
  const e = engine([stream("Gate")], alerts([rule({ remindMinutes: 5 })]));
  go(e, "Gate", "up", "down", T0);
  assertEquals(keys(e.tick(T0)), [`Gate@${T0}:down`]);
  const reminders = run(e, T0 + S, T0 + 16 * MIN);
  assertEquals(keys(reminders), [1, 2, 3].map((n) => `Gate@${T0}:reminder#${n}`));
  assertEquals(reminders.map((d) => d.alert.ts), [5, 10, 15].map((m) => T0 + m * MIN));
  assertEquals(reminders[0].alert.event, "reminder");
  assertEquals(e.acknowledge("Gate", T0 - MIN, "stale"), false); // an earlier outage's ack
  assertEquals(e.acknowledge("Gate", T0, "on it — Ana"), true);
  assertEquals(run(e, T0 + 16 * MIN, T0 + 60 * MIN), []);
  assertEquals(e.nextDue(), undefined);
  go(e, "Gate", "down", "up", T0 + 61 * MIN);
  const res = e.tick(T0 + 61 * MIN);
  assertEquals(keys(res), [`Gate@${T0}:resolved`]);
  assertEquals(res[0].alert.note, "on it — Ana");
});

Deno.test("acknowledge() before the first alert: the alert carries the note, no reminders", () => {
  const e = engine([stream("Gate")], alerts([rule({ afterSeconds: 60, remindMinutes: 1 })]));
  go(e, "Gate", "up", "down", T0);
  assert(e.acknowledge("Gate", T0, "known"));
  const out = run(e, T0, T0 + 10 * MIN);
  assertEquals(keys(out), [`Gate@${T0}:down`]);
  assertEquals(out[0].alert.note, "known");
});

Deno.test("change() ignores unknown: to it nothing ends, from it the last known state counts", () => {
  const e = engine([stream("Gate"), stream("New")]);
  go(e, "Gate", "up", "down", T0);
  assertEquals(keys(e.tick(T0)), [`Gate@${T0}:down`]);
  go(e, "Gate", "down", "unknown", T0 + S);
  assertEquals(e.tick(T0 + S), []);
  go(e, "Gate", "unknown", "down", T0 + 2 * S);
  assertEquals(e.tick(T0 + 2 * S), []);
  go(e, "New", "unknown", "up", T0 + 3 * S);
  assertEquals(e.tick(T0 + 3 * S), []);
  go(e, "New", "up", "unknown", T0 + 4 * S);
  go(e, "New", "unknown", "down", T0 + 5 * S);
  assertEquals(keys(e.tick(T0 + 5 * S)), [`New@${T0 + 5 * S}:down`]);
});

Deno.test("restore() resumes outages with the same keys and numbering; sent keys are not repeated", () => {
  const streams = [stream("Gate"), stream("Yard")];
  const a = alerts([rule({ afterSeconds: 60, remindMinutes: 10 })]);
  const before = engine(streams, a);
  go(before, "Gate", "up", "down", T0);
  go(before, "Yard", "up", "down", T0 + 21 * MIN); // not yet alerted at the restart
  const sent = run(before, T0, T0 + 21 * MIN + 30 * S);
  assertEquals(keys(sent), [`Gate@${T0}:down`, `Gate@${T0}:reminder#1`, `Gate@${T0}:reminder#2`]);
  const restart = T0 + 21 * MIN + 30 * S;
  const states = [
    { name: "Gate", state: "down" as const, since: T0, cause: "timeout" },
    { name: "Yard", state: "down" as const, since: T0 + 21 * MIN, cause: "timeout" },
  ];

  const after = engine(streams, a); // nothing known of what was sent: same keys, the outbox drops
  after.restore(states, restart);
  assertEquals(keys(after.tick(restart)), [`Gate@${T0}:down`, `Gate@${T0}:reminder#2`]);

  const told = engine(streams, a);
  told.restore(states, restart, { sent: keys(sent) });
  assertEquals(told.tick(restart), []);
  const next = run(told, restart + S, T0 + 31 * MIN);
  assertEquals(keys(next), [`Yard@${T0 + 21 * MIN}:down`, `Gate@${T0}:reminder#3`]);
  go(told, "Gate", "down", "up", T0 + 31 * MIN + 30 * S);
  assertEquals(keys(told.tick(T0 + 31 * MIN + 30 * S)), [`Gate@${T0}:resolved`]);
});

Deno.test("tick() gives the same keys to the same outage in every engine", () => {
  const once = () => {
    const e = engine([stream("Gate")], alerts([rule({ afterSeconds: 5, remindMinutes: 1 })]));
    go(e, "Gate", "up", "down", T0 + 123);
    const out = run(e, T0, T0 + 2 * MIN);
    go(e, "Gate", "down", "up", T0 + 3 * MIN);
    return keys([...out, ...e.tick(T0 + 3 * MIN)]);
  };
  const k = once();
  assertEquals(k, [
    `Gate@${T0 + 123}:down`,
    `Gate@${T0 + 123}:reminder#1`,
    `Gate@${T0 + 123}:resolved`,
  ]);
  assertEquals(once(), k);
});

Deno.test("configure() drops a removed stream silently and re-evaluates a changed rule", () => {
  const a = alerts([rule({ afterSeconds: 60 })]);
  const e = engine([stream("Gate"), stream("Yard")], a);
  go(e, "Gate", "up", "down", T0);
  go(e, "Yard", "up", "down", T0);
  e.configure([stream("Yard")], a, "UTC");
  assertEquals(keys(run(e, T0, T0 + 2 * MIN)), [`Yard@${T0}:down`]);
  go(e, "Gate", "down", "up", T0 + 3 * MIN); // no longer configured
  assertEquals(e.tick(T0 + 3 * MIN), []);

  // Same rule again: nothing new. A changed rule (a new channel) decides again, same key.
  e.configure([stream("Yard")], alerts([rule({ afterSeconds: 60 })]), "UTC");
  assertEquals(e.tick(T0 + 4 * MIN), []);
  e.configure([stream("Yard")], alerts([rule({ afterSeconds: 60, channels: ["pager"] })]), "UTC");
  const again = e.tick(T0 + 5 * MIN);
  assertEquals(again.map((d) => [d.alert.key, d.channels]), [[`Yard@${T0}:down`, ["pager"]]]);
  go(e, "Yard", "down", "up", T0 + 6 * MIN);
  assertEquals(keys(e.tick(T0 + 6 * MIN)), [`Yard@${T0}:resolved`]);
});

Deno.test("configure() leaves disabled streams out of every rule", () => {
  const e = engine([stream("Gate", { enabled: false })]);
  go(e, "Gate", "up", "down", T0);
  assertEquals(e.tick(T0), []);
});

Deno.test("tick() decides 1,000 streams failing at once on 1,000 hosts in one tick", () => {
  const streams = Array.from({ length: 1000 }, (_, i) => stream(`cam${i}`));
  const e = engine(streams);
  for (const s of streams) go(e, s.name, "up", "down", T0);
  const out = e.tick(T0);
  assertEquals(out.length, 1000);
  assertEquals(new Set(keys(out)).size, 1000);
  assertEquals(out.every((d) => d.alert.group === undefined), true);
  for (const s of streams) go(e, s.name, "down", "up", T0 + MIN);
  assertEquals(e.tick(T0 + MIN).length, 1000);
});
