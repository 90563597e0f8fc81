/** Checker: typed readers of a YAML tree that collect problems with their paths; join(); describe(). */

import { assertEquals } from "../../assert.ts";
import { Checker, type ConfigProblem, describe, join } from "../../../monitor/config/check.ts";

/** The checker's problems as `{path, message}`: their fields, without `stream` (tested apart). */
function problems(list: readonly ConfigProblem[]): ConfigProblem[] {
  return list.map(({ path, message }) => ({ path, message }));
}

/** Paths of the checker's errors, in order. */
const paths = (c: Checker) => problems(c.errors).map((p) => p.path);

/** Messages of the checker's errors, in order. */
const messages = (c: Checker) => problems(c.errors).map((p) => p.message);

Deno.test("Checker error() and warn() keep errors and warnings apart, in order", () => {
  const c = new Checker();
  c.error("streams[0].url", "is required");
  c.warn("heartbeat_seconds", "raised to 5");
  c.error("mqtt.port", "must be at most 65535, got 70000");
  assertEquals(problems(c.errors), [
    { path: "streams[0].url", message: "is required" },
    { path: "mqtt.port", message: "must be at most 65535, got 70000" },
  ]);
  assertEquals(problems(c.warnings), [{ path: "heartbeat_seconds", message: "raised to 5" }]);
});

Deno.test("Checker inStream() names the stream on the problems recorded inside it, and only there", () => {
  const c = new Checker();
  c.error("streams[0].name", "is required");
  const got = c.inStream("garage", () => {
    c.error("streams[1].url", "is required");
    c.warn("streams[1].media_check_seconds", "2 is below the minimum, using 10");
    c.inStream(undefined, () => c.error("streams[1].x", "nested, unnamed"));
    return 42;
  });
  c.error("mqtt.port", "must be at most 65535, got 70000");
  assertEquals(got, 42);
  assertEquals(c.errors, [
    { path: "streams[0].name", message: "is required" },
    { path: "streams[1].url", message: "is required", stream: "garage" },
    { path: "streams[1].x", message: "nested, unnamed" },
    { path: "mqtt.port", message: "must be at most 65535, got 70000" },
  ]);
  assertEquals(c.warnings, [{
    path: "streams[1].media_check_seconds",
    message: "2 is below the minimum, using 10",
    stream: "garage",
  }]);
});

Deno.test("Checker map() reads a mapping, gives {} for null or absent, and names the path otherwise", () => {
  const c = new Checker();
  const m = { host: "broker" };
  assertEquals(c.map(m, "mqtt") === m, true);
  assertEquals(c.map(undefined, "mqtt"), {});
  assertEquals(c.map(null, "mqtt"), {});
  assertEquals(c.errors, []);
  assertEquals(c.map(["a"], "mqtt"), {});
  assertEquals(c.map("broker", "web"), {});
  assertEquals(c.map(3, "streams[1].expect"), {});
  assertEquals(paths(c), ["mqtt", "web", "streams[1].expect"]);
  assertEquals(messages(c), [
    "must be a mapping, got a list",
    'must be a mapping, got "broker"',
    "must be a mapping, got 3",
  ]);
});

Deno.test("Checker string() reads strings, turns numbers into strings, and rejects the rest", () => {
  const c = new Checker();
  const obj = { s: "cam", n: 8554, zero: 0, empty: "", nul: null, b: true, list: [], map: {} };
  assertEquals(c.string(obj, "s", "streams[0]"), "cam");
  assertEquals(c.string(obj, "n", "streams[0]"), "8554");
  assertEquals(c.string(obj, "zero", "streams[0]"), "0");
  assertEquals(c.string(obj, "empty", "streams[0]"), "");
  assertEquals(c.string(obj, "nul", "streams[0]"), undefined);
  assertEquals(c.string(obj, "missing", "streams[0]"), undefined);
  assertEquals(c.errors, []);
  assertEquals(c.string(obj, "b", "streams[0]"), undefined);
  assertEquals(c.string(obj, "list", "streams[0]"), undefined);
  assertEquals(c.string(obj, "map", ""), undefined);
  assertEquals(paths(c), ["streams[0].b", "streams[0].list", "map"]);
  assertEquals(messages(c), [
    "must be a string, got true",
    "must be a string, got a list",
    "must be a string, got a mapping",
  ]);
});

