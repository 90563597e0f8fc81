/**
 * Routes of the Alerts page: the overview, the channel / rule / maintenance forms (saved through
 * the safe config writer with the version check), "Send test", and unmute.
 */

import { type Context, Hono } from "hono";
import { parseDocument } from "yaml";
import {
  type ChannelConfig,
  type Config,
  ConfigConflictError,
  ConfigError,
  type ConfigProblem,
  formatProblem,
  formatProblems,
  parseConfig,
} from "../../monitor/config/mod.ts";
import { redactText } from "../../monitor/mod.ts";
import {
  alertProblems,
  alertsList,
  CHANNEL_TYPE_NAMES,
  channelFormFrom,
  channelFormOf,
  channelIndex,
  deleteChannel,
  deleteItem,
  editChannel,
  editRule,
  editWindow,
  fieldsOf,
  ruleFormFrom,
  ruleFormOf,
  windowFormFrom,
  windowFormOf,
} from "../alerts_form.ts";
import { channelSecrets, overviewOf } from "../alerts_view.ts";
import { configSourceOf, type Edit, saveEdit, tryEdit, versionOf } from "../config_edit.ts";
import type { WebContext } from "../context.ts";
import type { WebEnv } from "../guard.ts";
import {
  AlertsPage,
  type AlertsPageProps,
  ChannelFormPage,
  type Notice,
  RuleFormPage,
  WindowFormPage,
} from "../pages/mod.ts";

type Body = Record<string, unknown>;
const str = (b: Body, k: string) => (typeof b[k] === "string" ? (b[k] as string).trim() : "");
const RULE_FIELDS = [
  "channels",
  "states",
  "streams",
  "tags",
  "sites",
  "after_seconds",
  "resolved",
  "remind_minutes",
];
const WINDOW_FIELDS = ["name", "from", "to", "cron", "minutes", "streams", "tags", "sites"];
/** Why a save was refused: the file changed meanwhile, or the loader's problems. */
type Refusal = { conflict?: boolean; problems?: ConfigProblem[] };

/**
 * Which item of a list of `count` a form edits: `_index` when it names one (editing), else a
 * new one at the end; `slot` is where the edited config has it (for placing problems).
 */
function slotIn(b: Body, count: number): { index?: number; slot: number } {
  const raw = str(b, "_index");
  const n = raw === "" ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 && n < count ? { index: n, slot: n } : { slot: count };
}

