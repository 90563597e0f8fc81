/**
 * The public status page's settings (off by default), kept in streams.db's meta (key `public`)
 * and edited by the admin on the Users page. Not in config.yaml: its schema belongs to the config
 * work, and what is public is a decision of the admin on the running dashboard, like the accounts.
 */

import type { MetaStore } from "./sessions.ts";

/** A group shown on /status: streams carrying any of `tags`, plus `streams` by name. */
export interface PublicGroup {
  name: string;
  /** The group's URL part (`/badge/<slug>/state.svg`). */
  slug: string;
  tags: string[];
  streams: string[];
}

/** Whether /status and the badges answer, and for which groups. */
export interface PublicSettings {
  enabled: boolean;
  groups: PublicGroup[];
}

const KEY = "public";
const MAX_GROUPS = 20;
const MAX_ITEMS = 200;

/** The URL part of a group name: lower-case letters and digits joined by "-". */
export function slugOf(name: string): string {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "").slice(0, 60);
}

/**
 * Parses the groups text, one group a line: `Site A: #outdoor, #site-a, Front Door` (`#` marks a
 * tag, anything else is a stream name; so a listed name cannot hold a comma). Problems name the
 * line; blank lines are skipped.
 */
export function parseGroups(text: string): { groups: PublicGroup[]; problems: string[] } {
  const groups: PublicGroup[] = [];
  const problems: string[] = [];
  const lines = text.slice(0, 100_000).split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const at = `Line ${i + 1}`;
    const colon = line.indexOf(":");
    if (colon < 1) return void problems.push(`${at}: write "Group name: #tag, Stream name"`);
    const name = line.slice(0, colon).trim().slice(0, 80);
    const slug = slugOf(name);
    if (!slug) return void problems.push(`${at}: the group name "${name}" has no letter or digit`);
    if (groups.some((g) => g.slug === slug)) {
      return void problems.push(`${at}: the group "${name}" is listed twice`);
    }
    const items = line.slice(colon + 1).split(",").map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) return void problems.push(`${at}: the group "${name}" lists nothing`);
    if (items.length > MAX_ITEMS) {
      return void problems.push(`${at}: at most ${MAX_ITEMS} tags and streams a group`);
    }
    const tags = items.filter((s) => s.startsWith("#")).map((s) => s.slice(1)).filter(Boolean);
    const streams = items.filter((s) => !s.startsWith("#"));
    groups.push({ name, slug, tags, streams });
  });
  if (groups.length > MAX_GROUPS) problems.push(`At most ${MAX_GROUPS} groups`);
  return { groups: groups.slice(0, MAX_GROUPS), problems };
}

/** The groups as the text {@link parseGroups} reads. */
export function groupsText(groups: readonly PublicGroup[]): string {
  return groups.map((g) => `${g.name}: ${[...g.tags.map((t) => `#${t}`), ...g.streams].join(", ")}`)
    .join("\n");
}

/** The stored settings (off with no groups when unset or unreadable). */
export function readPublic(meta: MetaStore): PublicSettings {
  try {
    const v = JSON.parse(meta.getMeta(KEY) || "null");
    if (v && typeof v === "object" && Array.isArray(v.groups)) {
      const { groups } = parseGroups(groupsText(v.groups));
      return { enabled: v.enabled === true, groups };
    }
  } catch { /* unreadable: off */ }
  return { enabled: false, groups: [] };
}

/** Stores the settings. */
export function writePublic(meta: MetaStore, s: PublicSettings): void {
  meta.setMeta(KEY, JSON.stringify({ enabled: s.enabled, groups: s.groups }));
}

/** The names of the streams in a group, in the order of `streams` (config order). */
export function membersOf(
  g: PublicGroup,
  streams: ReadonlyArray<{ name: string; tags: readonly string[] }>,
): string[] {
  const named = new Set(g.streams);
  return streams.filter((s) => named.has(s.name) || s.tags.some((t) => g.tags.includes(t)))
    .map((s) => s.name);
}
