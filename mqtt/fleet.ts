/** Fleet mode of the MQTT task: each node's availability topic and client id, and whose states it publishes. */

import { baseSlug, type TopicConfig } from "./topics.ts";

/** This StreamPulse as one node of a fleet (see the README's Fleet section). */
export interface FleetNode {
  /** The node's name (`node.name`): its availability topic and client id carry it. */
  name: string;
  /**
   * Whether this node may publish the stream's state now: it owns the stream and its lease is
   * valid (fencing). Absent: the most recent local event decides alone (see {@link createStateOwners}).
   */
  owns?: (stream: string) => boolean;
}

/**
 * The node as one topic level: its name with the characters MQTT reserves in a level (`/`, `+`,
 * `#`) replaced by `_` (`node.name` cannot hold control characters). Names are unique in a fleet.
 */
export function nodeLevel(name: string): string {
  return name.replace(/[/+#]/g, "_") || "_";
}

/** `<base>/node/<name>/availability`: this node's retained `online`/`offline` and last will. */
export function nodeAvailabilityTopic(cfg: TopicConfig, node: string): string {
  return `${cfg.baseTopic}/node/${nodeLevel(node)}/availability`;
}

/**
 * The client id of a fleet node. Every node reads the same shared config, so a configured
 * `mqtt.client_id` gets `-<node slug>` appended (two nodes with one id would throw each other off
 * the broker); else `streampulse-<node slug>-<8 random hex digits>`.
 */
export function nodeClientId(node: string, configured?: string): string {
  if (configured) return `${configured}-${baseSlug(node)}`;
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  const random = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `streampulse-${baseSlug(node)}-${random}`;
}

/** Which streams' state a fleet node publishes; see {@link createStateOwners}. */
export interface StateOwners {
  /** A local event (this node checked the stream): true when the stream was not this node's before. */
  local(stream: string): boolean;
  /** An event with `origin` (another node checked it): the stream is no longer this node's. */
  remote(stream: string): void;
  /** Whether this node publishes the stream's state now. */
  publishes(stream: string): boolean;
  /** Forgets streams that left the config. */
  keep(streams: Set<string>): void;
}

/**
 * Tracks the streams a fleet node publishes: those whose most recent event came from this node
 * (no `origin`), and, when the node gives `owns`, only while that holds too. The events decide
 * because they follow ownership: the owner's checks are local events here, another owner's reach
 * this node as mirrored events with `origin`. So a new owner starts publishing with its first check
 * (the takeover), and the old owner stops as soon as it sees the new owner's result.
 */
export function createStateOwners(node: FleetNode): StateOwners {
  const mine = new Set<string>();
  return {
    local(stream) {
      if (mine.has(stream)) return false;
      mine.add(stream);
      return true;
    },
    remote: (stream) => void mine.delete(stream),
    publishes: (stream) => mine.has(stream) && (node.owns?.(stream) ?? true),
    keep(streams) {
      for (const s of mine) if (!streams.has(s)) mine.delete(s);
    },
  };
}