Deno.test("Checker bool() reads booleans and keeps the fallback for absent or wrong values", () => {
  const c = new Checker();
  const obj = { yes: true, no: false, nul: null, word: "yes", one: 1 };
  assertEquals(c.bool(obj, "yes", "mqtt", false), true);
  assertEquals(c.bool(obj, "no", "mqtt", true), false);
  assertEquals(c.bool(obj, "nul", "mqtt", true), true);
  assertEquals(c.bool(obj, "missing", "mqtt", false), false);
  assertEquals(c.errors, []);
  assertEquals(c.bool(obj, "word", "mqtt", true), true);
  assertEquals(c.bool(obj, "one", "mqtt", false), false);
  assertEquals(paths(c), ["mqtt.word", "mqtt.one"]);
  assertEquals(messages(c), ['must be true or false, got "yes"', "must be true or false, got 1"]);
});

Deno.test("Checker number() reads numbers within bounds, inclusive", () => {
  const c = new Checker();
  const range = { fallback: 30, min: 5, max: 3600 };
  assertEquals(c.number({ v: 5 }, "v", "", range), 5);
  assertEquals(c.number({ v: 3600 }, "v", "", range), 3600);
  assertEquals(c.number({ v: 7.5 }, "v", "", range), 7.5);
  assertEquals(c.number({ v: -2 }, "v", "", { fallback: 1 }), -2); // no bounds given
  assertEquals(c.number({}, "v", "", range), 30);
  assertEquals(c.number({ v: null }, "v", "", range), 30);
  assertEquals(c.errors, []);
});

Deno.test("Checker number() gives the fallback and names the path for a wrong value", () => {
  const c = new Checker();
  const opts = { fallback: 30, min: 5, max: 3600, integer: true };
  const path = "streams[3]";
  const bad = { s: "10", nan: NaN, inf: Infinity, b: false, frac: 7.5, low: 4, high: 3601 };
  for (const key of Object.keys(bad)) assertEquals(c.number(bad, key, path, opts), 30, key);
  assertEquals(paths(c), Object.keys(bad).map((k) => `streams[3].${k}`));
  assertEquals(messages(c), [
    'must be a number, got "10"',
    "must be a number, got NaN",
    "must be a number, got Infinity",
    "must be a number, got false",
    "must be a whole number, got 7.5",
    "must be at least 5, got 4",
    "must be at most 3600, got 3601",
  ]);
});

Deno.test("Checker number() reports one problem per value, the first rule that fails", () => {
  const c = new Checker();
  // 0.5 is below min and not whole: only "whole number" is reported.
  c.number({ v: 0.5 }, "v", "web", { fallback: 1, min: 1, integer: true });
  assertEquals(problems(c.errors), [{ path: "web.v", message: "must be a whole number, got 0.5" }]);
});

Deno.test("Checker port() accepts 1-65535 whole numbers only", () => {
  const c = new Checker();
  assertEquals(c.port({ port: 1 }, "port", "mqtt", 1883), 1);
  assertEquals(c.port({ port: 65535 }, "port", "mqtt", 1883), 65535);
  assertEquals(c.port({}, "port", "mqtt", 1883), 1883);
  assertEquals(c.errors, []);
  for (const port of [0, 65536, 80.5, "80"]) {
    assertEquals(c.port({ port }, "port", "web", 8080), 8080);
  }
  assertEquals(paths(c), ["web.port", "web.port", "web.port", "web.port"]);
  assertEquals(messages(c), [
    "must be at least 1, got 0",
    "must be at most 65535, got 65536",
    "must be a whole number, got 80.5",
    'must be a number, got "80"',
  ]);
});

Deno.test("join() joins a path and a key, and a key alone at the root", () => {
  assertEquals(join("mqtt", "port"), "mqtt.port");
  assertEquals(join("streams[2]", "url"), "streams[2].url");
  assertEquals(join("", "heartbeat_seconds"), "heartbeat_seconds");
});

Deno.test("describe() names YAML values for error messages", () => {
  assertEquals(describe(null), "null");
  assertEquals(describe(undefined), "undefined");
  assertEquals(describe([1, 2]), "a list");
  assertEquals(describe([]), "a list");
  assertEquals(describe({ a: 1 }), "a mapping");
  assertEquals(describe("abc"), '"abc"');
  assertEquals(describe('say "hi"\n'), '"say \\"hi\\"\\n"'); // quoted as JSON: one line, escaped
  assertEquals(describe(""), '""');
  assertEquals(describe(42), "42");
  assertEquals(describe(-0.5), "-0.5");
  assertEquals(describe(true), "true");
});

Deno.test("describe() shortens strings longer than 60 characters to 57 and an ellipsis", () => {
  const sixty = "x".repeat(60);
  assertEquals(describe(sixty), JSON.stringify(sixty));
  const long = "y".repeat(61);
  assertEquals(describe(long), JSON.stringify("y".repeat(57) + "..."));
  assertEquals(describe("z".repeat(100_000)).length, 62); // 60 characters and two quotes
});
