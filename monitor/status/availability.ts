/**
 * The one availability source: per stream and trailing window, time-weighted from the store's
 * incidents (see sla.ts availability()), cached. The status API's `uptime_24h`, the dashboard's
 * 24 h / 7 d / 30 d, `/api/sla` and `/metrics` all read it.
 */

import { drive } from "../async.ts";
import { Semaphore } from "../semaphore.ts";
import type { Awaitable } from "../store/mod.ts";
import { availability, type SlaFigures, type StatePeriod } from "./sla.ts";

/** What the availability source reads (a slice of monitor/store/'s Store). */
export interface AvailabilityStore {
  /** Incidents overlapping [from, to], newest first, at most `limit` (the store allows 10,000). */
  incidents(
    name: string,
    q: { from: number; to: number; limit: number },
  ): Awaitable<Array<StatePeriod & { id: number }>>;
  /**
   * When the stream's history begins: its first check (to the hour once raw checks are pruned),
   * undefined when it was never checked. Time before it is 'unknown' and left out.
   */
  firstCheckAt(name: string): Awaitable<number | undefined>;
  /**
   * Checks of a stream in [from, to], newest first (the first passed check, a disabled stream's
   * last check). Optional: without it both count as before (up from the first check, observed
   * until now).
   */
  history?(
    name: string,
    q: { from?: number; to?: number; limit?: number },
  ): Awaitable<ReadonlyArray<{ ts: number; ok: boolean }>>;
}

/** A configured stream as far as availability needs it. */
export interface AvailabilityStream {
  name: string;
  enabled: boolean;
  /** Seconds between checks: a disabled stream's last check speaks for one more interval. */
  intervalSeconds?: number;
}

/** Dependencies of {@link createAvailability}. */
export interface AvailabilityDeps {
  store: AvailabilityStore;
  /** The configured streams. */
  streams: () => ReadonlyArray<AvailabilityStream>;
  /** Maintenance windows of a stream within [from, to] (absent: none): reported apart. */
  maintenance?: (name: string, from: number, to: number) => [number, number][];
  now?: () => number;
  /** How long one stream's figures for one window are reused (default 30 s). */
  cacheMs?: number;
  /** Streams read at once from a store that answers later (default 4). */
  concurrency?: number;
}

/** Availability of configured streams over trailing windows, cached per stream and window. */
export interface AvailabilitySource {
  /**
   * The figures of `name` over the last `windowMs` up to now (at most `cacheMs` old), or
   * undefined for a name that is not configured. A store that answers later (PostgreSQL) is read
   * in the background: until its first answer this is undefined (unknown, never a guess), then
   * the last figures while the next read runs.
   */
  of(name: string, windowMs: number): SlaFigures | undefined;
  /** The same figures, waiting for the store when they are not cached (for one-off reports). */
  load(name: string, windowMs: number): Promise<SlaFigures | undefined>;
  /** "Reachable": `of(name, windowMs).ratio` (0–1), null without data or for an unknown name. */
  ratio(name: string, windowMs: number): number | null;
  /** "Picture OK": `of(name, windowMs).pictureOkRatio`, null without data. */
  pictureOk(name: string, windowMs: number): number | null;
}

const PAGE = 10_000;
/** Checks read to find the first passed one before the first period (see firstUpOf). */
const LEAD_CHECKS = 20;
/** Distinct windows kept (24 h, 7 d, 30 d, the /api/sla days asked for). */
const MAX_WINDOWS = 16;

/** Every incident of `name` overlapping the window, paging past the store's row limit. */
export function* allIncidents(
  store: Pick<AvailabilityStore, "incidents">,
  name: string,
  from: number,
  to: number,
): Generator<unknown, StatePeriod[], unknown> {
  const seen = new Map<number, StatePeriod>();
  let upper = to;
  while (true) {
    const page = (yield store.incidents(name, { from, to: upper, limit: PAGE })) as Array<
      StatePeriod & { id: number }
    >;
    const before = seen.size;
    for (const i of page) seen.set(i.id, i);
    // A full page may hide older rows: continue from its oldest start (ids dedupe the overlap).
    if (page.length < PAGE || seen.size === before) break;
    upper = page[page.length - 1].start;
  }
  return [...seen.values()];
}

/**
 * Creates the source. Rules beyond sla.ts availability():
 * - A stream first checked inside the window: its checks between the first check and its first
 *   period (at most 20, one indexed read, remembered) tell whether it was up before it; a stream
 *   never up is 0, not "up until the first incident". Checks pruned: counted as up, as before.
 * - A disabled stream (StreamPulse keeps no log of config changes, so this is the rule): its
 *   observed time ends one check interval after its last check, since nothing checks it after
 *   that; its last state never counts on. A stream disabled and enabled again inside the window
 *   counts the paused time in the state it was left in.
 * Each (stream, window) is read from the store at most once per `cacheMs`.
 */
