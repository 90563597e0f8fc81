/** The public face of monitor/config/: what code outside the folder may import. */

export { Checker } from "./check.ts";
export { ConfigConflictError, editConfigFile, watchConfigFile } from "./file.ts";
export { createConfigHolder } from "./holder.ts";
export type { MqttConfig } from "./mqtt.ts";
export { checkUrl, ConfigError, formatProblem, formatProblems, parseConfig } from "./parse.ts";
export type { Config, ConfigProblem } from "./parse.ts";
export { readConfigFile } from "./read.ts";
export type { ConfigRead } from "./read.ts";
export type { PreviewConfig } from "./web.ts";
