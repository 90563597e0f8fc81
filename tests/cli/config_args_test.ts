/** parseCli() for `streampulse config import FILE [--force]` and `config export`. */

import { assertEquals, assertThrows } from "../assert.ts";
import { parseCli, UsageError } from "../../cli/mod.ts";

const env = () => undefined;

Deno.test("parseCli() reads config import FILE with --force and --config", () => {
  const c = parseCli(
    ["config", "import", "fleet.yaml", "--force", "--config", "/etc/sp.yaml"],
    env,
  );
  assertEquals([c.command, c.configAction, c.force, c.configPath], [
    "config",
    "import",
    true,
    "/etc/sp.yaml",
  ]);
  assertEquals(c.target, "fleet.yaml");
});

Deno.test("parseCli() reads config export, without --force by default", () => {
  const c = parseCli(["config", "export"], env);
  assertEquals([c.command, c.configAction, c.force, c.target], [
    "config",
    "export",
    false,
    undefined,
  ]);
});

Deno.test("parseCli() refuses config without an action, with an unknown one or a wrong FILE count", () => {
  const message = (argv: string[]) => assertThrows(() => parseCli(argv, env), UsageError).message;
  assertEquals(
    message(["config"]),
    '"config" needs import or export: streampulse config import FILE [--force] | ' +
      "streampulse config export",
  );
  assertEquals(message(["config", "frob"]).startsWith('Unknown config action "frob"'), true);
  assertEquals(
    message(["config", "import"]).startsWith('"config import" needs exactly one FILE'),
    true,
  );
  assertEquals(message(["config", "import", "a", "b"]).startsWith('"config import" needs'), true);
  assertEquals(message(["config", "export", "x"]), 'Unexpected argument "x" for "config export"');
});

Deno.test("parseCli() leaves --force off for other commands", () => {
  assertEquals(parseCli(["validate", "x.yaml"], env).force, false);
});
