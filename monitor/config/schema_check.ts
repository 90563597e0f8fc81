/**
 * Checks the raw YAML tree against the zod schema: unknown keys anywhere become warnings with a
 * suggestion (`streams[2].frezee_seconds: unknown key — did you mean "freeze_seconds"?`), and
 * type problems the hand-written readers missed become errors. Where a reader already reported
 * at the same place (or inside it, or around it), its message is kept and the schema's dropped.
 */

import type { z } from "zod";
import { type Checker, describe, type YamlMap } from "./check.ts";
import { configSchema } from "./schema.ts";
import { suggestKey } from "./suggest.ts";

type Key = PropertyKey;

/** Longest part of an unknown key shown in a path (the rest of the file's text is never quoted). */
const SHOWN_KEY = 60;

/** Places whose value is a credential: a schema message says what is wrong, never the value. */
const SECRET_PATHS = new Set(["database"]);

/** `["streams", 2, "url"]` → `streams[2].url`. */
export function pathText(path: readonly Key[]): string {
  let out = "";
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out;
}

/** Every place a path is inside, itself included: `a[1].b` → `a`, `a[1]`, `a[1].b`. */
function selfAndAncestors(path: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < path.length; i++) {
    if (path[i] === "." || path[i] === "[") out.push(path.slice(0, i));
  }
  out.push(path);
  return out;
}

/**
 * Validates `root` against {@link configSchema} and records in `c` what the readers did not:
 * unknown keys as warnings, wrong types and ranges as errors. Problems inside `streams[i]` carry
 * the stream's name.
 */
export function checkAgainstSchema(root: YamlMap, c: Checker): void {
  const result = configSchema.safeParse(root);
  if (result.success) return;
  const reported = new Set<string>();
  const around = new Set<string>();
  for (const p of [...c.errors, ...c.warnings]) {
    reported.add(p.path);
    for (const a of selfAndAncestors(p.path)) around.add(a);
  }
  // Kept: no reader spoke about this place, anything inside it, or anything around it.
  const fresh = (path: string) =>
    !around.has(path) && !selfAndAncestors(path).some((a) => reported.has(a));
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(root, issue.path);
      for (const key of issue.keys) {
        const path = pathText([...issue.path, key.slice(0, SHOWN_KEY)]);
        if (!fresh(path)) continue;
        const meant = suggestKey(key, known);
        const message = meant === undefined
          ? "unknown key (ignored)"
          : `unknown key — did you mean ${JSON.stringify(meant)}?`;
        c.inStream(streamOf(root, issue.path), () => c.warn(path, message));
      }
      continue;
    }
    const path = pathText(issue.path);
    if (!fresh(path)) continue;
    // A credential is never quoted, whatever the issue (the reader of `database:` says more).
    const value = SECRET_PATHS.has(path) ? "(not shown)" : valueAt(root, issue.path);
    c.inStream(streamOf(root, issue.path), () => c.error(path, messageOf(issue, value)));
  }
}

/** A reader's kind of message for a schema issue: what it must be, and what it is. */
function messageOf(issue: z.core.$ZodIssue, value: unknown): string {
  const got = describe(value);
  switch (issue.code) {
    case "invalid_type":
      return `must be ${article(issue.expected)}, got ${got}`;
    case "too_small":
      return `must be at least ${issue.minimum}, got ${got}`;
    case "too_big":
      return `must be at most ${issue.maximum}, got ${got}`;
    case "invalid_value":
      return `${got} is not one of ${issue.values.map(String).join(", ")}`;
    case "invalid_format":
      return `${got} has the wrong form`;
    default:
      return `has the wrong type or form, got ${got}`;
  }
}

function article(expected: string): string {
  if (expected === "object") return "a mapping";
  if (expected === "array") return "a list";
  if (expected === "boolean") return "true or false";
  if (expected === "int") return "a whole number";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The raw value at `path`, or undefined. */
function valueAt(root: unknown, path: readonly Key[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<Key, unknown>)[k];
  }
  return v;
}

/** The usable name of the stream a path is in (`streams[i]…`), as the readers name it. */
export function streamOf(root: YamlMap, path: readonly Key[]): string | undefined {
  if (path[0] !== "streams" || typeof path[1] !== "number") return undefined;
  const name = (valueAt(root, path.slice(0, 2)) as YamlMap | undefined)?.name;
  const text = typeof name === "string" || typeof name === "number" ? String(name).trim() : "";
  return text && text.length <= 200 ? text : undefined;
}

/** The keys the schema knows for the mapping at `path` (a channel's by its `type`). */
export function keysAt(root: YamlMap, path: readonly Key[]): string[] {
  let schema: z.ZodType | undefined = configSchema;
  let raw: unknown = root;
  for (const k of path) {
    schema = objectOf(schema, raw);
    raw = (raw as Record<Key, unknown> | null)?.[k];
    schema = childOf(schema, k);
  }
  const obj = objectOf(schema, raw);
  return obj ? Object.keys(shapeOf(obj) ?? {}) : [];
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  values?: unknown[];
}

const defOf = (s: z.ZodType | undefined) => (s as unknown as { _zod?: { def: Def } })?._zod?.def;
const shapeOf = (s: z.ZodType) => defOf(s)?.shape;

/** `schema` without optional/nullable wrappers; of a union, the object option `raw` matches. */
function objectOf(schema: z.ZodType | undefined, raw: unknown): z.ZodType | undefined {
  let s = schema;
  for (let d = defOf(s); d && (d.type === "optional" || d.type === "nullable"); d = defOf(s)) {
    s = d.innerType;
  }
  const d = defOf(s);
  if (d?.type !== "union" || !d.options) return s;
  const type = (raw as YamlMap | null)?.type;
  return d.options.find((o) => defOf(shapeOf(o)?.type)?.values?.includes(type)) ??
    d.options.find((o) => defOf(o)?.type === "object" || defOf(o)?.type === "array");
}

function childOf(schema: z.ZodType | undefined, key: Key): z.ZodType | undefined {
  const d = defOf(schema);
  if (d?.type === "array" && typeof key === "number") return d.element;
  if (d?.type === "object" && typeof key === "string") return d.shape?.[key];
  return undefined;
}
