/** Small typed readers that collect validation problems with their YAML path (`streams[2].url`). */

/** A mapping read from YAML (unknown keys are allowed and kept by the caller). */
export type YamlMap = Record<string, unknown>;

/**
 * One problem with its place: a YAML path (`streams[2].url`), `(document)`, `(file)`, `line 7`, or
 * `""` when the text says where (YAML syntax errors). `stream` is the stream's name when the
 * problem is inside a `streams[i]` entry that has one. Code reads these fields; the text made by
 * {@link formatProblem} is for people and logs only.
 */
export interface ConfigProblem {
  path: string;
  message: string;
  stream?: string;
}

/**
 * Formats a problem as `path: message` (just the message when it has no path); a problem inside a
 * named stream shows the name after its index: `streams[3] ("Back Door").url: …`.
 */
export function formatProblem(p: ConfigProblem): string {
  if (!p.path) return p.message;
  const at = p.stream === undefined
    ? p.path
    : p.path.replace(/^streams\[\d+\]/, (s) => `${s} (${JSON.stringify(p.stream)})`);
  return `${at}: ${p.message}`;
}

/** Formats problems for one line of text: `a: x; b: y`. */
export function formatProblems(list: readonly ConfigProblem[]): string {
  return list.map(formatProblem).join("; ");
}

/** Collects problems while reading a config tree; every reader names the path it looked at. */
export class Checker {
  /** Problems that make the config invalid. */
  readonly errors: ConfigProblem[] = [];
  /** Problems that were corrected (e.g. a value raised to its minimum). */
  readonly warnings: ConfigProblem[] = [];
  #stream: string | undefined;

  /** Records an error at `path`. */
  error(path: string, message: string): void {
    this.errors.push(this.#problem(path, message));
  }

  /** Records a warning at `path`. */
  warn(path: string, message: string): void {
    this.warnings.push(this.#problem(path, message));
  }

  /**
   * Runs `read` with `stream` named on every problem it records: the reader of one `streams[i]`
   * entry calls it once the entry's name is known (undefined: the entry has no usable name).
   */
  inStream<T>(stream: string | undefined, read: () => T): T {
    const outer = this.#stream;
    this.#stream = stream;
    try {
      return read();
    } finally {
      this.#stream = outer;
    }
  }

  /** Where the problem lists end now, for {@link Checker.dropSince}. */
  mark(): { errors: number; warnings: number } {
    return { errors: this.errors.length, warnings: this.warnings.length };
  }

  /** Removes the problems recorded after `mark` for which `drop` is true. */
  dropSince(mark: { errors: number; warnings: number }, drop: (p: ConfigProblem) => boolean): void {
    for (
      const [list, from] of [[this.errors, mark.errors], [this.warnings, mark.warnings]] as const
    ) {
      const kept = list.slice(from).filter((p) => !drop(p));
      list.splice(from, list.length - from, ...kept);
    }
  }

  #problem(path: string, message: string): ConfigProblem {
    return this.#stream === undefined ? { path, message } : { path, message, stream: this.#stream };
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

/**
 * A config that cannot be used. `problems` lists every problem with its place; `message` joins
 * them for people and logs (`Invalid config: streams[2].url: …; mqtt.port: …`).
 */
export class ConfigError extends Error {
  /** Each problem with its place (and stream, inside `streams[i]`). */
  readonly problems: ConfigProblem[];
  /** `source` names what was read in the message: "config", "reload" or the file's path. */
  constructor(problems: readonly ConfigProblem[], source = "config") {
    super(`Invalid ${source}: ${formatProblems(problems)}`);
    this.name = "ConfigError";
    this.problems = [...problems];
  }
}
