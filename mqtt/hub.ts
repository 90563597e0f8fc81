/** Pure Home Assistant discovery of StreamPulse itself: the hub device and, in a fleet, one device per node. */

import { type DiscoveryInfo, hubId, originOf } from "./discovery.ts";
import { nodeAvailabilityTopic } from "./fleet.ts";
import {
  availabilityTopic,
  baseSlug,
  nodeId,
  OFFLINE,
  ONLINE,
  type TopicConfig,
} from "./topics.ts";

/**
 * The hub device (`<prefix>/device/<node>/_streampulse/config`), which every stream device names
 * as `via_device`: a connectivity entity (`name: null`) and a "Streams down" count read from the
 * whole-status topic. A single StreamPulse's connectivity reads `<base>/availability` itself (so
 * it shows OFF, not unavailable, when StreamPulse is gone). A fleet has no one availability
 * topic: every node publishes the whole status each interval, so the hub reads that topic and is
 * ON while any node does, unavailable `info.fleet.statusExpireAfter` seconds after the last one
 * stopped; each node's own connectivity is its node device ({@link nodeDevicePayload}).
 */
export function hubDevicePayload(cfg: TopicConfig, info: DiscoveryInfo): string {
  const id = hubId(cfg);
  const fleet = info.fleet;
  const status = fleet
    ? {
      state_topic: info.statusTopic,
      value_template: `{{ '${ONLINE}' }}`,
      expire_after: fleet.statusExpireAfter,
    }
    : { state_topic: availabilityTopic(cfg) };
  return JSON.stringify({
    dev: {
      identifiers: [id],
      name: `StreamPulse (${cfg.baseTopic})`,
      manufacturer: "StreamPulse",
      model: "Stream monitor hub",
      sw_version: info.version,
      ...(info.baseUrl ? { configuration_url: `${info.baseUrl}/` } : {}),
    },
    o: originOf(info),
    cmps: {
      status: {
        p: "binary_sensor",
        name: null,
        unique_id: `${id}_status`,
        device_class: "connectivity",
        ...status,
        payload_on: ONLINE,
        payload_off: OFFLINE,
        qos: info.qos,
      },
      streams_down: {
        p: "sensor",
        name: "Streams down",
        unique_id: `${id}_streams_down`,
        state_topic: info.statusTopic,
        state_class: "measurement",
        icon: "mdi:cctv-off",
        value_template:
          "{{ value_json.values() | selectattr('state', 'eq', 'down') | list | count }}",
        ...(fleet
          ? { expire_after: fleet.statusExpireAfter }
          : { availability: [{ topic: availabilityTopic(cfg) }] }),
        qos: info.qos,
      },
    },
  });
}

/**
 * The object id of a fleet node's device: `_node_<slug>`. A stream slug never starts with "_",
 * so it can be no stream's, and `_node_` is not the hub's `_streampulse`.
 */
export function nodeObjectId(node: string): string {
  return `_node_${baseSlug(node)}`;
}

/** `<prefix>/device/<node id>/_node_<slug>/config`: a fleet node's own device. */
export function nodeDeviceTopic(cfg: TopicConfig, node: string): string {
  return `${cfg.discoveryPrefix}/device/${nodeId(cfg)}/${nodeObjectId(node)}/config`;
}

/**
 * A fleet node's device, `via_device` the hub: one connectivity entity reading the node's own
 * `<base>/node/<name>/availability` (its last will), so Home Assistant shows which node is gone.
 * Only that node publishes it.
 */
export function nodeDevicePayload(cfg: TopicConfig, node: string, info: DiscoveryInfo): string {
  const id = `${nodeId(cfg)}_${nodeObjectId(node)}`;
  return JSON.stringify({
    dev: {
      identifiers: [id],
      name: `StreamPulse node ${node}`,
      manufacturer: "StreamPulse",
      model: "Fleet node",
      sw_version: info.version,
      via_device: hubId(cfg),
    },
    o: originOf(info),
    cmps: {
      status: {
        p: "binary_sensor",
        name: null,
        unique_id: `${id}_status`,
        device_class: "connectivity",
        state_topic: nodeAvailabilityTopic(cfg, node),
        payload_on: ONLINE,
        payload_off: OFFLINE,
        qos: info.qos,
      },
    },
  });
}
