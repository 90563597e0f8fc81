/** The engine: runs a stream's probe with a hard timeout, applies the state machine, stores, emits. */

import type { Bus } from "./bus.ts";
import { createOwnership, type FreshState, type RemoteStatus } from "./fleet/mod.ts";
import type { Logger } from "./log.ts";
import { clipText, redactText, urlSecrets } from "./redact.ts";
import { createScheduler, type Scheduler, type SchedulerStats } from "./scheduler.ts";
import { combineMedia, type MediaVerdict, nextState } from "./status/mod.ts";
import type {
  CheckRecord,
  Probe,
  ProbeResult,
  StreamConfig,
  StreamState,
  StreamStatus,
} from "./types.ts";

/** Abort reasons made once (creating an error per check shows up in profiles). */
const TIMED_OUT = new DOMException("check timed out", "TimeoutError");
const FINISHED = new DOMException("check finished", "AbortError");

/** Longest time the confirming re-check of a first failure may take. */
export const CONFIRM_TIMEOUT_MS = 1500;

/** A stream's state as the store kept it (a slice of monitor/store/'s StoredState). */
export interface RestoredState {
  state: StreamState;
  since: number;
  last?: CheckRecord;
  failStreak?: number;
}

/** What the engine needs from the store (a slice of monitor/store/'s Store). */
export interface MonitorStore {
  /** Registers a stream; with `id`, a stream renamed by id keeps its row (see Store). */
  ensureStream(name: string, kind: string, id?: string): void;
  recordCheck(name: string, record: CheckRecord): void;
  recordStateChange(
    change: { name: string; from: StreamState; to: StreamState; ts: number; cause: string },
  ): void;
  /**
   * Every stored stream's state. Read at creation only when `restored` is not given, and again
   * after a rename by id; a Promise (PostgreSQL) is applied when it arrives.
   */
  lastStates(): Map<string, RestoredState> | Promise<Map<string, RestoredState>>;
}

export type { FreshState, RemoteStatus };

/** Counters of the engine: the scheduler's plus results dropped by fencing. */
export interface MonitorStats extends SchedulerStats {
  /**
   * Checks not started, and results dropped unrecorded, because this node may not act
   * (`mayAct` false) or no longer owns the stream.
   */
  fenced: number;
}

/** Dependencies of {@link createMonitor}. */
export interface MonitorDeps {
  store: MonitorStore;
  bus: Bus;
  logger: Logger;
  /** The probe registry's choice for a stream. */
  selectProbe: (stream: StreamConfig) => Probe;
  /** Global cap on concurrent checks. */
  maxConcurrent: number;
  /** Delay of the confirmation re-check (default 200 ms). */
  recheckDelayMs?: number;
  now?: () => number;
  /**
   * The stored states to resume from (main.ts passes `await store.lastStates()`). Absent: read
   * from `store.lastStates()` at creation (a Promise fills them in when it arrives).
   */
  restored?: Map<string, RestoredState>;
  /** The streams this node checks at first, by name; null (the default): every stream. */
  owned?: ReadonlySet<string> | null;
  /**
   * Fencing: asked before a check starts and again before its result is recorded or emitted;
   * false drops it silently (counted in `stats().fenced`). Default: always true.
   */
  mayAct?: () => boolean;
  /** This node's fleet name: what `owner()` answers for a stream checked here. */
  node?: string;
}

