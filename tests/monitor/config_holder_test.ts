import { assertEquals, assertStringIncludes } from "../assert.ts";
import { createBus } from "../../monitor/bus.ts";
import { parseConfig } from "../../monitor/config.ts";
import { createConfigHolder } from "../../monitor/config_holder.ts";
import { createLogger } from "../../monitor/log.ts";

Deno.test("createConfigHolder() applies valid edits and keeps the last good config on a bad one", () => {
  const lines: string[] = [];
  const bus = createBus();
  const events: string[] = [];
  bus.on("config-reloaded", (e) => events.push(`reloaded ${e.config.heartbeatSeconds}`));
  bus.on("config-error", (e) => events.push(`error ${e.message}`));
  const applied: number[] = [];
  const h = createConfigHolder({
    path: "/x/config.yaml",
    initial: parseConfig("heartbeat_seconds: 10\nmqtt: {password: hunter22}\n"),
    logger: createLogger({ write: (l) => lines.push(l) }),
    bus,
    onApply: (c) => applied.push(c.heartbeatSeconds),
  });
  assertEquals(h.apply("heartbeat_seconds: 20\n"), true);
  assertEquals(h.apply("heartbeat_seconds: soon\n"), false);
  assertEquals(h.current().heartbeatSeconds, 20);
  assertStringIncludes(h.state().error!, 'heartbeat_seconds: must be a number, got "soon"');
  assertEquals(h.apply("heartbeat_seconds: 30\n"), true);
  assertEquals(h.state().error, null);
  assertEquals(h.state().reloads, 2);
  assertEquals(applied, [20, 30]);
  assertEquals(events.map((e) => e.split(":")[0]), [
    "reloaded 20",
    "error Invalid config",
    "reloaded 30",
  ]);
  assertStringIncludes(lines.join("\n"), "keeping the last good config");
});
