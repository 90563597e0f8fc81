/** What one node must start and stop when the owner map changes (pure). */

import type { Owners } from "./rendezvous.ts";

/** The scheduler's work for one change of owners: stream keys, each list sorted. */
export interface Handover {
  /** Streams this node owns now and did not before. */
  start: string[];
  /** Streams this node owned before and does not now (moved, unowned or removed). */
  stop: string[];
}

/**
 * Compares the owner maps before and after a change (a node joined or died, streams were added,
 * removed or moved site) and returns what `self` must start and stop; streams it keeps are in
 * neither list. A stream missing from `next` counts as no longer owned. When the node's lease
 * fences it (`mayAct` false), pass an empty `next`: everything it runs stops.
 */
export function handover(prev: Owners, next: Owners, self: string): Handover {
  const start: string[] = [];
  const stop: string[] = [];
  for (const [key, owner] of next) {
    if (owner === self && prev.get(key) !== self) start.push(key);
  }
  for (const [key, owner] of prev) {
    if (owner === self && next.get(key) !== self) stop.push(key);
  }
  return { start: start.sort(), stop: stop.sort() };
}