/** The engine's public face: live statuses, config application and the task to run. */
export interface Monitor {
  /** Applies the stream list (added, removed and changed streams only). */
  applyStreams(streams: StreamConfig[]): void;
  /** Every configured stream (enabled or not), in config order. */
  streams(): StreamConfig[];
  /** The live status of a configured stream. */
  status(name: string): StreamStatus | undefined;
  /** Live statuses of every configured stream, in config order. */
  statuses(): StreamStatus[];
  /**
   * Folds a media check's verdict (picture present, frozen, black, drifted…) into the stream's
   * state at once, and into every later handshake check until the next verdict. An unverified
   * verdict (`verified: false`) changes no state: the previous verdict's effect holds, and only
   * its details (`details.media`, "picture not verified: …") are recorded. Ignored for streams
   * no longer configured.
   */
  applyMedia(name: string, verdict: MediaVerdict): void;
  /** Runs one check now without touching state or history (for "Test now" and the CLI). */
  probeOnce(stream: StreamConfig, signal?: AbortSignal): Promise<ProbeResult>;
  /**
   * Sets the streams this node checks (by name; null: every stream). A stream that becomes
   * owned continues from its `fresh` state (read from the shared store just before, so the
   * previous owner's state goes on: no repeated state change, no repeated alert) and is checked
   * at once; one that stops being owned stops, and a check of it in flight is dropped.
   */
  setOwned(owned: ReadonlySet<string> | null, fresh?: Map<string, FreshState>): void;
  /** Whether this node checks the stream (every stream when ownership is not set). */
  owns(name: string): boolean;
  /**
   * The node whose checks the stream's status shows: `node` (or undefined without one) when
   * owned here, else the node last observed, or undefined before any.
   */
  owner(name: string): string | undefined;
  /**
   * Mirror input: another node's current state of a configured stream this node does not own.
   * Updates the live status and emits `result` (a newer check) and `state-change` (another
   * state) with `origin: node`; never records anything. Ignored for owned or unknown streams
   * and for a view older than the one shown (see mergeRemote).
   */
  observe(name: string, status: RemoteStatus, node: string): void;
  /** Scheduler counters and the fenced count. */
  stats(): MonitorStats;
  /** The supervised task: runs the scheduler until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

/** Creates the engine. Nothing runs until `run()`. */
export function createMonitor(deps: MonitorDeps): Monitor {
  const now = deps.now ?? Date.now;
  const { store, bus, logger } = deps;
  /** Streams created without a stored state while one is being read: filled in when it comes. */
  const placeholders = new Set<string>();
  const initial = deps.restored ?? store.lastStates();
  const restored = initial instanceof Map ? initial : new Map<string, RestoredState>();
  let configured: StreamConfig[] = [];
  const statuses = new Map<string, StreamStatus>();
  const memory = new Map<string, Record<string, unknown>>();
  /** The last verified media verdict: the one folded into every check's state. */
  const verdicts = new Map<string, MediaVerdict>();
  /** The latest media verdict, verified or not: whose details the records show. */
  const shown = new Map<string, MediaVerdict>();
  /** The last handshake's own result: a media verdict folded into a record does not change it. */
  const reachable = new Map<string, boolean>();
  const secrets = new Map<string, string[]>();
  /** The stream's URL secrets, parsed once per URL rather than once per check. */
  const secretsOf = (s: StreamConfig) => {
    let v = secrets.get(s.url);
    if (!v) secrets.set(s.url, v = urlSecrets(s.url));
    return v;
  };
  const fleet = createOwnership({
    bus,
    owned: deps.owned,
    mayAct: deps.mayAct,
    node: deps.node,
    status: (name) => statuses.get(name),
    onMoved: (name) => {
      verdicts.delete(name);
      shown.delete(name);
      reachable.delete(name);
    },
  });
  /** Gives placeholder statuses the stored states that arrived (silently: it is a restore). */
  const fillPlaceholders = () => {
    for (const name of placeholders) {
      const r = restored.get(name);
      const st = statuses.get(name);
      // Untouched since it was created: no check of its own, no other node's view yet.
      if (r && st && st.last === undefined && st.state === "unknown") {
        Object.assign(st, { state: r.state, since: r.since, last: r.last });
        st.failStreak = r.failStreak ?? 0;
      }
    }
    placeholders.clear();
  };
  /** Applies stored states that come as a Promise (PostgreSQL without `restored`). */
  const later = (pending: Promise<Map<string, RestoredState>>) =>
    pending.then((stored) => {
      refreshRestored(restored, stored);
      fillPlaceholders();
    }, (err) => logger.error(`reading the stored stream states failed: ${String(err)}`));
  if (!(initial instanceof Map)) void later(initial);
  const runProbe = async (
    stream: StreamConfig,
    probe: Probe,
    outer: AbortSignal | undefined,
    mem: Record<string, unknown>,
    timeoutMs = stream.timeoutSeconds * 1000,
  ): Promise<ProbeResult> => {
    const ctrl = new AbortController();
    const onOuter = () => ctrl.abort(outer?.reason);
    outer?.addEventListener("abort", onOuter, { once: true });
    if (outer?.aborted) onOuter();
    const start = performance.now();
    // One timer per check: at the deadline it aborts the probe; a probe that ignores its signal
    // still cannot hold the loop, because 1 s later the check ends as a timeout regardless.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hard = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(() => {
        ctrl.abort(TIMED_OUT);
        timer = setTimeout(() =>
          resolve({
            ok: false,
            latencyMs: Math.round(performance.now() - start),
            message: "timeout",
            details: { hardTimeout: true },
          }), 1000);
      }, timeoutMs);
    });
    try {
      return await Promise.race([
        probe.check(stream, { signal: ctrl.signal, timeoutMs, memory: mem, now }),
        hard,
      ]);
    } catch (err) {
      // Exception text can quote what a camera sent: cut it before it is masked, logged or stored.
      const msg = clipText(err instanceof Error ? err.message : String(err), 300);
      logger.warn(`probe ${probe.kind} threw for "${stream.name}": ${clipText(String(err), 300)}`);
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - start),
        message: `probe error: ${msg}`,
        details: {},
      };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuter);
      ctrl.abort(FINISHED); // a premade reason: abort() without one builds a DOMException + stack
    }
  };

  /**
   * Stores one result, applies the state machine (with the last verified media verdict folded
   * in, or `fromMedia` when a media check brought this result) and tells the bus. An unverified
   * `fromMedia` holds the state (combineMedia). Returns whether a quick re-check should confirm
   * a first failure.
   */
  const apply = (
    stream: StreamConfig,
    current: StreamStatus,
    res: ProbeResult,
    fromMedia?: MediaVerdict,
  ) => {
    const held = verdicts.get(stream.name);
    const outcome = combineMedia(res.ok, fromMedia ?? held, fromMedia !== undefined);
    const ts = now();
    const t = nextState(current, outcome);
    const overridden = res.ok && held && held.state !== "up";
    const message = redactText(overridden ? held.message : res.message, secretsOf(stream));
    const latest = shown.get(stream.name);
    const details = latest
      ? { ...res.details, media: { ...latest.details, durationMs: latest.latencyMs } }
      : res.details;
    const record: CheckRecord = {
      ts,
      ok: outcome.ok,
      state: t.state,
      latencyMs: res.latencyMs,
      message,
      details,
    };
    store.recordCheck(stream.name, record);
    placeholders.delete(stream.name);
    const from = current.state;
    current.failStreak = t.failStreak;
    current.last = record;
    if (t.changed) {
      current.state = t.state;
      current.since = ts;
      store.recordStateChange({ name: stream.name, from, to: t.state, ts, cause: message });
      logger.info(`stream "${stream.name}" ${from} -> ${t.state}: ${message}`);
      bus.emit("state-change", {
        name: stream.name,
        from,
        to: t.state,
        ts,
        cause: message,
        status: current,
      });
    }
    bus.emit("result", { name: stream.name, record, status: current });
    return t.recheck;
  };

  const check = async (
    stream: StreamConfig,
    signal: AbortSignal,
    { confirming }: { confirming: boolean },
  ) => {
    if (!fleet.mayApply(stream.name)) return { recheck: false };
    const probe = deps.selectProbe(stream);
    let mem = memory.get(stream.name);
    if (!mem) memory.set(stream.name, mem = {});
    // The confirming re-check is quick by design, so a dead stream shows as down within
    // heartbeat + timeout + 2 s: it starts 200 ms after the failure and gets at most 1.5 s.
    const timeoutMs = stream.timeoutSeconds * 1000;
    const res = await runProbe(
      stream,
      probe,
      signal,
      mem,
      confirming ? Math.min(timeoutMs, CONFIRM_TIMEOUT_MS) : timeoutMs,
    );
    const current = statuses.get(stream.name);
    if (signal.aborted || !current) return { recheck: false }; // removed or stopping: discard
    // Paused past the lease's cut-off, or the stream moved to another node meanwhile: drop it.
    if (!fleet.mayApply(stream.name)) return { recheck: false };
    current.kind = probe.kind;
    reachable.set(stream.name, res.ok);
    return { recheck: apply(stream, current, res) };
  };

  const scheduler: Scheduler = createScheduler({
    runCheck: check,
    maxConcurrent: deps.maxConcurrent,
    recheckDelayMs: deps.recheckDelayMs,
    now,
    onError: (s, err) => logger.error(`check of "${s.name}" failed unexpectedly: ${String(err)}`),
  });

  return {
    applyStreams(streams) {
      const renames = streamRenames(configured, streams);
      const before = new Map(configured.map((s) => [s.name, s]));
      moveKeys(renames, before, statuses, memory, verdicts, shown, reachable);
      fleet.rename(renames);
      for (const [from, to] of renames) {
        statuses.get(to)!.name = to;
        if (placeholders.delete(from)) placeholders.add(to);
      }
      configured = streams;
      secrets.clear();
      const names = new Set(streams.map((s) => s.name));
      for (const [name, st] of statuses) {
        if (!names.has(name)) {
          restored.set(name, { ...st }); // added back later, it resumes from here, not from startup
          statuses.delete(name);
          memory.delete(name);
          verdicts.delete(name);
          shown.delete(name);
          reachable.delete(name);
          fleet.forget(name);
          placeholders.delete(name);
        }
      }
      const kinds = new Map(streams.map((s) => [s.name, deps.selectProbe(s).kind]));
      // Renamed rows first, so a new stream taking a freed name never lands on the renamed row.
      for (const [, to, id] of renames) store.ensureStream(to, kinds.get(to)!, id);
      const moved = new Set(renames.map(([, to]) => to));
      let missing = false;
      for (const s of streams) {
        const kind = kinds.get(s.name)!;
        const prev = before.get(s.name);
        // A rename alone keeps what the probe learnt (the name is no part of what it checks).
        if (prev && JSON.stringify({ ...prev, name: s.name }) !== JSON.stringify(s)) {
          memory.delete(s.name);
          verdicts.delete(s.name);
          shown.delete(s.name);
          reachable.delete(s.name);
        }
        const st = statuses.get(s.name);
        if (st) st.kind = kind;
        // The store is told of new streams, and of an id that is new or moved to this name.
        if (!moved.has(s.name) && (!st || (s.id !== undefined && prev?.id !== s.id))) {
          store.ensureStream(s.name, kind, s.id);
        }
        if (!st && s.id !== undefined && !restored.has(s.name)) missing = true;
      }
      // A row renamed by id (a rename made while stopped, or of a stream removed earlier) is
      // restored under its new name: read the states again once, not once per stream.
      const stored = missing ? store.lastStates() : undefined;
      if (stored instanceof Map) refreshRestored(restored, stored);
      for (const s of streams) {
        if (statuses.has(s.name)) continue;
        const r = restored.get(s.name);
        if (!r) placeholders.add(s.name);
        statuses.set(s.name, {
          name: s.name,
          kind: kinds.get(s.name)!,
          state: r?.state ?? "unknown",
          since: r?.since ?? now(),
          last: r?.last,
          failStreak: r?.failStreak ?? 0,
        });
      }
      if (stored instanceof Promise) void later(stored);
      scheduler.reconcile(fleet.runnable(streams));
      for (const [from, to, id] of renames) {
        logger.info(`stream "${from}" renamed to "${to}" (id "${id}")`);
        bus.emit("stream-renamed", { id, from, to, status: statuses.get(to)! });
      }
    },
    applyMedia(name, verdict) {
      const stream = configured.find((s) => s.name === name);
      const current = statuses.get(name);
      // Another node's stream is its business (not fenced: nothing was this node's to apply).
      if (!stream || !current || !fleet.owns(name) || !fleet.mayApply(name)) return;
      const verified = verdict.verified !== false;
      if (verified) verdicts.set(name, verdict);
      shown.set(name, verdict);
      const handshakeOk = reachable.get(name) ?? current.last?.ok ?? true;
      apply(stream, current, {
        ok: handshakeOk || (verified && verdict.state === "up"),
        // Latency stays the handshake's: a media check's seconds of sampling would distort the
        // latency history, charts and rollups (its duration goes into details.media).
        latencyMs: current.last?.latencyMs ?? NaN,
        message: verdict.message,
        details: current.last?.details ?? {},
      }, verdict);
    },
    streams: () => configured,
    status: (name) => statuses.get(name),
    statuses: () => configured.map((s) => statuses.get(s.name)!).filter(Boolean),
    probeOnce: (stream, signal) => runProbe(stream, deps.selectProbe(stream), signal, {}),
    setOwned(next, fresh) {
      fleet.set(next, configured.map((s) => s.name), fresh);
      scheduler.reconcile(fleet.runnable(configured));
    },
    owns: (name) => fleet.owns(name),
    owner: (name) => fleet.owner(name),
    observe: (name, remote, node) => fleet.observe(name, remote, node),
    stats: () => ({ ...scheduler.stats(), fenced: fleet.fenced() }),
    run: (signal) => scheduler.run(signal),
  };
}

