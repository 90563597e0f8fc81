/** What the alert engine's tests share: a clock origin, stream and rule builders, a ticker. */

import type { Decision } from "../../../monitor/alerts/engine.ts";
import type { AlertRule } from "../../../monitor/config/mod.ts";
import type { StreamConfig } from "../../../monitor/types.ts";

/** 2025-12-01T12:00:00Z, the tests' time origin. */
export const T0 = 1764590400000;
export const S = 1000;
export const MIN = 60 * S;

/** A stream on its own host (named after it), with credentials in its URL. */
export function stream(name: string, over: Partial<StreamConfig> = {}): StreamConfig {
  return {
    name,
    url: `rtsp://admin:secret@${name.toLowerCase().replace(/\W/g, "")}.example/live`,
    enabled: true,
    intervalSeconds: 30,
    timeoutSeconds: 10,
    tags: [],
    tlsInsecure: false,
    ...over,
  };
}

/** A rule for every stream, down only, to the channel "chat", unless `over` says otherwise. */
export function rule(over: Partial<AlertRule> = {}): AlertRule {
  return {
    streams: [],
    tags: [],
    sites: [],
    channels: ["chat"],
    states: ["down"],
    afterSeconds: 0,
    resolved: true,
    remindMinutes: 0,
    ...over,
  };
}

/** The alert keys of decisions, in order. */
export const keys = (ds: Decision[]) => ds.map((d) => d.alert.key);

/** Ticks every second from `from` to `to` (inclusive), collecting every decision. */
export function run(e: { tick(now: number): Decision[] }, from: number, to: number): Decision[] {
  const out: Decision[] = [];
  for (let t = from; t <= to; t += S) out.push(...e.tick(t));
  return out;
}
