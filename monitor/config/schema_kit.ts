/** Building blocks of the config schema: optional keys with their documentation and default. */

import { z } from "zod";

/**
 * A documented optional key: `null` counts as absent, as for every reader of the loader. `def` is
 * the default as a JSON value (shown as `default` in the JSON Schema), or `{ text }` when the
 * default is not one value (`{ text: "heartbeat_seconds" }`, shown as `x-default`).
 */
export function opt<T extends z.ZodType>(
  schema: T,
  description: string,
  def?: unknown,
): z.ZodOptional<z.ZodNullable<T>> {
  return schema.nullable().optional().meta({ description, ...defaultOf(def) });
}

/** A documented required key (`def` only as `{ text }`, e.g. "required"). */
export function req<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description });
}

function defaultOf(def: unknown): Record<string, unknown> {
  if (def === undefined) return {};
  if (def !== null && typeof def === "object" && "text" in def) {
    return { "x-default": (def as { text: string }).text };
  }
  return { default: def };
}

/** A string; numbers are read as text too (`chat_id: -100123`, `name: 42`). */
export const text = (): z.ZodUnion<[z.ZodString, z.ZodNumber]> => z.union([z.string(), z.number()]);

/** One string or a list of them (numbers read as text): `tags: outside` or `tags: [a, b]`. */
export const texts = () => z.union([text(), z.array(text())]);

/** A whole number from `min` to `max`. */
export const whole = (min: number, max: number): z.ZodNumber => z.number().int().min(min).max(max);

/** A port number (1–65535). */
export const port = (): z.ZodNumber => whole(1, 65535);
