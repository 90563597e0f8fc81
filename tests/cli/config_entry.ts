/**
 * `streampulse config …` as its own process until main.ts dispatches it: the command line goes
 * through parseCli() and configCommand() exactly as main() passes them (tests/cli/config_test.ts).
 */

import { configCommand, parseCli, UsageError } from "../../cli/mod.ts";

try {
  const cli = parseCli(Deno.args, (k) => Deno.env.get(k));
  Deno.exit(await configCommand(cli));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`streampulse: ${err.message}`);
  Deno.exit(2);
}
