/** Run as a script: a fleet node's createMqttTask() over a static world, serving forever. */

import type { MqttConfig } from "../../monitor/config/mqtt.ts";
import { createLogger } from "../../monitor/log.ts";
import { createMqttTask } from "../../mqtt/publisher.ts";
import { staticWorld } from "../fixtures/mqtt_task_proc.ts";

// Usage: deno run -A fleet_node_proc.ts '<MqttConfig JSON>' <node name>; prints "connected".
const config = JSON.parse(Deno.args[0]) as MqttConfig;
const world = staticWorld(["Front Door", "Back Yard"]);
const task = createMqttTask({
  config: () => config,
  view: world.view,
  bus: world.bus,
  streams: world.streams,
  logger: createLogger({ write: (line) => console.error(line) }),
  node: { name: Deno.args[1] },
});
task.run(new AbortController().signal);
while (!task.health().connected) await new Promise((r) => setTimeout(r, 20));
console.log("connected");
