/** The engine's share of the fleet: which streams this node checks, fencing, the mirror's input. */

import type { Bus } from "../bus.ts";
import type { CheckRecord, StreamState, StreamStatus } from "../types.ts";
import { mergeRemote, type RemoteStatus } from "./remote.ts";

/** A stored state for a stream this node takes over, and the node that wrote it. */
export interface FreshState {
  state: StreamState;
  since: number;
  last?: CheckRecord;
  failStreak?: number;
  /** The node that wrote it (the previous owner), when known. */
  node?: string;
}

/** What {@link createOwnership} needs. */
export interface OwnershipDeps {
  /** Where mirrored results and state changes go, with `origin`. */
  bus: Bus;
  /** The streams owned at first, by name; null (the default): every stream. */
  owned?: ReadonlySet<string> | null;
  /** Fencing (the lease); default always true. */
  mayAct?: () => boolean;
  /** This node's fleet name, for {@link Ownership.owner}. */
  node?: string;
  /** The live status of a configured stream (the engine's, updated in place). */
  status(name: string): StreamStatus | undefined;
  /**
   * Hears each stream that became owned or stopped being owned: what the engine learnt of it
   * while it owned it last (media verdicts) is stale now.
   */
  onMoved(name: string): void;
}

/** See {@link createOwnership}. */
export interface Ownership {
  /** Whether this node checks the stream. */
  owns(name: string): boolean;
  /** Whether a check may start or a result be applied now; counts a refusal as fenced. */
  mayApply(name: string): boolean;
  /** Checks refused and results dropped so far. */
  fenced(): number;
  /** This node's name for an owned stream, else the node last observed (undefined before any). */
  owner(name: string): string | undefined;
  /** Folds another node's view of a stream not owned here into its status; emits with origin. */
  observe(name: string, remote: RemoteStatus, node: string): void;
  /**
   * Sets the owned names; `names` are the configured streams. A stream that becomes owned
   * takes its `fresh` state (events with the previous owner as origin, when it differs).
   */
  set(
    next: ReadonlySet<string> | null,
    names: readonly string[],
    fresh?: Map<string, FreshState>,
  ): void;
  /** Carries ownership and origins over renames ([from, to] pairs, applied at once). */
  rename(renames: readonly (readonly [string, string, ...unknown[]])[]): void;
  /** Forgets a stream removed from the config. */
  forget(name: string): void;
  /** The owned ones of `streams`, in their order. */
  runnable<T extends { name: string }>(streams: readonly T[]): T[];
}

/**
 * Creates the engine's ownership state. Null ownership (a single node) owns every stream. A
 * result is applied only while `mayAct()` holds and the stream is still owned: a node paused
 * past its lease, or one whose stream moved meanwhile, drops what it found (counted as fenced).
 * Mirrored views never step a status back (mergeRemote) and are never recorded here: the bus
 * events carry `origin`, so alerts and MQTT, which act only on events without one, stay with
 * the owner.
 */
export function createOwnership(deps: OwnershipDeps): Ownership {
  const mayAct = deps.mayAct ?? (() => true);
  let owned: ReadonlySet<string> | null = deps.owned ?? null;
  let fenced = 0;
  /** Streams shown with another node's data: the node it came from. */
  const origins = new Map<string, string>();
  const owns = (name: string) => owned === null || owned.has(name);

  const fold = (current: StreamStatus, remote: RemoteStatus, origin: string) => {
    const m = mergeRemote(current, remote);
    if (m.stale) return;
    const { name } = current;
    if (m.changed) {
      const cause = current.last?.message ?? "";
      const ev = { name, from: m.from, to: current.state, ts: current.since, cause };
      deps.bus.emit("state-change", { ...ev, status: current, origin });
    }
    if (m.newer) deps.bus.emit("result", { name, record: current.last!, status: current, origin });
  };

  return {
    owns,
    mayApply(name) {
      if (owns(name) && mayAct()) return true;
      fenced++;
      return false;
    },
    fenced: () => fenced,
    owner: (name) => owns(name) ? deps.node : origins.get(name),
    observe(name, remote, node) {
      const current = deps.status(name);
      if (!current || owns(name)) return;
      origins.set(name, node);
      fold(current, remote, node);
    },
    set(next, names, fresh) {
      const before = owned;
      owned = next === null ? null : new Set(next);
      for (const name of names) {
        const is = owns(name);
        if ((before === null || before.has(name)) === is) continue;
        deps.onMoved(name);
        if (!is) continue;
        const current = deps.status(name);
        const f = fresh?.get(name);
        if (current && f) {
          const origin = f.node ?? origins.get(name) ?? "fleet";
          fold(current, { ...f, failStreak: f.failStreak ?? 0 }, origin);
        }
        origins.delete(name);
      }
    },
    rename(renames) {
      const taken = renames.map(([from]) => [origins.get(from), origins.delete(from)] as const);
      renames.forEach(([, to], i) => {
        if (taken[i][0] !== undefined) origins.set(to, taken[i][0]);
      });
      if (owned === null || !renames.some(([from]) => owned!.has(from))) return;
      const next = new Set(owned);
      for (const [from] of renames) next.delete(from);
      for (const [from, to] of renames) if (owned.has(from)) next.add(to);
      owned = next;
    },
    forget: (name) => void origins.delete(name),
    runnable: (streams) =>
      owned === null ? [...streams] : streams.filter((s) => owned!.has(s.name)),
  };
}
