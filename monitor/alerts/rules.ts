/** Which streams a rule (or maintenance window) covers, and what a rule counts as failing. */

import type { AlertRule, StreamFilter } from "../config/mod.ts";
import type { StreamConfig, StreamState } from "../types.ts";

/**
 * True when every non-empty part of `filter` matches `stream`: `streams` by name, `tags` any-of,
 * `sites` any-of. An empty filter covers every stream.
 */
export function matchesFilter(filter: StreamFilter, stream: StreamConfig): boolean {
  if (filter.streams.length > 0 && !filter.streams.includes(stream.name)) return false;
  if (filter.tags.length > 0 && !filter.tags.some((t) => stream.tags.includes(t))) return false;
  if (filter.sites.length > 0) {
    if (stream.site === undefined || !filter.sites.includes(stream.site)) return false;
  }
  return true;
}

/**
 * The items (rules, or records holding one) whose filter covers `stream`, in order. A disabled
 * stream is covered by none: it is not checked, so an outage it had could never end.
 */
export function rulesFor<T>(
  items: readonly T[],
  stream: StreamConfig,
  filterOf: (item: T) => StreamFilter,
): T[] {
  return stream.enabled ? items.filter((x) => matchesFilter(filterOf(x), stream)) : [];
}

/** True when `state` is an outage for `rule` (one of its `states`; `unknown` never is). */
export function failsFor(rule: AlertRule, state: StreamState): boolean {
  return (rule.states as readonly StreamState[]).includes(state);
}

/** True for the states that are an outage for some rule: down and degraded. */
export function isFailing(state: StreamState): boolean {
  return state === "down" || state === "degraded";
}

/**
 * A rule's identity across reloads: every field, in a fixed order. An unchanged rule keeps its
 * pending and sent alerts; a changed one is a new rule, re-evaluated from the streams' states.
 */
export function ruleId(rule: AlertRule): string {
  return JSON.stringify([
    rule.streams,
    rule.tags,
    rule.sites,
    rule.channels,
    rule.states,
    rule.afterSeconds,
    rule.resolved,
    rule.remindMinutes,
  ]);
}

/**
 * When the outage of a stream began for `rule`, from the stream's state and its two "since"
 * values: a rule that counts both down and degraded counts from when the stream started failing
 * at all (`failingSince`), any other from when the current state began.
 */
export function outageStart(
  rule: AlertRule,
  live: { since: number; failingSince: number },
): number {
  return failsFor(rule, "down") && failsFor(rule, "degraded") ? live.failingSince : live.since;
}
