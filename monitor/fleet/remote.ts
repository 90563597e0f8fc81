/** Folding another node's view of a stream into the live status this node shows (pure). */

import type { CheckRecord, StreamState, StreamStatus } from "../types.ts";

/**
 * A stream's current state as the node that checks it wrote it to the shared store (the
 * mirror's row), or as read fresh from the store when this node takes the stream over.
 */
export interface RemoteStatus {
  state: StreamState;
  /** When `state` began, ms since the epoch. */
  since: number;
  /** The newest check, if any. */
  last?: CheckRecord;
  failStreak: number;
  /** The probe kind the other node used (informational: the config picks the probe). */
  kind?: string;
}

/** What {@link mergeRemote} changed. */
export interface RemoteMerge {
  /** The remote view was older than the status shown and was ignored. */
  stale: boolean;
  /** `last` moved on to a newer check: a `result` event is due. */
  newer: boolean;
  /** The state before the merge; differs from `status.state` when a `state-change` is due. */
  from: StreamState;
  /** The state changed. */
  changed: boolean;
}

/**
 * Folds `remote` into `status` in place (the status object is the one the bus and the API
 * share). Nothing older than what is shown ever replaces it, so a late or replayed mirror row
 * cannot step a stream back:
 *
 * | status.last        | remote.last             | result                                       |
 * | ------------------ | ----------------------- | -------------------------------------------- |
 * | at ts              | older than ts, or none  | stale: nothing changes                       |
 * | none, or before ts | at ts                   | last, state, since, failStreak taken; newer  |
 * | at ts              | at the same ts          | state, since, failStreak taken; not newer    |
 * | none               | none                    | state, since, failStreak taken; not newer    |
 *
 * `changed` is true when the state taken differs from the one shown before.
 */
export function mergeRemote(status: StreamStatus, remote: RemoteStatus): RemoteMerge {
  const from = status.state;
  const shown = status.last?.ts;
  const ts = remote.last?.ts;
  if (shown !== undefined && (ts === undefined || ts < shown)) {
    return { stale: true, newer: false, from, changed: false };
  }
  const newer = ts !== undefined && (shown === undefined || ts > shown);
  if (newer) status.last = remote.last;
  status.state = remote.state;
  status.since = remote.since;
  status.failStreak = remote.failStreak;
  return { stale: false, newer, from, changed: from !== remote.state };
}