/** The Alerts routes. */
export function alertsRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps, now } = ctx;
  const app = new Hono<WebEnv>();
  const current = async (): Promise<{ text: string; config: Config }> => {
    const text = await configSourceOf(deps).read();
    try {
      return { text, config: parseConfig(text) };
    } catch {
      return { text, config: deps.config() }; // a broken file: show what runs
    }
  };
  const body = (c: Context<WebEnv>) => c.req.parseBody({ all: true }) as Promise<Body>;
  const indexParam = (c: Context<WebEnv>) => {
    const n = Number(c.req.param("index"));
    return Number.isInteger(n) && n >= 0 ? n : -1;
  };
  const testNotice = (r: { ok: boolean; status?: number; answer: string }, cfg: Config) => ({
    ok: r.ok,
    text: `${r.ok ? "Test sent" : "Test failed"}${r.status ? ` (status ${r.status})` : ""}: ${
      redactText(r.answer, channelSecrets(cfg.alerts.channels))
    }`,
  });

  /** Saves an edit; a refused one is shown by `refused` (409 conflict, 422 with problems). */
  const save = async (
    c: Context<WebEnv>,
    edit: Edit,
    version: string,
    refused: (r: Refusal, status: number) => Promise<Response>,
  ): Promise<Response> => {
    const wait = ctx.waitReload();
    try {
      await saveEdit(configSourceOf(deps), edit, version);
    } catch (err) {
      if (err instanceof ConfigConflictError) return await refused({ conflict: true }, 409);
      if (!(err instanceof ConfigError)) throw err;
      return await refused({ problems: err.problems }, 422);
    }
    await wait.done;
    return c.redirect("/alerts?saved=1", 303);
  };

  const overview = async (
    c: Context<WebEnv>,
    extra: Partial<AlertsPageProps> = {},
    status = 200,
  ) => {
    const { text, config } = await current();
    const props: AlertsPageProps = {
      csrf: "",
      version: versionOf(text),
      ...await overviewOf(config, deps.alerts, { now: now(), channel: c.req.query("channel") }),
      notice: c.req.query("saved") === "1" ? { ok: true, text: "Saved and applied." } : undefined,
      ...extra,
    };
    return ctx.page(
      c,
      { title: "Alerts", active: "alerts" },
      (csrf) => AlertsPage({ ...props, csrf }),
      status,
    );
  };
  const refusedOverview = (c: Context<WebEnv>) => (r: Refusal, status: number) =>
    overview(c, { conflict: r.conflict, other: r.problems?.map((p) => formatProblem(p)) }, status);

  app.get("/alerts", (c) => overview(c));

  // Channels.
  const channelPage = async (
    c: Context<WebEnv>,
    p: Omit<Parameters<typeof ChannelFormPage>[0], "csrf" | "version"> & { version?: string },
    status = 200,
  ) => {
    const version = p.version ?? versionOf((await current()).text);
    return ctx.page(
      c,
      { title: "Alert channel", active: "alerts" },
      (csrf) => ChannelFormPage({ ...p, csrf, version }),
      status,
    );
  };
  const storedChannel = (config: Config, name: string) => {
    const raw = alertsList(config.raw, "channels");
    const i = config.alerts.channels.findIndex((ch) => ch.name === name);
    const item = i >= 0 ? raw[i] : raw.find((x) => (x as { name?: unknown })?.name === name);
    return item === undefined ? undefined : channelFormOf(item);
  };
  /** The index the edit gives the channel: its own when editing, the next one when adding. */
  const slotOf = (text: string, original: string | undefined) => {
    const doc = parseDocument(text);
    const at = original === undefined ? -1 : channelIndex(doc, original);
    return at >= 0 ? at : alertsList(doc.toJSON() ?? {}, "channels").length;
  };
  const fieldKeys = (type: string) => ["name", ...fieldsOf(type).map((f) => f.key)];

  app.get("/alerts/channels/new", (c) => {
    const type = c.req.query("type") ?? "";
    if (!(CHANNEL_TYPE_NAMES as string[]).includes(type)) return c.redirect("/alerts", 303);
    return channelPage(c, { form: { type, values: {}, set: [], headers: [] } });
  });
  app.get("/alerts/channels/:name/edit", async (c) => {
    const name = c.req.param("name");
    const form = storedChannel((await current()).config, name);
    if (!form) return c.text(`No channel named "${name.slice(0, 200)}"`, 404);
    return channelPage(c, { form, original: name });
  });
  app.post("/alerts/channels", async (c) => {
    const b = await body(c);
    const original = str(b, "_original") || undefined;
    const { text, config } = await current();
    const stored = original === undefined ? undefined : storedChannel(config, original);
    const form = channelFormFrom(b, stored);
    return await save(
      c,
      editChannel(b, original),
      str(b, "_version"),
      (r, status) =>
        channelPage(c, {
          form,
          original,
          version: str(b, "_version"),
          conflict: r.conflict,
          ...(r.problems
            ? alertProblems(r.problems, "channels", slotOf(text, original), fieldKeys(form.type))
            : {}),
        }, status),
    );
  });
  /** What a submitted channel form would give: the channel config, or the loader's problems. */
  const tryChannel = async (b: Body) => {
    const original = str(b, "_original") || undefined;
    const { text, config } = await current();
    const stored = original === undefined ? undefined : storedChannel(config, original);
    const form = channelFormFrom(b, stored);
    const slot = slotOf(text, original);
    const tried = tryEdit(text, editChannel(b, original));
    const placed = alertProblems(tried.problems, "channels", slot, fieldKeys(form.type));
    return { original, form, placed, tried, cfg: tried.config?.alerts.channels[slot] };
  };
  const sendTest = async (cfg: ChannelConfig, config: Config): Promise<Notice> =>
    deps.alerts
      ? testNotice(await deps.alerts.test(cfg), config)
      : { ok: false, text: "Alerting is not running: nothing can be sent." };
  // FormAssist (with script): problems as you type, and "Send test" without leaving the page.
  app.post(
    "/alerts/channels/validate",
    async (c) => c.json((await tryChannel(await body(c))).placed),
  );
  app.post("/alerts/channels/try", async (c) => {
    const t = await tryChannel(await body(c));
    if (!t.cfg) return c.json({ ok: false, message: formatProblems(t.tried.problems) });
    const n = await sendTest(t.cfg, t.tried.config!);
    return c.json({ ok: n.ok, message: n.text });
  });
  // Without script: the form posts here and comes back with the result (typed secrets blank).
  app.post("/alerts/channels/test", async (c) => {
    const b = await body(c);
    const t = await tryChannel(b);
    const p = { form: t.form, original: t.original, version: str(b, "_version") };
    if (!t.cfg) return channelPage(c, { ...p, ...t.placed }, 422);
    return channelPage(c, { ...p, test: await sendTest(t.cfg, t.tried.config!) });
  });
  app.post("/alerts/channels/:name/test", async (c) => {
    const name = c.req.param("name");
    if (!deps.alerts) {
      return overview(c, { notice: { ok: false, text: "Alerting is not running" } });
    }
    const result = await deps.alerts.test(name);
    const notice = testNotice(result, (await current()).config);
    return overview(c, { notice: { ...notice, text: `"${name.slice(0, 200)}": ${notice.text}` } });
  });
  app.post("/alerts/channels/:name/delete", async (c) => {
    const b = await body(c);
    return await save(
      c,
      deleteChannel(c.req.param("name")),
      str(b, "_version"),
      refusedOverview(c),
    );
  });

  // Rules.
  const rulePage = async (
    c: Context<WebEnv>,
    p: Omit<Parameters<typeof RuleFormPage>[0], "csrf" | "version" | "channelNames"> & {
      version?: string;
    },
    status = 200,
  ) => {
    const { text, config } = await current();
    return ctx.page(c, { title: "Alert rule", active: "alerts" }, (csrf) =>
      RuleFormPage({
        ...p,
        csrf,
        version: p.version ?? versionOf(text),
        channelNames: config.alerts.channels.map((ch) => ch.name),
      }), status);
  };
  app.get(
    "/alerts/rules/new",
    (c) => rulePage(c, { form: ruleFormOf({ resolved: true, states: ["down"] }) }),
  );
  app.get("/alerts/rules/:index/edit", async (c) => {
    const i = indexParam(c);
    const raw = alertsList((await current()).config.raw, "rules");
    if (i < 0 || i >= raw.length) return c.text("No such rule", 404);
    return rulePage(c, { form: ruleFormOf(raw[i]), index: i });
  });
  /** A submitted rule form: its values, the edit, and the list slot it fills. */
  const ruleOf = async (b: Body) => {
    const { text, config } = await current();
    const { index, slot } = slotIn(b, alertsList(config.raw, "rules").length);
    const form = ruleFormFrom(b);
    return { text, form, index, slot, edit: editRule(form, index) };
  };
  app.post("/alerts/rules/validate", async (c) => {
    const r = await ruleOf(await body(c));
    return c.json(alertProblems(tryEdit(r.text, r.edit).problems, "rules", r.slot, RULE_FIELDS));
  });
  app.post("/alerts/rules", async (c) => {
    const b = await body(c);
    const { form, index, slot, edit } = await ruleOf(b);
    const version = str(b, "_version");
    return await save(c, edit, version, (r, status) =>
      rulePage(c, {
        form,
        index,
        version,
        conflict: r.conflict,
        ...(r.problems ? alertProblems(r.problems, "rules", slot, RULE_FIELDS) : {}),
      }, status));
  });
  app.post("/alerts/rules/:index/delete", async (c) => {
    const b = await body(c);
    return await save(
      c,
      deleteItem("rules", indexParam(c)),
      str(b, "_version"),
      refusedOverview(c),
    );
  });

  // Maintenance windows.
  const windowPage = async (
    c: Context<WebEnv>,
    p: Omit<Parameters<typeof WindowFormPage>[0], "csrf" | "version" | "timeZone"> & {
      version?: string;
    },
    status = 200,
  ) => {
    const { text, config } = await current();
    return ctx.page(c, { title: "Maintenance window", active: "alerts" }, (csrf) =>
      WindowFormPage({
        ...p,
        csrf,
        version: p.version ?? versionOf(text),
        timeZone: config.timezone,
      }), status);
  };
  app.get(
    "/alerts/maintenance/new",
    async (c) => windowPage(c, { form: windowFormOf({}, (await current()).config.timezone) }),
  );
  app.get("/alerts/maintenance/:index/edit", async (c) => {
    const i = indexParam(c);
    const { config } = await current();
    const raw = alertsList(config.raw, "maintenance");
    if (i < 0 || i >= raw.length) return c.text("No such maintenance window", 404);
    return windowPage(c, { form: windowFormOf(raw[i], config.timezone), index: i });
  });
  /** A submitted window form: its values, the edit, and the list slot it fills. */
  const windowOf = async (b: Body) => {
    const { text, config } = await current();
    const { index, slot } = slotIn(b, alertsList(config.raw, "maintenance").length);
    const form = windowFormFrom(b);
    return { text, form, index, slot, edit: editWindow(form, config.timezone, index) };
  };
  app.post("/alerts/maintenance/validate", async (c) => {
    const w = await windowOf(await body(c));
    const { problems } = tryEdit(w.text, w.edit);
    return c.json(alertProblems(problems, "maintenance", w.slot, WINDOW_FIELDS));
  });
  app.post("/alerts/maintenance", async (c) => {
    const b = await body(c);
    const { form, index, slot, edit } = await windowOf(b);
    const version = str(b, "_version");
    return await save(c, edit, version, (r, status) =>
      windowPage(c, {
        form,
        index,
        version,
        conflict: r.conflict,
        ...(r.problems ? alertProblems(r.problems, "maintenance", slot, WINDOW_FIELDS) : {}),
      }, status));
  });
  app.post("/alerts/maintenance/:index/delete", async (c) => {
    const b = await body(c);
    const edit = deleteItem("maintenance", indexParam(c));
    return await save(c, edit, str(b, "_version"), refusedOverview(c));
  });

  // Mutes.
  app.post("/alerts/mutes/:name/unmute", async (c) => {
    await deps.alerts?.mute(c.req.param("name"), null, "");
    return c.redirect("/alerts", 303);
  });
  return app;
}
