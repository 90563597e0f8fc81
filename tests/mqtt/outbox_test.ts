/** createOutbox(): latest payload per topic while the client cannot take it, bounded, oldest first. */

import type { MqttClient } from "mqtt";
import { assertEquals } from "../assert.ts";
import { createOutbox, type Qos } from "../../mqtt/outbox.ts";

interface Published {
  topic: string;
  payload: string;
  qos: Qos;
  retain: boolean;
}

/**
 * The part of an npm:mqtt client the outbox touches: `connected`, `publish()` with its callback,
 * and the socket's `writableNeedDrain` with `once("drain")`.
 */
function fakeClient(opts: { connected?: boolean; failWith?: Error } = {}) {
  const published: Published[] = [];
  const drainListeners: Array<() => void> = [];
  const stream = {
    writableNeedDrain: false,
    once(event: string, fn: () => void) {
      assertEquals(event, "drain");
      drainListeners.push(fn);
    },
  };
  const client = {
    connected: opts.connected ?? true,
    stream,
    publish(
      topic: string,
      payload: string,
      o: { qos: Qos; retain: boolean },
      cb: (err?: Error) => void,
    ) {
      published.push({ topic, payload, qos: o.qos, retain: o.retain });
      cb(opts.failWith);
    },
  };
  return {
    client: client as unknown as MqttClient,
    raw: client,
    published,
    drainListeners,
    /** The socket can take more: runs the drain listeners once, like a Node stream. */
    drain() {
      stream.writableNeedDrain = false;
      drainListeners.splice(0).forEach((fn) => fn());
    },
  };
}

function outbox(limit = 100) {
  const errors: Array<[string, string]> = [];
  let max = limit;
  const box = createOutbox({
    limit: () => max,
    onError: (topic, err) => errors.push([topic, err.message]),
  });
  return { box, errors, setLimit: (n: number) => max = n };
}

const topics = (list: Published[]) => list.map((p) => `${p.topic}=${p.payload}`);

Deno.test("createOutbox() send() publishes at once through a connected client", () => {
  const { box } = outbox();
  const fake = fakeClient();
  box.client = fake.client;
  box.send("sp/status", "{}", 1, false);
  box.send("sp/cam/state", "up", 2, true);
  assertEquals(fake.published, [
    { topic: "sp/status", payload: "{}", qos: 1, retain: false },
    { topic: "sp/cam/state", payload: "up", qos: 2, retain: true },
  ]);
  assertEquals(box.size, 0);
});

Deno.test("createOutbox() send() without a client keeps only the latest payload per topic", () => {
  const { box } = outbox();
  box.send("a", "1", 0, false);
  box.send("b", "1", 1, true);
  box.send("a", "2", 2, true);
  assertEquals(box.size, 2);
  const fake = fakeClient();
  box.client = fake.client;
  box.flush();
  // "a" was re-sent last, so it is now the newest: the order is b, a; qos and retain are a's last.
  assertEquals(fake.published, [
    { topic: "b", payload: "1", qos: 1, retain: true },
    { topic: "a", payload: "2", qos: 2, retain: true },
  ]);
  assertEquals(box.size, 0);
});

Deno.test("createOutbox() send() keeps messages while the client is not connected", () => {
  const { box } = outbox();
  const fake = fakeClient({ connected: false });
  box.client = fake.client;
  box.send("a", "1", 0, false);
  box.flush(); // still disconnected: nothing goes out
  assertEquals(fake.published, []);
  assertEquals(box.size, 1);
  fake.raw.connected = true;
  box.flush();
  assertEquals(topics(fake.published), ["a=1"]);
});

Deno.test("createOutbox() drops the oldest topic past limit()", () => {
  const { box } = outbox(3);
  for (const t of ["a", "b", "c", "d"]) box.send(t, t, 0, false);
  assertEquals(box.size, 3);
  box.send("b", "b2", 0, false); // refreshing a kept topic makes it the newest, drops nothing
  box.send("e", "e", 0, false); // drops "c", now the oldest
  const fake = fakeClient();
  box.client = fake.client;
  box.flush();
  assertEquals(topics(fake.published), ["d=d", "b=b2", "e=e"]);
});

Deno.test("createOutbox() shrinks to a lowered limit() on the next send", () => {
  const { box, setLimit } = outbox(5);
  for (const t of ["a", "b", "c", "d", "e"]) box.send(t, t, 0, false);
  setLimit(2); // e.g. streams were removed and the bound follows them
  box.send("f", "f", 0, false);
  assertEquals(box.size, 2);
  const fake = fakeClient();
  box.client = fake.client;
  box.flush();
  assertEquals(topics(fake.published), ["e=e", "f=f"]);
});

Deno.test("createOutbox() with a limit() of zero keeps nothing", () => {
  const { box } = outbox(0);
  box.send("a", "1", 0, false);
  assertEquals(box.size, 0);
});

