/** Routes of the Users page (admin only, by web/guard.ts roleGuard): viewers and the public page. */

import { type Context, Hono } from "hono";
import { formatInZone } from "../../monitor/mod.ts";
import type { WebContext } from "../context.ts";
import type { WebEnv } from "../guard.ts";
import { UsersPage } from "../pages/mod.ts";
import { groupsText, parseGroups, readPublic, writePublic } from "../public_settings.ts";

type Body = Record<string, unknown>;
const str = (b: Body, k: string) => (typeof b[k] === "string" ? (b[k] as string) : "");

const DONE: Record<string, string> = {
  added: "Viewer added.",
  reset: "New password set; that viewer's sessions were signed out.",
  deleted: "Viewer deleted and signed out.",
  on: "Public status page saved and on.",
  off: "Public status page saved and off.",
};

/** The Users routes. */
export function usersRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps, auth } = ctx;
  const app = new Hono<WebEnv>();
  const page = (
    c: Context<WebEnv>,
    extra: Partial<Parameters<typeof UsersPage>[0]> = {},
    status = 200,
  ) => {
    const tz = deps.config().timezone;
    const pub = readPublic(deps.store);
    return ctx.page(c, { title: "Users", active: "users" }, (csrf) =>
      UsersPage({
        csrf,
        viewers: auth.users.list().map((v) => ({ ...v, created: formatInZone(v.created, tz) })),
        publicEnabled: pub.enabled,
        groupsText: groupsText(pub.groups),
        badges: pub.groups.map((g) => ({ name: g.name, slug: g.slug })),
        ...extra,
      }), status);
  };
  // Fixed messages by key: a link cannot make this page say something of its own.
  const done = (c: Context<WebEnv>, key: string) => c.redirect(`/users?done=${key}`, 303);

  app.get("/users", (c) => {
    const key = c.req.query("done") ?? "";
    return page(c, Object.hasOwn(DONE, key) ? { note: { ok: true, text: DONE[key] } } : {});
  });
  app.post("/users", async (c) => {
    const b = await c.req.parseBody();
    const name = str(b, "name").trim();
    const problem = await auth.users.add(name, str(b, "password"));
    if (problem) return page(c, { note: { ok: false, text: problem }, newName: name }, 422);
    deps.logger.info(`viewer "${name}" added`);
    return done(c, "added");
  });
  app.post("/users/public", async (c) => {
    const b = await c.req.parseBody();
    const text = str(b, "groups");
    const enabled = str(b, "enabled") === "on";
    const { groups, problems } = parseGroups(text);
    if (problems.length) {
      return page(c, {
        note: { ok: false, text: "The public page was not saved: see the problems below." },
        groupProblems: problems,
        groupsText: text.slice(0, 10_000),
        publicEnabled: enabled,
      }, 422);
    }
    writePublic(deps.store, { enabled, groups });
    deps.logger.info(`public status page ${enabled ? "on" : "off"} (${groups.length} groups)`);
    return done(c, enabled ? "on" : "off");
  });
  app.post("/users/:name/password", async (c) => {
    const name = c.req.param("name");
    const b = await c.req.parseBody();
    const problem = await auth.users.reset(name, str(b, "password"));
    if (problem) return page(c, { note: { ok: false, text: problem } }, 422);
    deps.logger.info(`viewer "${name}" got a new password; its sessions ended`);
    return done(c, "reset");
  });
  app.post("/users/:name/delete", (c) => {
    const name = c.req.param("name");
    if (!auth.users.remove(name)) {
      return page(c, {
        note: { ok: false, text: `There is no viewer named "${name.slice(0, 40)}"` },
      }, 404);
    }
    deps.logger.info(`viewer "${name}" deleted; its sessions ended`);
    return done(c, "deleted");
  });
  return app;
}
