/** Renders alerts with Liquid: user templates bounded and sandboxed, the built-in one as fallback. */

import { Liquid, type Template } from "liquidjs";
import type { Alert, RenderedMessage } from "./types.ts";
import {
  type AlertVariables,
  alertVariables,
  builtinBody,
  builtinTitle,
  clipChars,
  oneLine,
} from "./template_vars.ts";

export { alertVariables, formatDuration } from "./template_vars.ts";
export type { AlertVariables, StreamVariables } from "./template_vars.ts";

/** A rendered body (message or webhook body) is cut to this many characters. */
export const MAX_BODY_CHARS = 4000;
/** A rendered title is cut to this many characters (and made one line). */
export const MAX_TITLE_CHARS = 250;
/** Longest template accepted (config allows 10,000 characters; this is the parser's bound). */
const MAX_TEMPLATE_CHARS = 20_000;
/** Parsed templates kept; the config holds a few dozen at most. */
const MAX_CACHED = 256;

// One instance for the process. `templates: {}` makes include/render/layout look in an empty
// in-memory map, so no tag reaches the disk; the limits stop a template that would loop or
// allocate without end (Liquid has no unbounded loop, but ranges and nesting multiply).
const liquid = new Liquid({
  templates: {},
  relativeReference: false,
  root: [],
  partials: [],
  layouts: [],
  strictFilters: false,
  strictVariables: false,
  ownPropertyOnly: true,
  preserveTimezones: true,
  parseLimit: MAX_TEMPLATE_CHARS,
  renderLimit: 250,
  memoryLimit: 1_000_000,
});

const parsed = new Map<string, Template[] | Error>();

/** The parsed form of `source`, from the cache; parse errors are cached (and thrown) too. */
function compile(source: string): Template[] {
  let hit = parsed.get(source);
  if (hit === undefined) {
    try {
      if (source.length > MAX_TEMPLATE_CHARS) {
        throw new Error(`template longer than ${MAX_TEMPLATE_CHARS} characters`);
      }
      hit = liquid.parse(source);
    } catch (err) {
      hit = err instanceof Error ? err : new Error(String(err));
    }
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value!);
    parsed.set(source, hit);
  }
  if (hit instanceof Error) throw hit;
  return hit;
}

function render(source: string, vars: AlertVariables): string {
  const out = liquid.renderSync(compile(source), vars);
  return typeof out === "string" ? out : String(out);
}

/** The first line of a Liquid error, bounded: what a warning or an answer quotes. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return clipChars(oneLine(text.split("\n", 1)[0]), 160);
}

/**
 * Renders `template` (a webhook `body`) for `alert`, times in `timeZone`, cut to
 * {@link MAX_BODY_CHARS}. Output is not escaped (write JSON strings with `| json`).
 * @throws Error when the template does not parse or fails to render (an `include` of a file,
 * a render over the time or memory bound), with Liquid's reason.
 */
export function renderTemplate(template: string, alert: Alert, timeZone: string): string {
  return clipChars(render(template, alertVariables(alert, timeZone)), MAX_BODY_CHARS);
}

/** Options of {@link renderAlert}: the channel's templates (absent: built-in) and the zone. */
export interface RenderAlertOptions {
  title?: string;
  message?: string;
  timeZone: string;
}

/**
 * The title and body a person reads for `alert`: the channel's `title`/`message` templates, or
 * the built-in ones. A template that fails (or renders only blanks) is replaced by the built-in
 * one and `warning` says which and why. The title is one line of at most
 * {@link MAX_TITLE_CHARS} characters, the body at most {@link MAX_BODY_CHARS}. Never throws.
 */
export function renderAlert(
  alert: Alert,
  opts: RenderAlertOptions,
): RenderedMessage & { warning?: string } {
  const vars = alertVariables(alert, opts.timeZone);
  const warnings: string[] = [];
  const pick = (what: string, source: string | undefined, builtin: () => string): string => {
    if (source === undefined) return builtin();
    try {
      const out = render(source, vars);
      if (out.trim()) return out;
      warnings.push(`${what} template rendered nothing: built-in ${what} used`);
    } catch (err) {
      warnings.push(`${what} template failed (${reason(err)}): built-in ${what} used`);
    }
    return builtin();
  };
  const title = pick("title", opts.title, () => builtinTitle(vars));
  const body = pick("message", opts.message, () => builtinBody(vars));
  const out: RenderedMessage & { warning?: string } = {
    title: clipChars(oneLine(title), MAX_TITLE_CHARS),
    body: clipChars(body, MAX_BODY_CHARS),
  };
  if (warnings.length) out.warning = warnings.join("; ");
  return out;
}
