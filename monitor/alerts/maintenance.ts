/** Maintenance windows (one-off and cron) as time spans, and how suppression delays an alert. */

import { Cron } from "croner";
import type { MaintenanceWindow } from "../config/mod.ts";
import type { StreamConfig } from "../types.ts";
import { matchesFilter } from "./rules.ts";

/** A time span `[start, end)` in ms since the epoch (`start` may be -Infinity: "until end"). */
export type Span = [number, number];

/** The suppression spans of one stream that overlap `[from, to]` (unclipped, unsorted). */
export type SpansBetween = (from: number, to: number) => Span[];

/** A window ready for repeated questions: its cron parsed once, in the config's time zone. */
export interface CompiledWindow {
  window: MaintenanceWindow;
  /** The schedule of a repeating window's starts. */
  cron?: Cron;
  /** Length of each repeating window, ms. */
  lengthMs: number;
}

/** Most starts of one cron window looked at in one question (a month of every-minute starts). */
const MAX_RUNS = 50_000;
/**
 * Rounds of one suppression walk below (each looks at the spans at one point: a cron look-up or
 * two). Back-to-back windows covering days are walked a part at a time: the engine walks on
 * from where the last walk stopped.
 */
const MAX_ROUNDS = 64;

/**
 * Parses the cron windows once. Throws an Error naming the window when its cron expression or
 * the time zone is unusable (the config parser has checked both; this guards the engine).
 */
export function compileWindows(windows: MaintenanceWindow[], timeZone: string): CompiledWindow[] {
  return windows.map((window) => {
    if (window.cron === undefined) return { window, lengthMs: 0 };
    try {
      const cron = new Cron(window.cron, { paused: true, timezone: timeZone });
      cron.nextRun(new Date(0)); // an unknown time zone only fails here
      return { window, cron, lengthMs: Math.max(0, window.minutes ?? 0) * 60_000 };
    } catch (err) {
      throw new Error(
        `Maintenance window "${window.name}": cron "${window.cron}" in time zone "${timeZone}" ` +
          `cannot be used: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  });
}

/** The spans of one window that overlap `[from, to]`, unclipped, in time order. */
export function windowSpans(w: CompiledWindow, from: number, to: number): Span[] {
  const { window, cron, lengthMs } = w;
  if (!cron) {
    if (window.from === undefined || window.to === undefined) return [];
    return window.from <= to && window.to > from ? [[window.from, window.to]] : [];
  }
  const out: Span[] = [];
  if (lengthMs <= 0) return out;
  // Starts after `from - length` are the ones whose window still lasts at `from`.
  let run = cron.nextRun(new Date(from - lengthMs));
  for (let i = 0; run && run.getTime() <= to && i < MAX_RUNS; i++) {
    out.push([run.getTime(), run.getTime() + lengthMs]);
    run = cron.nextRun(run);
  }
  return out;
}

/** The first window of `windows` in force at `now`, if any. */
export function activeWindow(
  windows: CompiledWindow[],
  now: number,
): MaintenanceWindow | undefined {
  return windows.find((w) => windowSpans(w, now, now).some(([s, e]) => s <= now && now < e))
    ?.window;
}

/** Sorts and merges spans that overlap or touch. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * Maintenance intervals covering `stream` within `[from, to]`: the windows that match it, merged,
 * sorted and clipped to the range (the SLA subtracts these). Cron starts are read in `timeZone`.
 */
export function maintenanceIntervals(
  windows: MaintenanceWindow[],
  stream: StreamConfig,
  from: number,
  to: number,
  timeZone: string,
): [number, number][] {
  const mine = compileWindows(windows.filter((w) => matchesFilter(w, stream)), timeZone);
  const spans = mine.flatMap((w) => windowSpans(w, from, to));
  return mergeSpans(spans)
    .map(([s, e]): [number, number] => [Math.max(s, from), Math.min(e, to)])
    .filter(([s, e]) => e > s);
}

/**
 * The end of the suppression in force at `t`, following spans that start where one ends; `t`
 * itself when nothing suppresses at `t`. A walk longer than `budget.left` rounds stops early.
 */
export function coveredUntil(
  spans: SpansBetween,
  t: number,
  budget = { left: MAX_ROUNDS },
): number {
  let end = t;
  while (budget.left-- > 0) {
    let next = end;
    for (const [s, e] of spans(end, end)) if (s <= end && e > next) next = e;
    if (next === end) return end;
    end = next;
  }
  return end;
}

/**
 * When an alert that waits `delayMs` from `start` may go out (`due`), and when its wait last
 * (re)started (`start`). A suppression (maintenance window or mute) that overlaps the wait cancels
 * it, and the wait starts again at the suppression's end: "still failing when the window ends
 * counts from the window's end". Nothing is queued for later. When the walk runs out of rounds
 * (windows back to back for days) the answer is provisional: asking again from the returned
 * `start` at `due` walks on, and never lands inside a suppression.
 */
export function alertTime(
  spans: SpansBetween,
  start: number,
  delayMs: number,
): { start: number; due: number } {
  const budget = { left: MAX_ROUNDS };
  let t = start;
  while (budget.left-- > 0) {
    const due = t + delayMs;
    let first = Infinity;
    for (const [s, e] of spans(t, due)) {
      if (s <= due && e > t) first = Math.min(first, Math.max(s, t));
    }
    if (first === Infinity) return { start: t, due };
    t = coveredUntil(spans, first, budget);
  }
  return { start: t, due: t + delayMs };
}

/**
 * True when the window is in force at `now` (a cron window's starts read in `timeZone`), with
 * the engine's own reading of windows; false for a window that cannot be compiled.
 */
export function windowInForce(w: MaintenanceWindow, now: number, timeZone: string): boolean {
  try {
    return activeWindow(compileWindows([w], timeZone), now) !== undefined;
  } catch {
    return false; // the loader validated it; one croner refuses shows "not in force"
  }
}
