/** The dashboard table's URL state (`?state=down&q=gate&sort=name&group=host`) and its search. */

import {
  CATEGORIES,
  type Category,
  DEFAULT_SORT,
  GROUP_BYS,
  type GroupBy,
  parseSort,
  type Sort,
  sortText,
} from "./table_sort.ts";
import type { Row } from "./types.ts";

/** What the table shows, as carried in the URL query. */
export interface TableQuery {
  /** Search text (name, tag, site or host). */
  q: string;
  /** One category only, or "" for all. */
  state: Category | "";
  /** One tag only, or "". */
  tag: string;
  sort: Sort;
  group: GroupBy;
}

/** Longest search text kept from a URL. */
const MAX_Q = 200;

/** The query of a fresh dashboard: everything, broken first, ungrouped. */
export const DEFAULT_QUERY: TableQuery = {
  q: "",
  state: "",
  tag: "",
  sort: DEFAULT_SORT,
  group: "",
};

/**
 * Reads the table state from URL parameters (a `URLSearchParams`, a query string, or the route's
 * values); unknown states, sorts and groupings fall back to the defaults, the search is cut.
 */
export function parseQuery(
  input: URLSearchParams | string | Record<string, string | undefined>,
): TableQuery {
  const get: (k: string) => string = input instanceof URLSearchParams
    ? (k) => input.get(k) ?? ""
    : typeof input === "string"
    ? ((p) => (k: string) => p.get(k) ?? "")(new URLSearchParams(input))
    : (k) => input[k] ?? "";
  const state = get("state") as Category;
  const group = get("group") as GroupBy;
  return {
    q: get("q").slice(0, MAX_Q),
    state: CATEGORIES.includes(state) ? state : "",
    tag: get("tag").slice(0, MAX_Q),
    sort: parseSort(get("sort")),
    group: GROUP_BYS.includes(group) ? group : "",
  };
}

/** The query string of `query` ("?state=down&q=gate", or "" when all is default). */
export function queryString(query: TableQuery): string {
  const p = new URLSearchParams();
  if (query.state) p.set("state", query.state);
  if (query.q) p.set("q", query.q);
  if (query.tag) p.set("tag", query.tag);
  const sort = sortText(query.sort);
  if (sort) p.set("sort", sort);
  if (query.group) p.set("group", query.group);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** Whether `row` matches the search text (any case) and the tag filter; the state is apart. */
export function matchesSearch(row: Row, q: string, tag: string): boolean {
  if (tag && !row.tags.includes(tag)) return false;
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  const hay = [row.name, ...row.tags, row.site ?? "", row.host ?? ""];
  return hay.some((h) => h.toLowerCase().includes(needle));
}
