/** Pure MQTT topic and payload builders: stream slugs, per-stream state, Home Assistant discovery. */

import type { Alert } from "../monitor/alerts/mod.ts";
import type { MqttConfig } from "../monitor/config/mod.ts";
import type { StatusEntry } from "../monitor/status/mod.ts";

/** The availability payloads (also the last will). */
export const ONLINE = "online";
/** Published retained on clean shutdown and as the last will. */
export const OFFLINE = "offline";

/** The part of a stream name usable as one topic level: lowercase `[a-z0-9_-]`, never empty. */
export function baseSlug(name: string): string {
  const s = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_").replace(/_{2,}/g, "_").replace(/^[_-]+|[_-]+$/g, "");
  return s || "stream";
}

/** FNV-1a 32-bit hash as 8 hex digits: a short, stable suffix for colliding slugs. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Maps each stream name to a unique slug. When names collide ("Cam 1", "cam_1" and "CAM 1" are
 * all `cam_1`), the name that already is its slug wins, else the smallest name in code-unit order;
 * the others get `_<hash of the name>`. The result depends on the set of names, not their order,
 * so reordering config.yaml never moves a stream to another topic.
 */
export function slugMap(names: Iterable<string>): Map<string, string> {
  const groups = new Map<string, string[]>();
  for (const name of new Set(names)) {
    const slug = baseSlug(name);
    const group = groups.get(slug);
    if (group) group.push(name);
    else groups.set(slug, [name]);
  }
  const out = new Map<string, string>();
  const taken = new Set(groups.keys());
  for (const [slug, members] of groups) {
    members.sort((a, b) => (a === slug ? -1 : b === slug ? 1 : a < b ? -1 : a > b ? 1 : 0));
    out.set(members[0], slug);
    for (const name of members.slice(1)) {
      let candidate = `${slug}_${fnv1a(name)}`;
      for (let i = 2; taken.has(candidate); i++) candidate = `${slug}_${fnv1a(name)}_${i}`;
      taken.add(candidate);
      out.set(name, candidate);
    }
  }
  return out;
}

/** Topic settings the builders need (a subset of {@link MqttConfig}). */
export type TopicConfig = Pick<MqttConfig, "baseTopic" | "discoveryPrefix">;

/** `<base>/alerts`: every alert event, not retained. */
export function alertsTopic(cfg: TopicConfig): string {
  return `${cfg.baseTopic}/alerts`;
}

/**
 * The JSON of one alert event on `<base>/alerts`: what happened, to which streams, since when
 * (ISO-8601 UTC). No URL is in an alert, so no credential can be.
 */
export function alertPayload(a: Alert): string {
  return JSON.stringify({
    event: a.event,
    stream: a.stream,
    state: a.state,
    cause: a.cause,
    since: new Date(a.since).toISOString(),
    ts: new Date(a.ts).toISOString(),
    streams: a.streams.map((s) => ({ name: s.name, state: s.state, cause: s.cause })),
    group: a.group ?? null,
    note: a.note ?? null,
    key: a.key,
  });
}

/** `<base>/<slug>/state`: retained per-stream state JSON. */
export function stateTopic(cfg: TopicConfig, slug: string): string {
  return `${cfg.baseTopic}/${slug}/state`;
}

/** `<base>/availability`: retained `online` / `offline`. */
export function availabilityTopic(cfg: TopicConfig): string {
  return `${cfg.baseTopic}/availability`;
}

/** `<prefix>/status`: where Home Assistant announces `online` after it starts. */
export function haStatusTopic(cfg: TopicConfig): string {
  return `${cfg.discoveryPrefix}/status`;
}

/** The discovery node id: the base topic as a slug, so two StreamPulse instances never clash. */
export function nodeId(cfg: TopicConfig): string {
  return baseSlug(cfg.baseTopic.replaceAll("/", "_"));
}

/**
 * The single-component discovery topics StreamPulse published before device-based discovery;
 * they are migrated and cleared at connect (see the publisher's `migrateLegacy`).
 */
export function legacyDiscoveryTopics(cfg: TopicConfig, slug: string): string[] {
  const node = nodeId(cfg);
  return [
    `${cfg.discoveryPrefix}/binary_sensor/${node}/${slug}_connectivity/config`,
    `${cfg.discoveryPrefix}/sensor/${node}/${slug}_latency/config`,
  ];
}

/** `<prefix>/device/<node>/<slug>/config`: one stream's device-based discovery config. */
export function deviceTopic(cfg: TopicConfig, slug: string): string {
  return `${cfg.discoveryPrefix}/device/${nodeId(cfg)}/${slug}/config`;
}

/**
 * The hub object id. A slug never starts with "_" ({@link baseSlug} strips it), so no stream's
 * device topic can be the hub's.
 */
export const HUB_OBJECT_ID = "_streampulse";

/** `<prefix>/device/<node>/_streampulse/config`: the StreamPulse process's own device. */
export function hubTopic(cfg: TopicConfig): string {
  return `${cfg.discoveryPrefix}/device/${nodeId(cfg)}/${HUB_OBJECT_ID}/config`;
}

/** `<base>/<slug>/snapshot`: retained JPEG bytes of the stream's last good picture. */
export function snapshotTopic(cfg: TopicConfig, slug: string): string {
  return `${cfg.baseTopic}/${slug}/snapshot`;
}

/** Every retained per-stream topic this config publishes for `slug` (state, discovery if on). */
export function streamTopics(cfg: TopicConfig & { haDiscovery: boolean }, slug: string): string[] {
  if (!cfg.haDiscovery) return [stateTopic(cfg, slug)];
  return [stateTopic(cfg, slug), deviceTopic(cfg, slug), snapshotTopic(cfg, slug)];
}

/** Every retained topic a config publishes for these slugs (plus the hub's, discovery on). */
export function ownedTopics(
  cfg: TopicConfig & { haDiscovery: boolean },
  slugs: Iterable<string>,
): Set<string> {
  const out = new Set<string>(cfg.haDiscovery ? [hubTopic(cfg)] : []);
  for (const slug of slugs) for (const t of streamTopics(cfg, slug)) out.add(t);
  return out;
}

/**
 * Whether a stream's picture has a problem: degraded with findings of the media judgement in
 * `details.problems` (frozen, black, or codec/resolution/frame-rate drift).
 */
export function pictureProblem(e: Pick<StatusEntry, "state" | "details">): boolean {
  const p = e.details?.problems;
  return e.state === "degraded" && Array.isArray(p) && p.length > 0;
}

/**
 * The per-stream state JSON: the status-API entry's fields that describe the state, plus
 * `problem` ({@link pictureProblem}) for Home Assistant's picture sensor.
 */
export function statePayload(e: StatusEntry): string {
  const { state, status, latency, message, since, ts, details } = e;
  return JSON.stringify({
    state,
    status,
    latency,
    message,
    since,
    ts,
    details,
    problem: pictureProblem(e),
  });
}
