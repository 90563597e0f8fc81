/** Pure Home Assistant device-based discovery payloads: one device per stream, one hub device. */

import {
  availabilityTopic,
  nodeId,
  OFFLINE,
  ONLINE,
  snapshotTopic,
  stateTopic,
  type TopicConfig,
} from "./topics.ts";

/** What the discovery builders need besides the topic settings. */
export interface DiscoveryInfo {
  /** StreamPulse's version (`sw_version` of the devices, `o.sw`). */
  version: string;
  /** The dashboard's public URL (`alerts.base_url`, no trailing "/"); absent: no links. */
  baseUrl?: string;
  /** `mqtt.topic`: the whole-status JSON the hub's "Streams down" sensor reads. */
  statusTopic: string;
  /** QoS of the entities' subscriptions. */
  qos: 0 | 1 | 2;
  /**
   * Set in fleet mode: no one process speaks for a stream, so no entity reads a process's
   * availability topic; status-fed entities expire after `statusExpireAfter` seconds instead.
   */
  fleet?: { statusExpireAfter: number };
}

/** One stream as discovery sees it. */
export interface DiscoveryStream {
  name: string;
  slug: string;
  /** Seconds after which Home Assistant marks the entities unavailable without a new state. */
  expireAfter?: number;
}

/** The hub device's identifier: `__` cannot occur in a slug, so it never equals a stream's. */
export function hubId(cfg: TopicConfig): string {
  return `${nodeId(cfg)}__hub`;
}

/** How often a state may be missed before Home Assistant calls it stale. */
export const EXPIRE_FACTOR = 3;

/**
 * `expire_after` of a stream: {@link EXPIRE_FACTOR} times the longer of its check interval and
 * the MQTT status interval (a state goes out at least that often while StreamPulse works), in
 * whole seconds. A disabled stream is never checked, so it gets none.
 */
export function expireAfter(
  stream: { enabled?: boolean; intervalSeconds?: number },
  mqttIntervalSeconds: number,
): number | undefined {
  if (stream.enabled === false) return undefined;
  return Math.ceil(EXPIRE_FACTOR * Math.max(stream.intervalSeconds ?? 0, mqttIntervalSeconds));
}

/** The discovery `o` (origin) mapping. */
export function originOf(info: DiscoveryInfo): Record<string, string> {
  return { name: "StreamPulse", sw: info.version, ...(info.baseUrl ? { url: info.baseUrl } : {}) };
}

/**
 * The device-based config of one stream (`<prefix>/device/<node>/<slug>/config`):
 *
 * | component | platform | what |
 * |---|---|---|
 * | `connectivity` | binary_sensor, `connectivity`, `name: null` (the device's name) | ON up/degraded, OFF down, unknown before a check |
 * | `latency` | sensor, `duration` in ms, diagnostic | the last check's latency |
 * | `picture` | binary_sensor, `problem` | ON while degraded by frozen/black/drift |
 * | `snapshot` | image, `image/jpeg` | the last good picture from `<base>/<slug>/snapshot` |
 *
 * Every entity is available while `<base>/availability` is `online` and its state is younger than
 * `expire_after`. In fleet mode (`info.fleet`) availability is the state's freshness alone: only
 * the stream's owner publishes its state, so a state younger than `expire_after` proves a live
 * owner, whichever node it is, and a stream no node checks any more goes unavailable even while
 * nodes are online (with the node topics and `availability_mode: any` it would stay available, and
 * the list would change with every join). A disabled stream has no owner and no expiry, so it keeps
 * its last state. The snapshot image then has no availability (HA gives images no expiry).
 * unique_ids are `<node>_<slug>_<component>`: for a stream without `id` the same
 * as single-component discovery had, so existing entities keep their history.
 */
export function streamDevicePayload(
  cfg: TopicConfig,
  s: DiscoveryStream,
  info: DiscoveryInfo,
): string {
  const node = nodeId(cfg);
  const uid = (c: string) => `${node}_${s.slug}_${c}`;
  const state = stateTopic(cfg, s.slug);
  const availability = info.fleet ? undefined : [{
    topic: availabilityTopic(cfg),
    payload_available: ONLINE,
    payload_not_available: OFFLINE,
  }];
  const fromState = {
    state_topic: state,
    ...(availability ? { availability } : {}),
    qos: info.qos,
    ...(s.expireAfter ? { expire_after: s.expireAfter } : {}),
  };
  const cu = info.baseUrl ? `${info.baseUrl}/streams/${encodeURIComponent(s.name)}` : undefined;
  return JSON.stringify({
    dev: {
      identifiers: [`${node}_${s.slug}`],
      name: s.name,
      manufacturer: "StreamPulse",
      model: "Stream monitor",
      sw_version: info.version,
      via_device: hubId(cfg),
      ...(cu ? { configuration_url: cu } : {}),
    },
    o: originOf(info),
    cmps: {
      connectivity: {
        p: "binary_sensor",
        name: null,
        unique_id: uid("connectivity"),
        device_class: "connectivity",
        payload_on: "ON",
        payload_off: "OFF",
        // "None" is Home Assistant's marker for the unknown state.
        value_template: "{{ 'ON' if value_json.state in ['up', 'degraded'] else " +
          "('OFF' if value_json.state == 'down' else 'None') }}",
        json_attributes_topic: state,
        ...fromState,
      },
      latency: {
        p: "sensor",
        name: "Latency",
        unique_id: uid("latency"),
        device_class: "duration",
        unit_of_measurement: "ms",
        suggested_display_precision: 0,
        state_class: "measurement",
        entity_category: "diagnostic",
        value_template: "{{ value_json.latency if value_json.latency is number else 'None' }}",
        ...fromState,
      },
      picture: {
        p: "binary_sensor",
        name: "Picture",
        unique_id: uid("picture"),
        device_class: "problem",
        payload_on: "ON",
        payload_off: "OFF",
        value_template: "{{ 'ON' if value_json.problem else 'OFF' }}",
        ...fromState,
      },
      snapshot: {
        p: "image",
        name: "Snapshot",
        unique_id: uid("snapshot"),
        image_topic: snapshotTopic(cfg, s.slug),
        content_type: "image/jpeg",
        ...(availability ? { availability } : {}),
        qos: info.qos,
      },
    },
  });
}
