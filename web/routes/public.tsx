/**
 * The public routes (no sign-in, 404 while off): /status and SVG badges of the groups the admin
 * made public, and of their streams. They show a state and availability only: no URL, tag, host
 * or cause, since causes are camera-controlled text that may name hosts.
 */

import { type Context, Hono } from "hono";
import { formatInZone } from "../../monitor/mod.ts";
import { type BadgeState, stateBadge, uptimeBadge, worstState } from "../badges.ts";
import type { WebContext } from "../context.ts";
import type { WebEnv } from "../guard.ts";
import { type PublicGroupView, PublicStatusPage, renderPage } from "../pages/mod.ts";
import { membersOf, type PublicGroup, readPublic } from "../public_settings.ts";

const DAY = 86_400_000;

/** The public routes; mount them before the sign-in check. */
export function publicRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps, rows } = ctx;
  const app = new Hono<WebEnv>();
  const notFound = (c: Context<WebEnv>) => c.text(`Not found: ${c.req.path.slice(0, 200)}`, 404);
  /** The public groups, or undefined while the page is off. */
  const groups = () => {
    const s = readPublic(deps.store);
    return s.enabled ? s.groups : undefined;
  };
  const group = (c: Context<WebEnv>) => groups()?.find((g) => g.slug === c.req.param("group"));
  const stateOf = (name: string): BadgeState => {
    const r = rows.one(name);
    return !r ? "unknown" : !r.enabled ? "paused" : r.state;
  };
  const members = (g: PublicGroup) => membersOf(g, deps.monitor.streams());
  const ratio = (names: string[], days: number) => {
    const rs = names.filter((n) => rows.one(n)?.enabled !== false)
      .map((n) => deps.view.uptime.ratio(n, days * DAY))
      .filter((r): r is number => r !== null);
    return rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : null;
  };
  const svg = (c: Context<WebEnv>, body: string) => {
    c.header("Content-Type", "image/svg+xml; charset=utf-8");
    c.header("Cache-Control", "public, max-age=60");
    return c.body(body);
  };
  const days = (c: Context<WebEnv>) => {
    const raw = c.req.query("days") ?? "30";
    const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    return n >= 1 && n <= 90 ? n : undefined;
  };
  const badDays = (c: Context<WebEnv>) => c.text("days must be a whole number from 1 to 90", 400);
  /** The stream of the path when it belongs to the group, else undefined. */
  const member = (c: Context<WebEnv>, g: PublicGroup) => {
    const name = c.req.param("stream") ?? "";
    return members(g).includes(name) ? name : undefined;
  };

  app.get("/status", (c) => {
    const gs = groups();
    if (!gs) return notFound(c);
    const view: PublicGroupView[] = gs.map((g) => {
      const streams = members(g).map((name) => {
        const r = rows.one(name);
        return { name, state: stateOf(name), up24h: r?.up24h ?? null, up30d: r?.up30d ?? null };
      });
      return {
        name: g.name,
        slug: g.slug,
        state: worstState(streams.map((s) => s.state)),
        streams,
      };
    });
    const html = renderPage(
      {
        title: "Status",
        scriptUrl: ctx.assets.scriptUrl,
        cssUrl: ctx.assets.cssUrl,
        csrf: "",
        signedIn: false,
      },
      PublicStatusPage({ groups: view, updated: formatInZone(ctx.now(), deps.config().timezone) }),
    );
    c.header("Cache-Control", "public, max-age=30");
    return c.html(html);
  });
  app.get("/badge/:group/state.svg", (c) => {
    const g = group(c);
    if (!g) return notFound(c);
    return svg(c, stateBadge(g.name, worstState(members(g).map(stateOf))));
  });
  app.get("/badge/:group/uptime.svg", (c) => {
    const g = group(c);
    if (!g) return notFound(c);
    const d = days(c);
    return d ? svg(c, uptimeBadge(g.name, ratio(members(g), d), d)) : badDays(c);
  });
  app.get("/badge/:group/:stream/state.svg", (c) => {
    const g = group(c);
    const name = g && member(c, g);
    return name ? svg(c, stateBadge(name, stateOf(name))) : notFound(c);
  });
  app.get("/badge/:group/:stream/uptime.svg", (c) => {
    const g = group(c);
    const name = g && member(c, g);
    if (!name) return notFound(c);
    const d = days(c);
    return d ? svg(c, uptimeBadge(name, ratio([name], d), d)) : badDays(c);
  });
  return app;
}
