/** The image entity's feed: a stream's last good JPEG, retained, bounded in size and rate. */

import { Buffer } from "node:buffer";
import type { MqttClient } from "mqtt";
import type { Qos } from "./outbox.ts";

/** Largest snapshot published (bigger ones are skipped with a debug line). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024;
/** Shortest time between two snapshot reads of one stream. */
export const SNAPSHOT_MIN_INTERVAL_MS = 60_000;

/** Dependencies of {@link createSnapshotFeed}. */
export interface SnapshotFeedDeps {
  /** The stream's last good JPEG (the media task's `snapshot(name, "last")`), if any. */
  load: (name: string) => Promise<Uint8Array | undefined>;
  now: () => number;
  /** Hears why a snapshot was not published (too big, unreadable). */
  debug: (message: string) => void;
  minIntervalMs?: number;
  maxBytes?: number;
}

/** See {@link createSnapshotFeed}. */
export interface SnapshotFeed {
  /**
   * After a check result: at most once per interval per stream, reads the snapshot and, when its
   * bytes changed since the last publish on this connection, publishes it retained to `topic`.
   * Resolves true when it published. Never throws.
   */
  offer(
    name: string,
    topic: string,
    client: MqttClient | undefined,
    qos: Qos,
  ): Promise<boolean>;
  /** A new connection: every snapshot goes out again (once its interval allows). */
  reset(): void;
}

async function digest(bytes: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Creates the snapshot feed. Snapshots never wait in the offline outbox (a thousand 256 KiB
 * pictures would not fit its memory bound): while disconnected or while the socket wants a
 * drain, an offer is skipped and the next result after the interval tries again.
 */
export function createSnapshotFeed(deps: SnapshotFeedDeps): SnapshotFeed {
  const every = deps.minIntervalMs ?? SNAPSHOT_MIN_INTERVAL_MS;
  const max = deps.maxBytes ?? MAX_SNAPSHOT_BYTES;
  const tried = new Map<string, number>();
  const sent = new Map<string, string>(); // topic → SHA-256 of the bytes published there
  const busy = new Set<string>();
  return {
    async offer(name, topic, client, qos) {
      const t = deps.now();
      if (!client?.connected || busy.has(name)) return false;
      if (t - (tried.get(name) ?? -Infinity) < every) return false;
      tried.set(name, t);
      busy.add(name);
      try {
        const bytes = await deps.load(name);
        if (!bytes || bytes.length === 0) return false;
        if (bytes.length > max) {
          deps.debug(`mqtt: snapshot of "${name}" is ${bytes.length} bytes (max ${max}); skipped`);
          return false;
        }
        const hash = await digest(bytes);
        if (sent.get(topic) === hash || !client.connected) return false;
        if ((client.stream as { writableNeedDrain?: boolean }).writableNeedDrain) return false;
        sent.set(topic, hash);
        const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        client.publish(topic, payload, { qos, retain: true }, (err) => {
          if (err) sent.delete(topic);
        });
        return true;
      } catch (err) {
        deps.debug(`mqtt: snapshot of "${name}" not published: ${(err as Error).message}`);
        return false;
      } finally {
        busy.delete(name);
      }
    },
    reset() {
      tried.clear();
      sent.clear();
    },
  };
}
