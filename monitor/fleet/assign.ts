/** Which live node checks which configured stream, by name (pure): owners() plus the fallbacks. */

import { DEFAULT_SITE, type FleetNode, type FleetStream, owners } from "./rendezvous.ts";

/** What assignment needs of a configured stream (a `StreamConfig` fits). */
export interface AssignedStream extends FleetStream {
  enabled: boolean;
}

/** A site no node names: the whole fleet, for streams whose own site has no live node. */
const ANY_SITE = "\0fleet";

/**
 * The owner of every configured stream, by stream name:
 *
 * | stream                                   | owner                                          |
 * | ---------------------------------------- | ---------------------------------------------- |
 * | disabled                                 | undefined (nobody checks it)                   |
 * | its site has live nodes                  | rendezvous over that site's live nodes         |
 * | its site has none, the fleet has some    | rendezvous over every live node (fallback)     |
 * | no live node at all                      | undefined                                      |
 *
 * The fallback keeps a stream checked when its site's nodes are all gone (a site being moved,
 * its node down): a check from afar beats none, and the stream moves back by itself as soon as
 * a node of its site is live again. Keys are `id ?? name` (owners()), so a rename keeps the owner.
 * Every node computes the same map from the same live set.
 */
export function assignStreams(
  streams: readonly AssignedStream[],
  live: readonly FleetNode[],
): Map<string, string | undefined> {
  const sites = new Set(live.map((n) => n.site));
  const enabled = streams.filter((s) => s.enabled);
  const local = enabled.filter((s) => sites.has(s.site ?? DEFAULT_SITE));
  const orphans = enabled.filter((s) => !sites.has(s.site ?? DEFAULT_SITE));
  const byKey = owners(local, live);
  if (orphans.length > 0) {
    const anywhere = owners(
      orphans.map((s) => ({ name: s.name, id: s.id, site: ANY_SITE })),
      live.map((n) => ({ name: n.name, site: ANY_SITE })),
    );
    for (const [key, owner] of anywhere) byKey.set(key, owner);
  }
  const out = new Map<string, string | undefined>();
  for (const s of streams) out.set(s.name, s.enabled ? byKey.get(s.id ?? s.name) : undefined);
  return out;
}
