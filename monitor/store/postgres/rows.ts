/** Pure parts of the PostgreSQL writer: queued rows, cleaning (masking, NUL), rollups, streaks. */

import { type CheckRecord, STREAM_STATES, type StreamState } from "../../types.ts";
import { maskUrl } from "../../redact.ts";
import type { StateChange } from "../types.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const STATES = new Set<string>(STREAM_STATES);

/** A check as queued: text masked and NUL-free, details serialised; `id` once the name is known. */
export interface PgQueuedCheck {
  /** Stream name (resolved to `id` at flush when `id` is not known yet). */
  name: string;
  /** sp_stream.id, when known at record time. */
  id?: number;
  ts: number;
  ok: boolean;
  state: StreamState;
  lat: number | null;
  msg: string;
  det: string;
}

/** A state change as queued. */
export interface PgQueuedChange {
  name: string;
  id?: number;
  to: StreamState;
  ts: number;
  cause: string;
}

/** One rollup row (hour or day bucket) of one stream, summed over a batch. */
export interface PgRollup {
  stream_id: number;
  bucket: number;
  checks: number;
  ok: number;
  lat_min: number | null;
  lat_sum: number;
  lat_max: number | null;
  lat_count: number;
}

/**
 * Masks credentials in URLs (only when an "@" could mark user-info, as SQLite's queue does) and
 * strips NUL characters, which PostgreSQL refuses in TEXT and JSONB.
 */
export function cleanText(s: string): string {
  const t = s.includes("\0") ? s.replaceAll("\0", "") : s;
  return t.includes("@") ? maskUrl(t) : t;
}

const cleanValue = (_k: string, v: unknown): unknown => {
  if (typeof v === "string") return cleanText(v);
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.some((k) => k.includes("\0"))) {
      return Object.fromEntries(keys.map((k) => [k.replaceAll("\0", ""), (v as never)[k]]));
    }
  }
  return v;
};

/** Serialises details for JSONB: masked, NUL-free (the cleaning pass runs only when needed). */
export function cleanDetails(details: Record<string, unknown> | undefined): string {
  const det = JSON.stringify(details ?? {});
  return det.includes("@") || det.includes("\\u0000")
    ? JSON.stringify(details ?? {}, cleanValue)
    : det;
}

const validTs = (what: string, ts: number) => {
  if (!Number.isFinite(ts)) throw new RangeError(`Cannot ${what}: ts ${ts} is not a number`);
};
const validState = (what: string, state: string) => {
  if (!STATES.has(state)) throw new RangeError(`Cannot ${what}: state "${state}" is unknown`);
};

/** Validates and cleans a check (RangeError for a bad ts or state, TypeError from JSON). */
export function toQueuedCheck(name: string, check: CheckRecord, id?: number): PgQueuedCheck {
  const what = `record a check of "${name}"`;
  validTs(what, check.ts);
  validState(what, check.state);
  return {
    name,
    id,
    ts: Math.round(check.ts),
    ok: Boolean(check.ok),
    state: check.state,
    lat: Number.isFinite(check.latencyMs) ? check.latencyMs : null,
    msg: cleanText(String(check.message ?? "")),
    det: cleanDetails(check.details),
  };
}

/** Validates and cleans a state change; undefined for from === to (ignored). */
export function toQueuedChange(c: StateChange, id?: number): PgQueuedChange | undefined {
  const what = `record the state change of "${c.name}"`;
  validTs(what, c.ts);
  validState(what, c.from);
  validState(what, c.to);
  if (c.from === c.to) return undefined;
  return { name: c.name, id, to: c.to, ts: Math.round(c.ts), cause: cleanText(String(c.cause)) };
}

/**
 * Sums checks (their ids resolved) into hour and day buckets per stream. Latency statistics cover
 * passed checks only (a failed check's latency is often the timeout), as in SQLite's batch.
 */
export function rollupsOf(
  checks: readonly { id: number; ts: number; ok: boolean; lat: number | null }[],
): { hours: PgRollup[]; days: PgRollup[] } {
  const sum = (size: number) => {
    const out = new Map<string, PgRollup>();
    for (const c of checks) {
      const bucket = Math.floor(c.ts / size) * size;
      const key = `${c.id}:${bucket}`;
      let a = out.get(key);
      if (!a) {
        a = {
          stream_id: c.id,
          bucket,
          checks: 0,
          ok: 0,
          lat_min: null,
          lat_sum: 0,
          lat_max: null,
          lat_count: 0,
        };
        out.set(key, a);
      }
      a.checks++;
      if (c.ok) a.ok++;
      if (c.ok && c.lat !== null) {
        a.lat_min = a.lat_min === null ? c.lat : Math.min(a.lat_min, c.lat);
        a.lat_max = a.lat_max === null ? c.lat : Math.max(a.lat_max, c.lat);
        a.lat_sum += c.lat;
        a.lat_count++;
      }
    }
    return [...out.values()];
  };
  return { hours: sum(HOUR), days: sum(DAY) };
}

/**
 * Fail streak changes per stream over a batch, in order: `reset` when a passed check occurred
 * (the streak becomes `n`, the failures after the last pass), else the streak grows by `n`.
 */
export function streaksOf(
  checks: readonly { id: number; ok: boolean }[],
): { id: number; reset: boolean; n: number }[] {
  const out = new Map<number, { id: number; reset: boolean; n: number }>();
  for (const c of checks) {
    let s = out.get(c.id);
    if (!s) out.set(c.id, s = { id: c.id, reset: false, n: 0 });
    if (c.ok) {
      s.reset = true;
      s.n = 0;
    } else s.n++;
  }
  return [...out.values()];
}

/** One stream's current columns as a batch sets them (JSON for jsonb_to_recordset). */
export interface PgCurrent {
  id: number;
  /** Fail streak: null to keep it (no check inserted), else reset to n or grown by n. */
  reset: boolean | null;
  n: number;
  /** The batch's newest check of the stream (null: none in the batch). */
  last_ts: number | null;
  last_ok: boolean | null;
  last_state: StreamState | null;
  last_latency: number | null;
  last_message: string | null;
  last_details: string | null;
  /** The stream's last state change in the batch (null: none). */
  state: StreamState | null;
  since: number | null;
}

/**
 * The current columns of every stream a batch touched: the streak from the checks `inserted`
 * (those the database did not hold yet), the newest of all its checks, its last state change.
 */
export function currentOf(
  checks: readonly (PgQueuedCheck & { id: number })[],
  inserted: readonly (PgQueuedCheck & { id: number })[],
  changes: readonly (PgQueuedChange & { id: number })[],
): PgCurrent[] {
  const out = new Map<number, PgCurrent>();
  const row = (id: number) => {
    let r = out.get(id);
    if (!r) {
      out.set(
        id,
        r = {
          id,
          reset: null,
          n: 0,
          last_ts: null,
          last_ok: null,
          last_state: null,
          last_latency: null,
          last_message: null,
          last_details: null,
          state: null,
          since: null,
        },
      );
    }
    return r;
  };
  for (const c of checks) {
    const r = row(c.id);
    if (r.last_ts === null || c.ts >= r.last_ts) {
      Object.assign(r, {
        last_ts: c.ts,
        last_ok: c.ok,
        last_state: c.state,
        last_latency: c.lat,
        last_message: c.msg,
        last_details: c.det,
      });
    }
  }
  for (const s of streaksOf(inserted)) Object.assign(row(s.id), { reset: s.reset, n: s.n });
  for (const c of changes) Object.assign(row(c.id), { state: c.to, since: c.ts });
  return [...out.values()];
}
