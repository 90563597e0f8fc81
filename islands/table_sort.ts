/** Pure ordering, grouping and outage finding for the dashboard table (broken first), no DOM. */

import type { Row } from "./types.ts";

/**
 * What the dashboard files a row under, worst first: `down`, `degraded` (picture problems),
 * `overdue` (media checks late), `unknown` (no verdict yet), `paused` (disabled: never
 * "unknown"), `up`.
 */
export type Category = "down" | "degraded" | "overdue" | "unknown" | "paused" | "up";

/** The categories in broken-first order. */
export const CATEGORIES: readonly Category[] = [
  "down",
  "degraded",
  "overdue",
  "unknown",
  "paused",
  "up",
];

const RANK = Object.fromEntries(CATEGORIES.map((c, i) => [c, i])) as Record<Category, number>;

/**
 * The category of `row` at `now` (the server's clock): a disabled stream is `paused` whatever its
 * last state; down and degraded come from the state; an up or unknown stream whose media checks
 * are past `mediaOverdueAt` is `overdue`.
 */
export function categoryOf(row: Row, now: number): Category {
  if (!row.enabled) return "paused";
  if (row.state === "down" || row.state === "degraded") return row.state;
  if (row.mediaOverdueAt !== null && now > row.mediaOverdueAt) return "overdue";
  return row.state;
}

/** The columns the table sorts by; `status` is the broken-first default. */
export const SORT_KEYS = [
  "status",
  "name",
  "latency",
  "last",
  "for",
  "up24h",
  "up7d",
  "up30d",
] as const;

/** One sortable column. */
export type SortKey = typeof SORT_KEYS[number];

/** A column and its direction. */
export interface Sort {
  key: SortKey;
  desc: boolean;
}

/** The default order: broken first, then by name. */
export const DEFAULT_SORT: Sort = { key: "status", desc: false };

/** Reads `name` or `-name` (descending); anything else gives {@link DEFAULT_SORT}. */
export function parseSort(text: string | null | undefined): Sort {
  const t = (text ?? "").trim();
  const desc = t.startsWith("-");
  const key = (desc ? t.slice(1) : t) as SortKey;
  return SORT_KEYS.includes(key) ? { key, desc } : DEFAULT_SORT;
}

/** The URL form of `sort`: "" for the default, else `name` or `-name`. */
export function sortText(sort: Sort): string {
  if (sort.key === DEFAULT_SORT.key && !sort.desc) return "";
  return (sort.desc ? "-" : "") + sort.key;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** The value a column sorts by; null sorts last in both directions. */
function valueOf(row: Row, key: SortKey, now: number): number | null {
  switch (key) {
    case "latency":
      return row.latencyMs;
    case "last":
      return row.lastTs;
    case "for":
      return now - row.since;
    case "up24h":
    case "up7d":
    case "up30d":
      return row[key] ?? null;
    default:
      return RANK[categoryOf(row, now)];
  }
}

/**
 * Sorts a copy of `rows` by `sort`. Ties (and the `status` order) fall back to broken first,
 * then the name in natural order ("cam 2" before "cam 10"); missing figures go last either way.
 */
export function sortRows(rows: readonly Row[], sort: Sort, now: number): Row[] {
  const sign = sort.desc ? -1 : 1;
  const byName = (a: Row, b: Row) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : 1);
  const byRank = (a: Row, b: Row) => RANK[categoryOf(a, now)] - RANK[categoryOf(b, now)];
  const cmp = (a: Row, b: Row): number => {
    if (sort.key === "name") return sign * byName(a, b);
    const va = valueOf(a, sort.key, now), vb = valueOf(b, sort.key, now);
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      return sign * (va - vb);
    }
    return byRank(a, b) || sign * byName(a, b);
  };
  return [...rows].sort(cmp);
}

/** What the table can group by ("" for no groups). */
export const GROUP_BYS = ["", "tag", "site", "host"] as const;

/** One grouping. */
export type GroupBy = typeof GROUP_BYS[number];

/** One group of rows, with its counts per category. */
export interface Group {
  /** The tag, site or host:port; "" for rows without one. */
  key: string;
  /** Row names in table order. */
  names: string[];
  counts: Record<Category, number>;
  /** The group's worst category. */
  worst: Category;
}

/** The keys `row` is grouped under: each of its tags, its site or its host ([""] for none). */
function keysOf(row: Row, by: Exclude<GroupBy, "">): string[] {
  if (by === "tag") return row.tags.length > 0 ? row.tags : [""];
  return [(by === "site" ? row.site : row.host) ?? ""];
}

/** Zero counts per category. */
export function zeroCounts(): Record<Category, number> {
  return Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
}

/**
 * Groups `sorted` (already in table order, which each group keeps) by `by`; a row with several
 * tags appears under each. Groups come worst first (then the most streams in that state, then
 * by key in natural order), the group of
 * rows without a key last. With `by` "" there is one group holding every row.
 */
export function groupRows(sorted: readonly Row[], by: GroupBy, now: number): Group[] {
  const groups = new Map<string, Group>();
  for (const row of sorted) {
    const cat = categoryOf(row, now);
    for (const key of by === "" ? [""] : keysOf(row, by)) {
      let g = groups.get(key);
      if (!g) groups.set(key, g = { key, names: [], counts: zeroCounts(), worst: "up" });
      g.names.push(row.name);
      g.counts[cat]++;
      if (RANK[cat] < RANK[g.worst]) g.worst = cat;
    }
  }
  return [...groups.values()].sort((a, b) =>
    (a.key === "" ? 1 : 0) - (b.key === "" ? 1 : 0) || RANK[a.worst] - RANK[b.worst] ||
    b.counts[b.worst] - a.counts[a.worst] ||
    collator.compare(a.key, b.key)
  );
}

/** Several streams of one host down together. */
export interface HostOutage {
  host: string;
  /** Streams of the host that are down. */
  count: number;
  /** When the earliest of them went down (ms since the epoch). */
  since: number;
}

/**
 * The hosts with at least `min` enabled streams down, most streams first (then by host): what
 * the banner "10.0.0.5:554: 16 streams down since 03:12" lists. Rows without a host never count.
 */
export function hostOutages(rows: readonly Row[], min = 3): HostOutage[] {
  const by = new Map<string, HostOutage>();
  for (const r of rows) {
    if (!r.enabled || r.state !== "down" || !r.host) continue;
    const o = by.get(r.host);
    if (o) {
      o.count++;
      o.since = Math.min(o.since, r.since);
    } else by.set(r.host, { host: r.host, count: 1, since: r.since });
  }
  return [...by.values()].filter((o) => o.count >= min)
    .sort((a, b) => b.count - a.count || collator.compare(a.host, b.host));
}
