/** Small typed readers that collect validation problems with their YAML path (`streams[2].url`). */

/** A mapping read from YAML (unknown keys are allowed and kept by the caller). */
export type YamlMap = Record<string, unknown>;

/** One problem with its place: a YAML path (`streams[2].url`), `(document)`, or `line 7`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Formats a problem as `path: message` (just the message when it has no path). */
export function formatProblem(p: ConfigProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** Collects problems while reading a config tree; every reader names the path it looked at. */
export class Checker {
  /** Problems that make the config invalid, as `path: message`. */
  readonly errors: string[] = [];
  /** The same problems with their structure. */
  readonly issues: ConfigProblem[] = [];
  /** Problems that were corrected (e.g. a value raised to its minimum). */
  readonly warnings: string[] = [];

  /** Records an error at `path`. */
  error(path: string, message: string): void {
    this.issues.push({ path, message });
    this.errors.push(formatProblem({ path, message }));
  }

  /** Records a warning at `path`. */
  warn(path: string, message: string): void {
    this.warnings.push(`${path}: ${message}`);
  }

  /** Reads an optional mapping; null/absent gives `{}`. */
  map(value: unknown, path: string): YamlMap {
    if (value === undefined || value === null) return {};
    if (typeof value === "object" && !Array.isArray(value)) return value as YamlMap;
    this.error(path, `must be a mapping, got ${describe(value)}`);
    return {};
  }

  /** Reads an optional string; `null` counts as absent. */
  string(obj: YamlMap, key: string, path: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    this.error(join(path, key), `must be a string, got ${describe(v)}`);
    return undefined;
  }

  /** Reads an optional boolean. */
  bool(obj: YamlMap, key: string, path: string, fallback: boolean): boolean {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === "boolean") return v;
    this.error(join(path, key), `must be true or false, got ${describe(v)}`);
    return fallback;
  }

  /** Reads an optional number within [min, max]; integers only when `integer`. */
  number(
    obj: YamlMap,
    key: string,
    path: string,
    opts: { fallback: number; min?: number; max?: number; integer?: boolean },
  ): number {
    const v = obj[key];
    if (v === undefined || v === null) return opts.fallback;
    const p = join(path, key);
    if (typeof v !== "number" || !Number.isFinite(v)) {
      this.error(p, `must be a number, got ${describe(v)}`);
      return opts.fallback;
    }
    if (opts.integer && !Number.isInteger(v)) {
      this.error(p, `must be a whole number, got ${v}`);
      return opts.fallback;
    }
    if (opts.min !== undefined && v < opts.min) {
      this.error(p, `must be at least ${opts.min}, got ${v}`);
      return opts.fallback;
    }
    if (opts.max !== undefined && v > opts.max) {
      this.error(p, `must be at most ${opts.max}, got ${v}`);
      return opts.fallback;
    }
    return v;
  }

  /** Reads an optional port number (1–65535). */
  port(obj: YamlMap, key: string, path: string, fallback: number): number {
    return this.number(obj, key, path, { fallback, min: 1, max: 65535, integer: true });
  }
}

/** Joins a path and a key: `join("mqtt", "port")` → `mqtt.port`. */
export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Describes a YAML value for an error message: `"abc"`, `42`, `a list`, `a mapping`. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v);
  return String(v);
}

/** A config that cannot be used; `issues` lists every problem with its place. */
export class ConfigError extends Error {
  /** Each problem as `path: message`. */
  readonly problems: string[];
  /** Each problem with its structure. */
  readonly issues: ConfigProblem[];
  /** `source` names what was read in the message: "config" or the file's path. */
  constructor(problems: readonly (ConfigProblem | string)[], source = "config") {
    const issues = problems.map((p) => typeof p === "string" ? { path: "", message: p } : p);
    const texts = issues.map(formatProblem);
    super(`Invalid ${source}: ${texts.join("; ")}`);
    this.name = "ConfigError";
    this.problems = texts;
    this.issues = issues;
  }
}
