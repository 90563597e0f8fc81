/** Config problems in words for people: "Back Door — URL: is not a URL", placed by form field. */

import { type ConfigProblem, formatProblem } from "../monitor/config/mod.ts";
import { maskUrl } from "../monitor/mod.ts";

/** Each stream key (its YAML path below `streams[i]`) → [the editor's form field, its label]. */
const STREAM_KEYS: Record<string, [string, string]> = {
  name: ["name", "Name"],
  url: ["url", "URL"],
  kind: ["kind", "Probe"],
  interval_seconds: ["interval", "Check every"],
  timeout_seconds: ["timeout", "Timeout"],
  tags: ["tags", "Tags"],
  enabled: ["enabled", "Enabled"],
  tls_insecure: ["tls_insecure", "Self-signed TLS"],
  media: ["media", "Media checks"],
  media_check_seconds: ["media_check_seconds", "Media check every"],
  freeze_seconds: ["freeze_seconds", "Frozen after"],
  "expect.codec": ["expect_codec", "Expected codec"],
  "expect.width": ["expect_width", "Expected width"],
  "expect.height": ["expect_height", "Expected height"],
  "expect.min_fps": ["expect_min_fps", "Lowest frame rate"],
  expect: ["expect_codec", "Expected picture"],
  rtsp_transport: ["rtsp_transport", "RTSP transport"],
  site: ["site", "Site"],
  parent: ["parent", "Depends on"],
  id: ["name", "Id"],
};

/** `streams[3].expect.width` → {index: 3, key: "expect.width"}; `streams[3]` → key "". */
function streamPath(path: string): { index: number; key: string } | undefined {
  if (!path.startsWith("streams[")) return undefined;
  const close = path.indexOf("]");
  const index = Number(path.slice(8, close));
  if (close < 0 || !Number.isInteger(index)) return undefined;
  const key = path.slice(close + 1).replace(/^\./, "");
  return { index, key };
}

/** The known key a stream path falls under (longest first), with its field and label. */
function keyOf(key: string): { field: string; label: string } | undefined {
  let best: string | undefined;
  for (const k of Object.keys(STREAM_KEYS)) {
    const under = key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}[`);
    if (under && (best === undefined || k.length > best.length)) best = k;
  }
  if (best === undefined) return undefined;
  const [field, label] = STREAM_KEYS[best];
  return { field, label };
}

/**
 * A problem in words: a stream's problem names the camera and the field
 * (`Back Door — URL: is not a URL`), never `streams[1].url:`; a stream without a valid name is
 * called `fallback` (e.g. the name typed in the form) or "Stream N". Other problems keep their
 * YAML path (`mqtt.port: …`), which is what the user looks for in config.yaml.
 */
export function problemInWords(p: ConfigProblem, fallback?: string): string {
  const at = streamPath(p.path);
  if (!at) return formatProblem(p);
  const who = p.stream || fallback || `Stream ${at.index + 1}`;
  if (at.key === "") return `${who}: ${p.message}`;
  const label = keyOf(at.key)?.label ?? at.key;
  return `${who} — ${label}: ${p.message}`;
}

/** What a form shows: problem text keyed by form field, and the problems of no single field. */
export interface FieldProblems {
  fields: Record<string, string>;
  other: string[];
}

/**
 * Sorts problems by form field: `field(p)` names the field a problem belongs to, or undefined
 * for the rest. Each is shown by `text` (default `path: message`); two on one field are joined
 * with `; `.
 */
export function problemsFor(
  problems: readonly ConfigProblem[],
  field: (p: ConfigProblem) => string | undefined,
  text: (p: ConfigProblem) => string = formatProblem,
): FieldProblems {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const p of problems) {
    const f = field(p);
    const t = text(p);
    if (f === undefined) other.push(t);
    else fields[f] = fields[f] ? `${fields[f]}; ${t}` : t;
  }
  return { fields, other };
}

/** Whether a problem belongs to the stream at `streams[index]`. */
export function isInStream(p: ConfigProblem, index: number): boolean {
  return streamPath(p.path)?.index === index;
}

/**
 * Splits problems into those of the stream at `streams[index]` (by form field, from the
 * problem's YAML path: `streams[3]` itself belongs to the name, `streams[3].expect.width` to
 * "expect_width") and the rest, all in words ({@link problemInWords}). A key the form has no
 * field for is listed apart, so no problem goes unshown.
 */
export function problemsByField(
  problems: readonly ConfigProblem[],
  index: number,
  fallback?: string,
): FieldProblems {
  return problemsFor(problems, (p) => {
    const at = streamPath(p.path);
    if (!at || at.index !== index) return undefined;
    return at.key === "" ? "name" : keyOf(at.key)?.field;
  }, (p) => problemInWords(p, isInStream(p, index) ? fallback : undefined));
}

/** Most problems listed in the page banner (then "and N more"). */
const BANNER_MAX = 5;

/**
 * The page banner's text while config.yaml on disk is not in force (the holder's state, as in
 * /api/health `config`), else undefined. A file that is merely being written (`changing`) shows
 * nothing: the next read settles it. Messages are masked (they may quote a URL).
 */
export function configBanner(
  state?: {
    file: string;
    error: string | null;
    problems: readonly ConfigProblem[];
    warnings?: readonly ConfigProblem[];
  },
): { message: string; problems: string[]; warning?: boolean } | undefined {
  if (state && state.file === "ok" && state.warnings?.length) {
    // In force, but with keys it ignored (typos) or values it corrected: say so, softly.
    const words = state.warnings.map((p) => maskUrl(problemInWords(p)));
    const n = words.length;
    return {
      message: `config.yaml is in force with ${n} warning${n === 1 ? "" : "s"} ` +
        `(\`streampulse validate\` lists them too):`,
      problems: n > BANNER_MAX
        ? [...words.slice(0, BANNER_MAX), `and ${n - BANNER_MAX} more (see /api/health)`]
        : words,
      warning: true,
    };
  }
  if (!state || state.file === "ok" || state.file === "changing") return undefined;
  const words = state.problems.map((p) => maskUrl(problemInWords(p)));
  const problems = words.length > BANNER_MAX
    ? [...words.slice(0, BANNER_MAX), `and ${words.length - BANNER_MAX} more (see /api/health)`]
    : words;
  const what = state.file === "missing"
    ? "config.yaml is missing"
    : state.file === "unreadable"
    ? "config.yaml cannot be read"
    : "config.yaml on disk has problems";
  return {
    message: `${what}, so StreamPulse keeps running the last good config until it is fixed.` +
      (words.length === 0 && state.error ? ` ${maskUrl(state.error)}` : ""),
    problems,
  };
}
