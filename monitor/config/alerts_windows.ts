/** Reads `alerts.maintenance` entries: a repeating (cron + minutes) or one-off (from/to) window. */

import { Cron } from "croner";
import { type Checker, describe, type YamlMap } from "./check.ts";
import { FILTER_KEYS, type Known, parseFilter, warnUnknown } from "./alerts_filter.ts";
import type { MaintenanceWindow } from "./alerts_types.ts";

const WINDOW_KEYS = ["name", "cron", "minutes", "from", "to"];

/**
 * One maintenance window: `cron` + `minutes` (repeating, in `k.timezone`) or `from` + `to`
 * (one-off). Problems are recorded in `k.c`.
 */
export function parseWindow(
  m: YamlMap,
  path: string,
  k: Known & { timezone?: string },
): MaintenanceWindow {
  const { c } = k;
  warnUnknown(m, path, [...WINDOW_KEYS, ...FILTER_KEYS], c);
  const name = c.string(m, "name", path)?.trim() ?? "";
  if (!name) c.error(`${path}.name`, "is required");
  else if (name.length > 200) c.error(`${path}.name`, "must be at most 200 characters");
  const w: MaintenanceWindow = { name, ...parseFilter(m, path, k) };
  const repeating = m.cron != null || m.minutes != null;
  const oneOff = m.from != null || m.to != null;
  if (repeating && oneOff) {
    c.error(path, "set either cron + minutes or from + to, not both");
  } else if (repeating) {
    if (m.cron == null) c.error(`${path}.cron`, "is required with minutes");
    else w.cron = checkCron(m.cron, `${path}.cron`, c, k.timezone);
    if (m.minutes == null) {
      c.error(`${path}.minutes`, "is required with cron (the window's length)");
    } else w.minutes = c.number(m, "minutes", path, { fallback: 1, min: 1, max: 10080 });
    if (w.cron === undefined) delete w.cron;
  } else if (oneOff) {
    const from = parseInstant(m.from, `${path}.from`, c);
    const to = parseInstant(m.to, `${path}.to`, c);
    if (from !== undefined && to !== undefined) {
      if (from >= to) c.error(`${path}.to`, "must be after from");
      Object.assign(w, { from, to });
    }
  } else {
    c.error(path, "needs cron + minutes (a repeating window) or from + to (a one-off window)");
  }
  return w;
}

/** Checks a 5-field cron expression (or an @nickname) with croner; returns it trimmed. */
function checkCron(v: unknown, path: string, c: Checker, timezone?: string): string | undefined {
  if (typeof v !== "string") return void c.error(path, `must be a string, got ${describe(v)}`);
  const expr = v.trim().replace(/\s+/g, " ");
  if (expr.length > 200) return void c.error(path, "must be at most 200 characters");
  const fields = expr.split(" ").length;
  if (!expr.startsWith("@") && fields !== 5) {
    return void c.error(path, `must have 5 fields (minute hour day month weekday), got ${fields}`);
  }
  try {
    const job = new Cron(expr, { paused: true, ...(timezone ? { timezone } : {}) });
    const next = job.nextRun();
    job.stop();
    if (next === null) return void c.error(path, "never matches a date (e.g. 30 February)");
  } catch (err) {
    const message = String((err as Error)?.message ?? err).split("\n")[0];
    return void c.error(path, message.length > 160 ? `${message.slice(0, 157)}...` : message);
  }
  return expr;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An instant: ISO-8601 with an explicit zone (`2026-12-24T08:00:00Z`, `…+01:00`) or ms since
 * the epoch. Components are range-checked (Date.parse would roll 30 February into March).
 */
function parseInstant(v: unknown, path: string, c: Checker): number | undefined {
  const hint = "must be an ISO-8601 time with a zone (e.g. 2026-12-24T08:00:00Z) or epoch ms";
  if (v == null) return void c.error(path, "is required");
  if (typeof v === "number") {
    // Below 1e11 ms is 1973: surely seconds, not milliseconds.
    if (Number.isInteger(v) && v >= 1e11 && v <= 8.64e15) return v;
    return void c.error(path, `${hint}, got ${v}`);
  }
  if (typeof v !== "string" || v.length > 64) {
    return void c.error(path, `${hint}, got ${describe(v)}`);
  }
  const p = ISO.exec(v.trim());
  if (!p) return void c.error(path, `${hint}, got ${describe(v)}`);
  if (!p[8]) return void c.error(path, `needs a time zone (Z or +01:00), got ${describe(v)}`);
  const [y, mo, d, h, mi, s = 0] = p.slice(1, 7).map((x) => Number(x ?? 0));
  const zone = p[8].toUpperCase() === "Z" ? "+00:00" : p[8];
  const oh = Number(zone.slice(1, 3));
  const om = Number(zone.replace(":", "").slice(3) || 0);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) {
    return void c.error(path, `is not a valid date and time, got ${describe(v)}`);
  }
  const offset = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  const ms = Math.floor(Number(p[7] ?? 0) * 1000);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset;
}
