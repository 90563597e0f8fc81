/**
 * `streampulse config import FILE [--force]` / `config export`: moves a config.yaml into and out
 * of the fleet's shared config in the database named by the node's own file (`database:`).
 */

import {
  type Config,
  ConfigError,
  formatProblem,
  mergeFleetConfig,
  NODE_LOCAL_KEYS,
  parseConfig,
  readConfigFile,
  sharedPart,
  topLevelKeys,
} from "../monitor/config/mod.ts";
import { type OpenConfigDoc, openConfigDoc } from "../monitor/store/postgres/mod.ts";

/** What {@link configCommand} takes: the parsed command line's part. */
export interface ConfigCommandArgs {
  configAction?: "import" | "export";
  /** The node's config.yaml (its `database:` says where the shared config is). */
  configPath: string;
  /** `import`'s FILE. */
  target?: string;
  /** `import --force`: replace a document the database already holds. */
  force?: boolean;
}

/** Dependencies of {@link configCommand}; tests swap them. */
export interface ConfigCommandDeps {
  /** Lines of what was done (default console.log). */
  out?: (line: string) => void;
  /** Problems (default console.error). */
  err?: (line: string) => void;
  /** `export`'s document, written as it is (default: to stdout, no line break added). */
  write?: (text: string) => void;
  /** Opens the shared document (default openConfigDoc: connects and migrates). */
  open?: (url: string, deps: { node: string }) => Promise<OpenConfigDoc>;
}

/** `host:port/db` of a database URL: what may be shown of it (never the user or password). */
export function databaseLabel(url: string): string {
  const m = /^[a-z]+:\/\/(?:[^@/?#]*@)?([^/?#]*)(\/[^?#]*)?/i.exec(url);
  const host = m?.[1] || "localhost";
  return `${host}${m?.[2] ?? ""}`;
}

/** `text` with the URL and its password (as written and decoded) masked. */
function redact(text: string, url: string): string {
  const pw = /^[a-z]+:\/\/[^:@/]*:([^@/]*)@/i.exec(url)?.[1];
  const secrets = [url, ...(pw ? [pw, safeDecode(pw)] : [])].filter((s) => s.length >= 3);
  return secrets.reduce((t, s) => t.split(s).join("***"), text);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** Reads and parses a config file; prints its problems and returns undefined when it fails. */
async function load(
  path: string,
  err: (line: string) => void,
): Promise<{ text: string; config: Config } | undefined> {
  try {
    const { text } = await readConfigFile(path);
    return { text, config: parseConfig(text) };
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`${path}: ${plural(e.problems.length, "problem")}`);
      for (const p of e.problems) err(`  ${formatProblem(p)}`);
    } else err(`Cannot read "${path}": ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Runs `config import` or `config export` and returns the exit code: 0 done, 1 the database
 * failed or holds nothing to export, 2 bad input (no `database:` in the node's file, a FILE that
 * does not load, a document already there without `--force`). `import` stores FILE without its
 * node-local keys; every node applies it within a second. Nothing printed quotes the URL.
 */
export async function configCommand(
  args: ConfigCommandArgs,
  deps: ConfigCommandDeps = {},
): Promise<number> {
  const out = deps.out ?? console.log;
  const err = deps.err ?? console.error;
  const node = await load(args.configPath, err);
  if (!node) return 2;
  const url = node.config.database;
  if (url === undefined) {
    err(
      `${args.configPath} has no \`database:\`; \`streampulse config\` moves the shared config ` +
        "of a fleet (add database: postgres://user:password@host/db)",
    );
    return 2;
  }
  let file: { text: string; shared: string } | undefined;
  if (args.configAction === "import") {
    file = await importable(args.target!, node.text, err);
    if (!file) return 2;
  }
  const where = databaseLabel(url);
  let opened: OpenConfigDoc;
  try {
    opened = await (deps.open ?? openConfigDoc)(url, { node: `${node.config.node.name} (cli)` });
  } catch (e) {
    err(`Cannot open the database at ${where}: ${redact(String((e as Error).message ?? e), url)}`);
    return 1;
  }
  try {
    if (args.configAction === "export") {
      const read = await opened.doc.read();
      if (!read) {
        err(`The database at ${where} holds no shared config yet (see config import)`);
        return 1;
      }
      (deps.write ?? writeStdout)(read.text);
      return 0;
    }
    return await store(opened, file!, { ...args, where, out, err });
  } catch (e) {
    err(`Database at ${where}: ${redact(String((e as Error).message ?? e), url)}`);
    return 1;
  } finally {
    await opened.close().catch(() => {});
  }
}

/**
 * FILE's shared part when FILE loads, and loads with the node's own keys laid over (as every
 * node will run it) and has something to share; else undefined after printing why.
 */
async function importable(
  path: string,
  nodeText: string,
  err: (line: string) => void,
): Promise<{ text: string; shared: string } | undefined> {
  const file = await load(path, err);
  if (!file) return undefined;
  const shared = sharedPart(file.text);
  if (topLevelKeys(shared).length === 0) {
    err(`${path} has nothing to share: only node-local keys (${NODE_LOCAL_KEYS.join(", ")})`);
    return undefined;
  }
  try {
    parseConfig(mergeFleetConfig(shared, nodeText));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`${path} does not load with this node's own keys:`);
    for (const p of e.problems) err(`  ${formatProblem(p)}`);
    return undefined;
  }
  return { text: file.text, shared };
}

/** Writes the shared part (insert, or replace with --force) and says what it did. */
async function store(
  opened: OpenConfigDoc,
  file: { text: string; shared: string },
  o: ConfigCommandArgs & { where: string; out: (l: string) => void; err: (l: string) => void },
): Promise<number> {
  const before = await opened.doc.read();
  if (before && !o.force) {
    const by = before.updatedBy ? ` by ${before.updatedBy}` : "";
    o.err(
      `The database at ${o.where} already holds a shared config (version ${before.version}, ` +
        `written${by} at ${new Date(before.updatedAt).toISOString()}); ` +
        "add --force to replace it (export it first to keep a copy)",
    );
    return 2;
  }
  const version = await opened.doc.write(file.shared, before?.version);
  const left = topLevelKeys(file.text).filter((k) => NODE_LOCAL_KEYS.includes(k));
  const streams = parseConfig(file.text).streams.length;
  const replaced = before ? `, replacing version ${before.version}` : "";
  o.out(
    `Imported ${o.target} into the shared config at ${o.where}: version ${version}${replaced}, ` +
      `${plural(streams, "stream")}. Every node applies it within a second.`,
  );
  if (left.length > 0) {
    o.out(`Left out ${left.join(", ")}: each node keeps its own in its config.yaml.`);
  }
  return 0;
}

function writeStdout(text: string): void {
  const data = new TextEncoder().encode(text);
  for (let off = 0; off < data.length;) off += Deno.stdout.writeSync(data.subarray(off));
}
