/** `streampulse schema`: prints config.yaml's JSON Schema (the same text as config.schema.json). */

import { configJsonSchemaText } from "../monitor/config/mod.ts";

/**
 * Prints the JSON Schema to `out` (one call, the text without its final line break, as
 * console.log adds one: `streampulse schema > config.schema.json` writes the shipped file).
 */
export function schemaCommand(out: (text: string) => void = console.log): number {
  out(configJsonSchemaText().trimEnd());
  return 0;
}