/**
 * The streams `after` renames (pure): those whose `id` belonged to a stream of `before` with
 * another name, as [from, to, id], in the order of `after`.
 */
export function streamRenames(
  before: readonly StreamConfig[],
  after: readonly StreamConfig[],
): [string, string, string][] {
  const byId = new Map(before.filter((s) => s.id !== undefined).map((s) => [s.id!, s.name]));
  const out: [string, string, string][] = [];
  for (const s of after) {
    const from = s.id === undefined ? undefined : byId.get(s.id);
    if (from !== undefined && from !== s.name) out.push([from, s.name, s.id!]);
  }
  return out;
}

/** Moves each map's entry from `from` to `to`, all at once (so two streams can swap names). */
function moveKeys(renames: readonly [string, string, string][], ...maps: Map<string, unknown>[]) {
  for (const m of maps) {
    const taken = renames.map(([from]) => [m.get(from), m.delete(from)] as const);
    renames.forEach(([, to], i) => {
      const v = taken[i][0];
      if (v !== undefined) m.set(to, v);
    });
  }
}

/** Brings the restored states in line with the store's (rows it renamed carry their new names). */
function refreshRestored<V>(restored: Map<string, V>, stored: Map<string, V>) {
  for (const name of [...restored.keys()]) if (!stored.has(name)) restored.delete(name);
  for (const [name, v] of stored) if (!restored.has(name)) restored.set(name, v);
}
