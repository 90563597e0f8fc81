/** The offline outbox: the latest payload per topic while the MQTT client cannot take it. */

import type { MqttClient } from "mqtt";

/** QoS levels of MQTT. */
export type Qos = 0 | 1 | 2;

/** Where the task's publishes go: the connected client, or a latest-per-topic map meanwhile. */
export interface Outbox {
  /** The connected client; while undefined, publishes are kept until {@link Outbox.flush}. */
  client: MqttClient | undefined;
  /** Publishes now, or keeps it as the topic's latest payload (the oldest drop past the limit). */
  send(topic: string, payload: string, qos: Qos, retain: boolean): void;
  /** A retained publish, skipped when the same payload already went to `topic` on this client. */
  sendOnce(topic: string, payload: string, qos: Qos): void;
  /** Forgets what was sent: all of it (a new connection) or one topic (a cleared one). */
  forget(topic?: string): void;
  /** Drops the message kept for `topic` and forgets what was sent there (another node took it). */
  drop(topic: string): void;
  /** Sends every kept message through the client, oldest first. */
  flush(): void;
  /** Drops every kept message. */
  clear(): void;
  /** How many topics are kept. */
  readonly size: number;
}

/** Dependencies of {@link createOutbox}. */
export interface OutboxDeps {
  /** How many topics may wait at most. */
  limit: () => number;
  /** Hears a publish that failed, with its topic. */
  onError: (topic: string, err: Error) => void;
}

/**
 * Creates an {@link Outbox}. Nothing reaches npm:mqtt while disconnected (its offline queue has
 * no bound) or while the socket wants a drain (npm:mqtt would add one "drain" listener per
 * message): such publishes wait here, one payload per topic, at most `limit()` topics, and go
 * out oldest first once the socket drains or the next connection comes up.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const kept = new Map<string, { payload: string; qos: Qos; retain: boolean }>();
  const sent = new Map<string, string>();
  let draining: MqttClient | undefined;
  const stalled = (cl: MqttClient) => {
    if (!(cl.stream as { writableNeedDrain?: boolean }).writableNeedDrain) return false;
    if (draining !== cl) {
      draining = cl;
      cl.stream.once("drain", () => {
        draining = undefined;
        if (box.client === cl) box.flush();
      });
    }
    return true;
  };
  const publish = (
    cl: MqttClient,
    topic: string,
    m: { payload: string; qos: Qos; retain: boolean },
  ) =>
    cl.publish(topic, m.payload, { qos: m.qos, retain: m.retain }, (err) => {
      if (err) deps.onError(topic, err);
    });
  const box: Outbox = {
    client: undefined,
    send(topic, payload, qos, retain) {
      const cl = box.client;
      // With a backlog, new messages queue behind it, so a topic never goes back to older data.
      if (cl?.connected && kept.size === 0 && !stalled(cl)) {
        return void publish(cl, topic, { payload, qos, retain });
      }
      kept.delete(topic); // re-insert, so the map stays ordered oldest-first
      kept.set(topic, { payload, qos, retain });
      const max = Math.max(0, deps.limit()); // a lowered limit drops down to it at once
      while (kept.size > max) kept.delete(kept.keys().next().value!);
    },
    sendOnce(topic, payload, qos) {
      if (sent.get(topic) === payload) return;
      sent.set(topic, payload);
      box.send(topic, payload, qos, true);
    },
    forget: (topic) => topic === undefined ? sent.clear() : void sent.delete(topic),
    drop(topic) {
      kept.delete(topic);
      sent.delete(topic);
    },
    flush() {
      const cl = box.client;
      if (!cl?.connected) return;
      for (const [topic, m] of kept) {
        if (stalled(cl)) return;
        kept.delete(topic);
        publish(cl, topic, m);
      }
    },
    clear: () => kept.clear(),
    get size() {
      return kept.size;
    },
  };
  return box;
}
