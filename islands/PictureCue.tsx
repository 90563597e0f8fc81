/** A dashboard row's picture cue: its media checks are overdue, or it is up unverified. */

import { formatAgo } from "./format.ts";
import type { Row } from "./types.ts";

/** The cues a row can show. */
export type PictureCueKind = "overdue" | "unverified";

/**
 * Which cue `row` shows at `now` (the server's clock), or null. "overdue" once the clock passes
 * `mediaOverdueAt` (any state: the program is not keeping the stream's media cadence);
 * otherwise "unverified" for an up stream whose picture no media check has judged good yet, or
 * whose latest media check could not judge it (an unknown picture never counts as a good one).
 * Paused streams and streams without media checks show none.
 */
export function pictureCueOf(row: Row, now: number): PictureCueKind | null {
  if (!row.enabled || row.mediaOverdueAt === null) return null;
  if (now > row.mediaOverdueAt) return "overdue";
  const unknown = row.verifiedAt === null || row.pictureProblem !== null;
  return row.state === "up" && unknown ? "unverified" : null;
}

const TEXT: Record<PictureCueKind, string> = {
  overdue: "picture check overdue",
  unverified: "not verified yet",
};

/** Renders a cue as a small line with a tooltip; `now` only words the tooltip. */
export function PictureCue(
  { kind, row, now }: { kind: PictureCueKind | null; row: Row; now: number },
) {
  if (kind === null) return null;
  const text = kind === "unverified" && row.pictureProblem ? "picture not verified" : TEXT[kind];
  const title = kind === "overdue"
    ? "Media checks of this stream are more than one cadence (media_check_seconds) plus grace " +
      `late. Last good picture: ${formatAgo(row.verifiedAt, now)}.`
    : row.pictureProblem ?? "Reachable, but no media check has judged its picture good yet.";
  return <span class={`msg cue cue-${kind}`} data-cue={kind} title={title}>⚠ {text}</span>;
}
