/** Media-check cadence (pure): when each check is due, how late it started, when a stream is overdue. */

import type { MediaVerdict } from "../status/mod.ts";

/** Bucket upper bounds of `streampulse_media_check_lateness_seconds`, in seconds. */
export const LATENESS_BUCKETS: readonly number[] = [0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** The least grace a check gets before its stream counts as overdue. */
export const MIN_GRACE_MS = 10_000;

/**
 * One stream's media-check schedule, all times in ms since the epoch. Only {@link newCadence},
 * {@link startCheck} and {@link endCheck} make one; read it with {@link overdueAt}.
 */
export interface Cadence {
  /** `media_check_seconds` in ms. */
  everyMs: number;
  /** How late a check may be before the stream counts as overdue (see {@link graceOf}). */
  graceMs: number;
  /** When the stream's loop began (start, added or changed in the config). */
  addedAt: number;
  /** When the next check that has not started yet is due. */
  due: number;
  /** The due time of the check running now; undefined while none runs. */
  running?: number;
  /** When the last check ended, whatever its outcome; undefined before the first. */
  endedAt?: number;
}

/** The grace of a cadence: a quarter of it, at least `minGraceMs` (a check takes seconds). */
export function graceOf(everyMs: number, minGraceMs = MIN_GRACE_MS): number {
  return Math.max(minGraceMs, everyMs / 4);
}

/** A new schedule: the first check is due `offsetMs` after `addedAt` (phase spreading). */
export function newCadence(
  o: { everyMs: number; addedAt: number; offsetMs?: number; minGraceMs?: number },
): Cadence {
  return {
    everyMs: o.everyMs,
    graceMs: graceOf(o.everyMs, o.minGraceMs),
    addedAt: o.addedAt,
    due: o.addedAt + (o.offsetMs ?? 0),
  };
}

/**
 * A check starts at `now`. Its lateness is `now − due` (ms), or null for a check started before
 * it was due (woken early, e.g. when the stream came back up: it was not late, and not due).
 * The next check is due one cadence after this start: checks of a stream never overlap, so a
 * check that runs longer than a cadence makes the next one start late by the overrun, and slots
 * missed meanwhile are not made up in a burst.
 */
export function startCheck(
  c: Cadence,
  now: number,
): { cadence: Cadence; latenessMs: number | null } {
  const late = now - c.due;
  return {
    cadence: { ...c, running: Math.min(c.due, now), due: now + c.everyMs },
    latenessMs: late >= 0 ? late : null,
  };
}

/**
 * The running check ended at `now` — with a verdict, skipped because the handshake has the
 * stream down, discarded or failed: either way the loop got through it and moves on.
 */
export function endCheck(c: Cadence, now: number): Cadence {
  return { ...c, running: undefined, endedAt: now };
}

/**
 * From when the stream is overdue (ms since the epoch): one cadence + grace after the due time
 * of the oldest check that has not ended yet — the running one, else the next. Before its first
 * check ended, one cadence + grace after the stream was added (its first check is due within
 * the first cadence). So a stream is overdue when its next check is more than one cadence +
 * grace late, when a check is stuck that long (waiting for a process or decode slot counts),
 * or when no check of it ended within one cadence + grace of it being added.
 */
export function overdueAt(c: Cadence): number {
  const ref = c.endedAt === undefined ? c.addedAt : c.running ?? c.due;
  return ref + c.everyMs + c.graceMs;
}

/** True when the stream is overdue at `now` (strictly after {@link overdueAt}). */
export function isOverdue(c: Cadence, now: number): boolean {
  return now > overdueAt(c);
}

/**
 * True when a verdict is a good picture judgement: state up and a picture judged from at least
 * one frame without error. An unknown picture ("picture not verified": no frame decoded, the
 * sample failed) is never one, whatever the state says.
 */
export function pictureVerified(v: MediaVerdict): boolean {
  if (v.state !== "up") return false;
  const p = v.details.picture;
  if (typeof p !== "object" || p === null) return false;
  const pic = p as Record<string, unknown>;
  return typeof pic.frames === "number" && pic.frames > 0 && pic.error === undefined &&
    pic.verified !== false;
}
