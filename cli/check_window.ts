/** The one-run freeze rule of `streampulse check`: a picture that never changes within the window. */

import type { MediaVerdict } from "../monitor/status/mod.ts";

/** The detail a window-judged freeze carries, in `details.picture.note` and the message. */
export const STILL_IN_WINDOW = "picture still within the window";

/**
 * The daemon calls a picture frozen once it has not changed for longer than `freeze_seconds`
 * (30 s by default), which takes several media checks. One run of `streampulse check` sees one
 * window of a few seconds, so without `--freeze-seconds` it judges that window alone (pure):
 *
 * | media verdict | picture of the window                                   | result            |
 * |---------------|---------------------------------------------------------|-------------------|
 * | down          | –                                                       | unchanged         |
 * | up / degraded | not verified (< 2 frames), moving, black or frozen      | unchanged         |
 * | up / degraded | ≥ 2 frames and not one of them differs from the one before | degraded, "picture frozen (still within the window)" added |
 *
 * Sensor noise does not count as change by the daemon's motion rule, so a live but empty scene
 * may be called frozen here where the daemon would wait; `--freeze-seconds N` decides it as the
 * daemon does, from two samples N s apart.
 */
export function judgeWindow(v: MediaVerdict): MediaVerdict {
  const pic = v.details.picture as Record<string, unknown> | undefined;
  if (v.state === "down" || !pic) return v;
  const frames = typeof pic.frames === "number" ? pic.frames : 0;
  if (frames < 2 || pic.moving !== false || pic.black === true || pic.frozen === true) return v;
  const problem = "picture frozen (still within the window)";
  const earlier = Array.isArray(v.details.problems) ? v.details.problems : [];
  return {
    ...v,
    state: "degraded",
    message: v.state === "degraded" ? `${v.message}; ${problem}` : problem,
    details: {
      ...v.details,
      problems: [...earlier, problem],
      picture: { ...pic, frozen: true, note: STILL_IN_WINDOW },
    },
  };
}
