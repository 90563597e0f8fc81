/** The Prometheus text exposition format 0.0.4: metric families → text. */

import type { MetricFamily } from "../monitor/mod.ts";

/** The Content-Type of {@link encodeText}'s output. */
export const PROM_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** Escapes HELP text: backslash and line feed (quotes stay as they are). */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/** Formats a sample value as Go's ParseFloat reads it (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * Encodes families, each as `# HELP`, `# TYPE` and its samples, ending with a line feed. Names
 * and label names are StreamPulse's own constants, so only label values and HELP are escaped.
 */
export function encodeText(families: Iterable<MetricFamily>): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = s.labels ? Object.entries(s.labels) : [];
      const set = labels.length === 0
        ? ""
        : `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
      lines.push(`${f.name}${s.suffix ?? ""}${set} ${formatValue(s.value)}`);
    }
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
