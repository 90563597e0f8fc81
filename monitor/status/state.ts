/** The pure state machine: the previous state of a stream plus one check result → the next state. */

import type { StreamState } from "../types.ts";

/** What a check contributes to the state machine. */
export interface CheckOutcome {
  /** True when the probe passed. */
  ok: boolean;
  /** A passed check whose picture is wrong (set by media checks) — reachable but degraded. */
  degraded?: boolean;
  /** A failure already confirmed elsewhere (a media check found no video): no re-check. */
  confirmed?: boolean;
  /**
   * Nothing learnt about the stream's state (a media check whose picture was not verified):
   * state and fail streak stay as they are. Wins over `ok`.
   */
  hold?: boolean;
}

/** The decision for one check. */
export interface Transition {
  /** The state after this check. */
  state: StreamState;
  /** Consecutive failed checks after this one. */
  failStreak: number;
  /** True when `state` differs from the previous state. */
  changed: boolean;
  /** True when a failure must be confirmed by one quick re-check before the state flips. */
  recheck: boolean;
}

/** Failed checks in a row before a stream is declared down (the first one is re-checked quickly). */
export const FAILS_TO_DOWN = 2;

/**
 * Decides the next state. One lost packet must not flap the state, so a failure is confirmed by a
 * quick re-check before going down; a recovery counts on the first success.
 *
 * | previous          | check     | next      | re-check soon?                 |
 * |-------------------|-----------|-----------|--------------------------------|
 * | any               | ok        | up        | no                             |
 * | any               | degraded  | degraded  | no                             |
 * | unknown/up/degr.  | 1st fail  | unchanged | yes                            |
 * | unknown/up/degr.  | 2nd fail  | down      | no                             |
 * | down              | fail      | down      | no                             |
 * | any               | confirmed | down      | no (a media check found no video) |
 * | any               | hold      | unchanged | no (picture not verified: streak kept) |
 */
export function nextState(
  prev: { state: StreamState; failStreak: number },
  outcome: CheckOutcome,
): Transition {
  if (outcome.hold) {
    return { state: prev.state, failStreak: prev.failStreak, changed: false, recheck: false };
  }
  if (outcome.ok) {
    const state: StreamState = outcome.degraded ? "degraded" : "up";
    return { state, failStreak: 0, changed: state !== prev.state, recheck: false };
  }
  const failStreak = prev.failStreak + 1;
  if (prev.state === "down" || failStreak >= FAILS_TO_DOWN || outcome.confirmed) {
    return { state: "down", failStreak, changed: prev.state !== "down", recheck: false };
  }
  return { state: prev.state, failStreak, changed: false, recheck: true };
}

/** The latest media check's judgement of a stream's picture (see monitor/media/). */
export interface MediaVerdict {
  /**
   * up: real video as expected; degraded: frozen, black or drifted; down: no video at all.
   * An unverified verdict says "degraded" here, so that code ignoring `verified` errs safe.
   */
  state: Exclude<StreamState, "unknown">;
  /**
   * false: video arrived but its picture could not be judged ("picture not verified: …", e.g. an
   * undecodable keyframe or none within the window). Such a verdict has no effect on the state:
   * the previous verdict's effect holds and only its details are shown. Absent: verified.
   */
  verified?: false;
  /** e.g. "picture frozen for 45 s", "resolution 640x360, expected 1920x1080". */
  message: string;
  /** Codec, size, fps, bitrate, keyframe proof… */
  details: Record<string, unknown>;
  /** Wall time of the media check, ms. */
  latencyMs: number;
}

/**
 * Folds the latest media verdict into a check's outcome (first matching row):
 *
 * | handshake | media verdict          | outcome                                   |
 * |-----------|------------------------|-------------------------------------------|
 * | any       | unverified, `fromMedia`| hold (state and fail streak unchanged)    |
 * | fail      | any                    | fail (the handshake decides reachability) |
 * | ok        | none / up / unverified | ok                                        |
 * | ok        | degraded               | ok, degraded                              |
 * | ok        | down                   | fail, confirmed when `fromMedia`          |
 *
 * An unverified verdict (`verified: false`) never turns a stream up, never ends an incident and
 * never counts as a failure: the check it comes from leaves state and fail streak as they were.
 * The monitor never keeps one as the verdict later handshakes fold in (it keeps the last
 * verified one), so "as none" only concerns callers that pass one anyway.
 */
export function combineMedia(
  handshakeOk: boolean,
  verdict: MediaVerdict | undefined,
  fromMedia: boolean,
): CheckOutcome {
  if (verdict?.verified === false) {
    if (fromMedia) return { ok: handshakeOk, hold: true };
    verdict = undefined;
  }
  if (!handshakeOk) return { ok: false };
  if (!verdict || verdict.state === "up") return { ok: true };
  if (verdict.state === "degraded") return { ok: true, degraded: true };
  return { ok: false, confirmed: fromMedia };
}