Deno.test("createOutbox() send() queues behind a backlog so a topic never goes back to older data", () => {
  const { box } = outbox();
  box.send("a", "old", 0, false);
  const fake = fakeClient();
  box.client = fake.client; // connected, but flush() has not run yet
  box.send("b", "new", 0, false);
  box.send("a", "newer", 0, false);
  assertEquals(fake.published, []);
  box.flush();
  assertEquals(topics(fake.published), ["b=new", "a=newer"]);
  box.send("c", "direct", 0, false); // backlog empty again: straight out
  assertEquals(topics(fake.published), ["b=new", "a=newer", "c=direct"]);
});

Deno.test("createOutbox() holds messages while the socket wants a drain, then flushes on drain", () => {
  const { box } = outbox();
  const fake = fakeClient();
  box.client = fake.client;
  fake.raw.stream.writableNeedDrain = true;
  box.send("a", "1", 0, false);
  box.send("b", "1", 0, false);
  box.send("a", "2", 0, false);
  box.flush(); // still stalled
  assertEquals(fake.published, []);
  assertEquals(fake.drainListeners.length, 1); // one listener, however many messages wait
  fake.drain();
  assertEquals(topics(fake.published), ["b=1", "a=2"]);
  assertEquals(box.size, 0);
});

Deno.test("createOutbox() flush() stops as soon as the socket wants a drain", () => {
  const { box } = outbox();
  for (const t of ["a", "b", "c"]) box.send(t, t, 0, false);
  const fake = fakeClient();
  const publish = fake.raw.publish;
  fake.raw.publish = (...args: Parameters<typeof publish>) => {
    publish(...args);
    if (fake.published.length === 1) fake.raw.stream.writableNeedDrain = true;
  };
  box.client = fake.client;
  box.flush();
  assertEquals(topics(fake.published), ["a=a"]);
  assertEquals(box.size, 2);
  fake.drain();
  assertEquals(topics(fake.published), ["a=a", "b=b", "c=c"]);
});

Deno.test("createOutbox() a drain of an old client does not flush into it", () => {
  const { box } = outbox();
  const old = fakeClient();
  box.client = old.client;
  old.raw.stream.writableNeedDrain = true;
  box.send("a", "1", 0, false);
  box.client = undefined; // the connection was lost
  old.drain();
  assertEquals(old.published, []);
  assertEquals(box.size, 1);
  const next = fakeClient();
  box.client = next.client;
  box.flush();
  assertEquals(topics(next.published), ["a=1"]);
});

Deno.test("createOutbox() sendOnce() sends a retained payload once per topic until forget()", () => {
  const { box } = outbox();
  const fake = fakeClient();
  box.client = fake.client;
  box.sendOnce("sp/cam/state", "up", 1);
  box.sendOnce("sp/cam/state", "up", 1); // same payload: skipped
  box.sendOnce("sp/other/state", "up", 1); // other topic
  box.sendOnce("sp/cam/state", "down", 1); // new payload
  box.sendOnce("sp/cam/state", "down", 1);
  assertEquals(topics(fake.published), [
    "sp/cam/state=up",
    "sp/other/state=up",
    "sp/cam/state=down",
  ]);
  assertEquals(fake.published.every((p) => p.retain && p.qos === 1), true);
  box.forget("sp/cam/state"); // one topic
  box.sendOnce("sp/cam/state", "down", 1);
  box.sendOnce("sp/other/state", "up", 1);
  assertEquals(fake.published.length, 4);
  box.forget(); // all (a new connection)
  box.sendOnce("sp/cam/state", "down", 1);
  box.sendOnce("sp/other/state", "up", 1);
  assertEquals(fake.published.length, 6);
});

Deno.test("createOutbox() sendOnce() while offline keeps the payload like send()", () => {
  const { box } = outbox();
  box.sendOnce("t", "v1", 2);
  box.sendOnce("t", "v2", 2);
  assertEquals(box.size, 1);
  const fake = fakeClient();
  box.client = fake.client;
  box.flush();
  assertEquals(fake.published, [{ topic: "t", payload: "v2", qos: 2, retain: true }]);
});

Deno.test("createOutbox() clear() drops every kept message", () => {
  const { box } = outbox();
  box.send("a", "1", 0, false);
  box.send("b", "1", 0, false);
  box.clear();
  assertEquals(box.size, 0);
  const fake = fakeClient();
  box.client = fake.client;
  box.flush();
  assertEquals(fake.published, []);
});

Deno.test("createOutbox() reports a failed publish with its topic through onError", () => {
  const { box, errors } = outbox();
  const fake = fakeClient({ failWith: new Error("connection closed") });
  box.client = fake.client;
  box.send("sp/status", "{}", 1, false);
  box.client = undefined;
  box.send("kept", "x", 1, false);
  box.client = fake.client;
  box.flush();
  assertEquals(errors, [["sp/status", "connection closed"], ["kept", "connection closed"]]);
});
