/** createBus(): subscribe, emit, unsubscribe, and listeners that throw. */

import { assertEquals } from "../assert.ts";
import { type BusEvents, createBus } from "../../monitor/bus.ts";

const error = (message: string): BusEvents["config-error"] => ({ message });

Deno.test("createBus() emit() calls every listener of the type in subscription order", () => {
  const bus = createBus();
  const heard: string[] = [];
  bus.on("config-error", (e) => heard.push(`first ${e.message}`));
  bus.on("config-error", (e) => heard.push(`second ${e.message}`));
  bus.emit("config-error", error("bad yaml"));
  assertEquals(heard, ["first bad yaml", "second bad yaml"]);
});

Deno.test("createBus() emit() passes the payload object itself", () => {
  const bus = createBus();
  const payload = error("x");
  let got: unknown;
  bus.on("config-error", (e) => got = e);
  bus.emit("config-error", payload);
  assertEquals(got === payload, true);
});

Deno.test("createBus() emit() reaches only listeners of that type", () => {
  const bus = createBus();
  const heard: string[] = [];
  bus.on("config-error", () => heard.push("config-error"));
  bus.on("result", () => heard.push("result"));
  bus.emit("config-error", error("x"));
  assertEquals(heard, ["config-error"]);
});

Deno.test("createBus() emit() without listeners does nothing", () => {
  const errors: unknown[] = [];
  const bus = createBus((err) => errors.push(err));
  bus.emit("config-error", error("nobody listens"));
  const off = bus.on("config-error", () => {});
  off();
  bus.emit("config-error", error("nobody listens any more"));
  assertEquals(errors, []);
});

Deno.test("createBus() on() returns an unsubscribe that removes only that listener", () => {
  const bus = createBus();
  const heard: string[] = [];
  const offA = bus.on("config-error", (e) => heard.push(`a ${e.message}`));
  bus.on("config-error", (e) => heard.push(`b ${e.message}`));
  bus.emit("config-error", error("1"));
  offA();
  offA(); // a second call is harmless
  bus.emit("config-error", error("2"));
  assertEquals(heard, ["a 1", "b 1", "b 2"]);
});

Deno.test("createBus() a listener may unsubscribe itself while being called", () => {
  const bus = createBus();
  const heard: string[] = [];
  const off = bus.on("config-error", () => {
    heard.push("once");
    off();
  });
  bus.on("config-error", () => heard.push("always"));
  bus.emit("config-error", error("1"));
  bus.emit("config-error", error("2"));
  assertEquals(heard, ["once", "always", "always"]);
});

Deno.test("createBus() a throwing listener reaches onListenerError and does not stop the others", () => {
  const errors: unknown[] = [];
  const bus = createBus((err) => errors.push(err));
  const heard: string[] = [];
  const boom = new Error("listener broke");
  bus.on("config-error", () => heard.push("before"));
  bus.on("config-error", () => {
    throw boom;
  });
  bus.on("config-error", () => {
    throw "not an Error"; // anything thrown is handed on as it is
  });
  bus.on("config-error", () => heard.push("after"));
  bus.emit("config-error", error("x")); // does not throw
  assertEquals(heard, ["before", "after"]);
  assertEquals(errors.length, 2);
  assertEquals(errors[0] === boom, true);
  assertEquals(errors[1], "not an Error");
  // The bus keeps working, and the throwing listeners stay subscribed.
  bus.emit("config-error", error("y"));
  assertEquals(heard, ["before", "after", "before", "after"]);
  assertEquals(errors.length, 4);
});

Deno.test("createBus() reports listener errors through console.error by default", () => {
  const original = console.error;
  const logged: unknown[][] = [];
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const bus = createBus();
    const boom = new Error("default sink");
    bus.on("config-error", () => {
      throw boom;
    });
    bus.emit("config-error", error("x"));
    assertEquals(logged.length, 1);
    assertEquals(logged[0][0] === boom, true);
  } finally {
    console.error = original;
  }
});
