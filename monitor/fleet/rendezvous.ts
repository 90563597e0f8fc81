/** Which live node of a site owns which stream: rendezvous (highest-random-weight) hashing, pure. */

import { compare64, fmix64, fnv1a64, type Hash64, hex64, utf8 } from "./hash.ts";

/** The site of a stream or node that names none (`StreamConfig.site` absent). */
export const DEFAULT_SITE = "default";

/** What ownership needs of a stream (a `StreamConfig` fits). */
export interface FleetStream {
  name: string;
  /** Absent: {@link DEFAULT_SITE}. */
  site?: string;
  /** The stable id that survives renames; absent: the name is the key. */
  id?: string;
}

/** A live node of the fleet (see `liveNodes()`). */
export interface FleetNode {
  name: string;
  site: string;
}

/**
 * The owner map: stream key → the owning node's name, or `undefined` when the stream is
 * **unowned** (no live node in its site; see {@link ownerLabel}).
 */
export type Owners = Map<string, string | undefined>;

/** The key a stream is owned by: `id ?? name`, so a rename keeps its owner. */
export function streamKey(stream: FleetStream): string {
  return stream.id ?? stream.name;
}

/** How an owner reads in logs and pages: the node's name, or "unowned". */
export function ownerLabel(owner: string | undefined): string {
  return owner ?? "unowned";
}

// Between node name and stream key, so ("ab", "c") and ("a", "bc") hash apart. Names hold no NUL.
const SEPARATOR = new Uint8Array([0]);

/** A node with its FNV state after `name + "\0"`: hashed once, continued for every stream. */
interface Prepared {
  name: string;
  prefix: Hash64;
}

function prepare(name: string): Prepared {
  return { name, prefix: fnv1a64(SEPARATOR, fnv1a64(utf8(name))) };
}

function weightFrom(node: Prepared, key: Uint8Array): Hash64 {
  return fmix64(fnv1a64(key, node.prefix));
}

/**
 * A node's weight for a stream: `fmix64(fnv1a64(utf8(node + "\0" + key)))` as 16 hex digits.
 * FNV-1a 64 is tiny, fast and specified byte for byte, so every process (and a future SQL or
 * other-language port) computes the same value; the MurmurHash3 finaliser gives it the avalanche
 * that rendezvous hashing needs (see `fmix64`). Not a cryptographic hash: node names are our own.
 */
export function rendezvousWeight(node: string, key: string): string {
  return hex64(weightFrom(prepare(node), utf8(key)));
}

/**
 * Assigns every stream to one live node of its own site by highest random weight: each node's
 * weight for the stream key is hashed, and the heaviest node owns it (ties, which need equal
 * 64-bit weights, go to the smaller name). Because a stream's weights do not depend on the other
 * nodes, a node joining takes ≈ 1/(n+1) of its site's streams (and only those move), and a node
 * dying gives away only its own streams. The result depends on neither the order of `streams`
 * nor that of `nodes`; a node listed twice counts once. Streams of a site with no live node are
 * unowned (`undefined`). Streams sharing a key share one entry (the key is the stream's identity).
 *
 * Cost: one FNV pass over the key per node of the stream's site; 10,000 streams over 10 nodes is
 * 100,000 short hashes.
 */
export function owners(streams: readonly FleetStream[], nodes: readonly FleetNode[]): Owners {
  const bySite = new Map<string, Prepared[]>();
  const seen = new Set<string>();
  for (const node of nodes) {
    const id = node.site + "\0" + node.name;
    if (seen.has(id)) continue;
    seen.add(id);
    const list = bySite.get(node.site) ?? [];
    list.push(prepare(node.name));
    bySite.set(node.site, list);
  }
  const out: Owners = new Map();
  for (const stream of streams) {
    const key = streamKey(stream);
    const candidates = bySite.get(stream.site ?? DEFAULT_SITE);
    out.set(key, candidates ? heaviest(candidates, utf8(key)) : undefined);
  }
  return out;
}

function heaviest(nodes: readonly Prepared[], key: Uint8Array): string {
  let best = nodes[0];
  let bestWeight = weightFrom(best, key);
  for (let i = 1; i < nodes.length; i++) {
    const w = weightFrom(nodes[i], key);
    const c = compare64(w, bestWeight);
    if (c > 0 || (c === 0 && nodes[i].name < best.name)) {
      best = nodes[i];
      bestWeight = w;
    }
  }
  return best.name;
}
