/** This node's share of the streams over time: what it owns, and when it takes a stream (pure). */

import type { FleetNode } from "./rendezvous.ts";

/** What one {@link Share.step} changed. */
export interface ShareStep {
  /** Everything owned now (a new set). */
  owned: Set<string>;
  /** Names owned from now on. */
  gained: string[];
  /** Names no longer owned. */
  lost: string[];
}

/** See {@link createShare}. */
export interface Share {
  /**
   * A new owner map by stream name (the live set, this node's right to act or the streams
   * changed). Streams it no longer owns go at the next step; new ones are planned.
   */
  update(
    owners: ReadonlyMap<string, string | undefined>,
    live: readonly FleetNode[],
    acting: boolean,
    now: number,
  ): void;
  /** What to own at `now`; undefined when nothing changes. */
  step(now: number): ShareStep | undefined;
  /** The names owned now. */
  owned(): ReadonlySet<string>;
  /**
   * Streams renamed in the config (same id) keep what they had under their old names; the
   * [from, to] pairs apply at once, so two streams may swap names.
   */
  rename(pairs: readonly (readonly [string, string])[]): void;
}

/**
 * Creates the share of node `self`. A stream is given up at once when the map moves it away
 * (or the node may not act); a stream the map gives this node is taken
 *
 * | its owner in the previous map                         | taken              |
 * | ----------------------------------------------------- | ------------------ |
 * | any, and no other node is live                        | at once            |
 * | a node no longer live (it died or left)               | at once            |
 * | a live node, nobody (new stream, first split), or     | after `handoffMs`  |
 * | this node while it could not act (others took it)     |                    |
 *
 * The wait covers the old owner's delay in seeing the new map (its next renewal and read), so
 * a joining node does not check a stream alongside its old owner and both decide its state.
 * A death needs no wait: the row already expired, and the dead node fenced itself before that.
 */
export function createShare(self: string, opts: { handoffMs: number }): Share {
  let prev = new Map<string, string | undefined>();
  let desired = new Set<string>();
  let owned = new Set<string>();
  const pending = new Map<string, number>();

  return {
    update(owners, live, acting, now) {
      const liveNames = new Set(live.map((n) => n.name));
      const alone = live.every((n) => n.name === self);
      desired = new Set();
      if (acting) { for (const [name, owner] of owners) if (owner === self) desired.add(name); }
      for (const name of pending.keys()) if (!desired.has(name)) pending.delete(name);
      for (const name of desired) {
        if (owned.has(name) || pending.has(name)) continue;
        const was = prev.get(name);
        const dead = was !== undefined && was !== self && !liveNames.has(was);
        pending.set(name, alone || dead ? now : now + opts.handoffMs);
      }
      prev = new Map(owners);
    },
    step(now) {
      const lost = [...owned].filter((n) => !desired.has(n));
      const gained: string[] = [];
      for (const [name, due] of pending) {
        if (due > now) continue;
        gained.push(name);
        pending.delete(name);
      }
      if (lost.length === 0 && gained.length === 0) return undefined;
      owned = new Set([...owned].filter((n) => desired.has(n)).concat(gained));
      return { owned: new Set(owned), gained, lost };
    },
    owned: () => owned,
    rename(pairs) {
      const moveSet = (set: Set<string>) => {
        const had = pairs.map(([from]) => set.delete(from));
        pairs.forEach(([, to], i) => had[i] && set.add(to));
      };
      const moveMap = <V>(map: Map<string, V>) => {
        const had = pairs.map(([from]) => [map.has(from), map.get(from)] as const);
        for (const [from] of pairs) map.delete(from);
        pairs.forEach(([, to], i) => had[i][0] && map.set(to, had[i][1] as V));
      };
      moveSet(desired);
      moveSet(owned);
      moveMap(pending);
      moveMap(prev);
    },
  };
}