export function createAvailability(deps: AvailabilityDeps): AvailabilitySource {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 30_000;
  type Cached = { at: number; figures: SlaFigures };
  const windows = new Map<number, Map<string, Cached>>();
  const firstUps = new Map<string, { key: string; value: number | null | undefined }>();
  let index: { list: ReadonlyArray<AvailabilityStream>; byName: Map<string, AvailabilityStream> };

  const find = (name: string) => {
    const list = deps.streams();
    if (index?.list !== list) {
      index = { list, byName: new Map(list.map((s) => [s.name, s])) };
      for (const w of windows.values()) {
        for (const n of w.keys()) if (!index.byName.has(n)) w.delete(n);
      }
      for (const n of firstUps.keys()) if (!index.byName.has(n)) firstUps.delete(n);
    }
    return index.byName.get(name);
  };

  /** The first passed check before the first period (see AvailabilityInput.firstUp). */
  const firstUpOf = function* (
    name: string,
    firstCheck: number,
    periods: StatePeriod[],
    to: number,
  ): Generator<unknown, number | null | undefined, unknown> {
    if (!deps.store.history) return undefined;
    const first = periods.reduce((a, p) => Math.min(a, p.start), Infinity);
    const end = Math.min(first, to);
    if (end <= firstCheck) return undefined; // no time before the first period
    const key = `${firstCheck}|${first}`;
    const known = firstUps.get(name);
    if (known?.key === key) return known.value;
    const rows = (yield deps.store.history(name, {
      from: firstCheck,
      to: end - 1,
      limit: LEAD_CHECKS,
    })) as ReadonlyArray<{ ts: number; ok: boolean }>;
    let value: number | null | undefined;
    if (rows.length === 0 || rows.length >= LEAD_CHECKS) value = undefined; // pruned, or long
    else {
      const oks = rows.filter((r) => r.ok).map((r) => r.ts);
      value = oks.length > 0 ? Math.min(...oks) : null;
    }
    // Final unless no period bounds the gap yet and no check passed: the next may pass.
    if (first !== Infinity || value !== null) firstUps.set(name, { key, value });
    return value;
  };

  const build = function* (
    s: AvailabilityStream,
    from: number,
    to: number,
  ): Generator<unknown, SlaFigures, unknown> {
    const firstCheck = (yield deps.store.firstCheckAt(s.name)) as number | undefined;
    const periods = firstCheck === undefined
      ? []
      : yield* allIncidents(deps.store, s.name, from, to);
    let observedUntil: number | undefined;
    if (!s.enabled && firstCheck !== undefined && deps.store.history) {
      const rows = (yield deps.store.history(s.name, { to, limit: 1 })) as ReadonlyArray<
        { ts: number; ok: boolean }
      >;
      const last = rows[0];
      if (last) observedUntil = last.ts + (s.intervalSeconds ?? 0) * 1000;
    }
    const firstUp = firstCheck !== undefined && firstCheck >= from
      ? yield* firstUpOf(s.name, firstCheck, periods, to)
      : undefined;
    return availability({ from, to }, {
      firstCheck,
      periods,
      maintenance: deps.maintenance?.(s.name, from, to),
      firstUp,
      observedUntil,
    });
  };

  const windowOf = (windowMs: number) => {
    let w = windows.get(windowMs);
    if (!w) {
      w = new Map();
      windows.set(windowMs, w);
      // Maps keep insertion order: the first key is the oldest window asked for.
      if (windows.size > MAX_WINDOWS) windows.delete(windows.keys().next().value!);
    }
    return w;
  };
  /** Whether the store answered later (PostgreSQL): its reads then go through {@link later}. */
  let remote = false;
  const slots = new Semaphore(deps.concurrency ?? 4);
  const later = async <T>(run: () => T | Promise<T>): Promise<T> => {
    await slots.acquire();
    try {
      return await run();
    } finally {
      slots.release();
    }
  };
  /** Reads in flight for a store that answers later, by window and name: one at a time each. */
  const reading = new Map<string, Promise<SlaFigures | undefined>>();
  const keep = (w: Map<string, Cached>, name: string, at: number, figures: SlaFigures) => {
    // Nothing observed yet (not checked, or its first check still queued): not cached, so the
    // first checks show at once rather than up to `cacheMs` later; such a read is cheap.
    if (figures.observedMs > 0) w.set(name, { at, figures });
    else w.set(name, { at: -Infinity, figures });
    return figures;
  };

  /** Cached figures when fresh; else builds them (now, or a Promise for a store that answers later). */
  const get = (name: string, windowMs: number): Awaitable<SlaFigures | undefined> => {
    const s = find(name);
    if (!s) return undefined;
    const t = now();
    const w = windowOf(windowMs);
    const hit = w.get(name);
    if (hit && t - hit.at >= 0 && t - hit.at < cacheMs) return hit.figures;
    const key = `${windowMs}\0${name}`;
    const running = reading.get(key);
    if (running) return running;
    // A store that answered later once is read a few streams at a time: a dashboard of 5,000
    // streams must not put 15,000 queries at once on the pool its lease renewals also use.
    const built = remote
      ? later(() => drive(build(s, t - windowMs, t)))
      : drive(build(s, t - windowMs, t));
    if (!(built instanceof Promise)) return keep(w, name, t, built);
    remote = true;
    const p = built.then((f) => keep(w, name, t, f)).finally(() => reading.delete(key));
    reading.set(key, p);
    return p;
  };

  const of = (name: string, windowMs: number): SlaFigures | undefined => {
    const v = get(name, windowMs);
    if (!(v instanceof Promise)) return v;
    v.catch(() => {}); // the store failed: the last figures stand, the next call reads again
    return windows.get(windowMs)?.get(name)?.figures;
  };

  return {
    of,
    load: async (name, windowMs) => await get(name, windowMs),
    ratio: (name, windowMs) => of(name, windowMs)?.ratio ?? null,
    pictureOk: (name, windowMs) => of(name, windowMs)?.pictureOkRatio ?? null,
  };
}
