/** The public face of cli/: what code outside the folder may import. */

export { parseCli, UsageError } from "./args.ts";
export type { Cli, Command, ConfigAction } from "./args.ts";
export { checkCommand } from "./check.ts";
export { configCommand, databaseLabel } from "./config.ts";
export type { ConfigCommandArgs, ConfigCommandDeps } from "./config.ts";
export { healthcheckCommand } from "./healthcheck.ts";
export { helpText } from "./help.ts";
export { passwdCommand } from "./passwd.ts";
export { schemaCommand } from "./schema.ts";
export { validateCommand } from "./validate.ts";
