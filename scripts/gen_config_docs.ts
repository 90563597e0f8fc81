/**
 * Writes config.schema.json and the README's configuration reference (the block between
 * `<!-- config-reference:start -->` and `<!-- config-reference:end -->`) from the zod schema.
 * `deno task schema`; tests fail when either committed file is stale.
 */

import { configJsonSchemaText } from "../monitor/config/mod.ts";

/** The README's markers around the generated block. */
export const START = "<!-- config-reference:start -->";
export const END = "<!-- config-reference:end -->";

type Node = Record<string, unknown> & {
  properties?: Record<string, Node>;
  required?: string[];
  anyOf?: Node[];
  oneOf?: Node[];
  items?: Node;
};

/** One row of the reference table. */
interface Row {
  key: string;
  type: string;
  def: string;
  meaning: string;
}

/** The node without its `null` alternative (every optional key may be `null`, meaning absent). */
function unwrap(n: Node): Node {
  const alts = (n.anyOf ?? []).filter((a) => a.type !== "null");
  if (alts.length === 1) return { ...alts[0], ...strip(n) };
  if (Array.isArray(n.type)) {
    const types = n.type.filter((t) => t !== "null");
    return { ...n, type: types.length === 1 ? types[0] : types };
  }
  return n;
}

/** `n`'s documentation keys (kept when unwrapping). */
function strip(n: Node): Node {
  const out: Node = {};
  for (const k of ["description", "default", "x-default"]) if (k in n) out[k] = n[k];
  return out;
}

/** A short type: `number 1–86400`, `true/false`, `auto, tcp, udp`, `list of string`. */
function typeOf(n: Node): string {
  if (Array.isArray(n.enum)) return (n.enum as unknown[]).map(String).join(", ");
  if (n.const !== undefined) return String(n.const);
  const range = n.minimum !== undefined && n.maximum !== undefined
    ? ` ${n.minimum}–${n.maximum}`
    : n.minimum !== undefined
    ? ` ≥ ${n.minimum}`
    : "";
  const t = n.type;
  if (t === "boolean") return "true/false";
  if (t === "integer") return `whole number${range}`;
  if (t === "number") return `number${range}`;
  if (t === "array") return `list of ${n.items ? typeOf(unwrap(n.items)) : "any"}`;
  if (t === "object") return n.properties ? "mapping" : "mapping of name → text";
  if (Array.isArray(t)) return t.includes("string") ? "text" : t.join(" or ");
  if (t === "string") return n.pattern ? "text (see meaning)" : "text";
  if (n.anyOf) return [...new Set(n.anyOf.map((a) => typeOf(unwrap(a))))].join(" or ");
  return "any";
}

function defaultOf(n: Node, required: boolean): string {
  if (required) return "required";
  if (n["x-default"] !== undefined) return String(n["x-default"]);
  if (n.default !== undefined) return JSON.stringify(n.default).replaceAll('"', "");
  return "none";
}

/** The rows of every key under `n`, depth first, in the schema's order. */
function rows(n: Node, prefix: string, out: Row[]): Row[] {
  const required = new Set(n.required ?? []);
  for (const [key, raw] of Object.entries(n.properties ?? {})) {
    const v = unwrap(raw);
    const path = `${prefix}${key}`;
    const items = v.type === "array" && v.items ? unwrap(v.items) : undefined;
    const options = items?.anyOf ?? items?.oneOf;
    out.push({
      key: path,
      type: items?.properties || options ? "list" : v.properties ? "mapping" : typeOf(v),
      def: defaultOf(v, required.has(key)),
      meaning: String(v.description ?? items?.description ?? ""),
    });
    if (v.properties) rows(v, `${path}.`, out);
    else if (items?.properties) rows(items, `${path}[].`, out);
    else if (options) variants(options, path, out);
  }
  return out;
}

/**
 * The rows of a list whose entries have one shape per `type` (alert channels): the keys every
 * shape shares once (`channels[].name`), then each type's own (`channels[type=ntfy].token`).
 */
function variants(options: Node[], path: string, out: Row[]): void {
  const same = (k: string) =>
    options.every((o) =>
      o.properties?.[k]?.description === options[0].properties?.[k]?.description
    );
  const first = options[0].properties ?? {};
  const shared = Object.keys(first).filter((k) => k !== "type" && same(k));
  const types = options.map((o) => String((o.properties?.type as Node | undefined)?.const));
  out.push({
    key: `${path}[].type`,
    type: types.join(", "),
    def: "required",
    meaning: "the kind of channel",
  });
  const pick = (o: Node, keep: (k: string) => boolean): Node => ({
    ...o,
    properties: Object.fromEntries(Object.entries(o.properties ?? {}).filter(([k]) => keep(k))),
  });
  rows(pick(options[0], (k) => shared.includes(k)), `${path}[].`, out);
  options.forEach((o, i) => {
    const at = `${path}[type=${types[i]}]`;
    out.push({ key: at, type: "mapping", def: "", meaning: String(o.description ?? "") });
    rows(pick(o, (k) => k !== "type" && !shared.includes(k)), `${at}.`, out);
  });
}

const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

/** The generated Markdown block, markers included. */
export function configReferenceMarkdown(schemaText = configJsonSchemaText()): string {
  const list = rows(JSON.parse(schemaText) as Node, "", []);
  const table = [
    ["key", "type", "default", "meaning"],
    ...list.map((r) => [`\`${cell(r.key)}\``, cell(r.type), cell(r.def), cell(r.meaning)]),
  ];
  // Padded as `deno fmt` pads Markdown tables, so formatting the README leaves the block alone.
  const widths = table[0].map((_, i) => Math.max(3, ...table.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    START,
    "<!-- generated by `deno task schema` from monitor/config/schema*.ts: edit those, not this -->",
    "",
    line(table[0]),
    line(widths.map((w) => "-".repeat(w))),
    ...table.slice(1).map(line),
    "",
    END,
  ].join("\n");
}

/** `readme` with its generated block replaced by `block`; throws when the markers are missing. */
export function replaceBlock(readme: string, block: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  return readme.slice(0, a) + block + readme.slice(b + END.length);
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url);
  await Deno.writeTextFile(new URL("config.schema.json", root), configJsonSchemaText());
  const readmeUrl = new URL("README.md", root);
  const readme = await Deno.readTextFile(readmeUrl);
  await Deno.writeTextFile(readmeUrl, replaceBlock(readme, configReferenceMarkdown()));
  console.log("wrote config.schema.json and README.md's configuration reference");
}
