/** Routes of the MQTT editor and the settings (heartbeat, time zone, retention, admin password). */

import { type Context, Hono } from "hono";
import {
  type Config,
  ConfigConflictError,
  ConfigError,
  type ConfigProblem,
  formatProblems,
  parseConfig,
} from "../../monitor/config/mod.ts";
import type { WebContext } from "../context.ts";
import {
  configSourceOf,
  type Edit,
  editValues,
  numberOr,
  problemsFor,
  saveEdit,
  tryEdit,
  versionOf,
} from "../config_edit.ts";
import type { WebEnv } from "../guard.ts";
import { MQTT_FIELDS, mqttEdit, mqttValue, testMqtt } from "../mqtt_form.ts";
import { MqttPage, SettingsPage } from "../pages/mod.ts";

type Body = Record<string, unknown>;
const str = (b: Body, k: string) => (typeof b[k] === "string" ? (b[k] as string).trim() : "");

/** Problems keyed by the form field their YAML path belongs to (`mqtt.port` → `port`). */
function byField(problems: readonly ConfigProblem[], fieldOf: Record<string, string>) {
  return problemsFor(problems, (p) => Object.hasOwn(fieldOf, p.path) ? fieldOf[p.path] : undefined);
}

const MQTT_PATHS = Object.fromEntries(MQTT_FIELDS.map((f) => [`mqtt.${f.key}`, f.key]));
const SETTINGS_PATHS: Record<string, string> = {
  heartbeat_seconds: "heartbeat",
  timezone: "timezone",
  retention_days: "retention",
};

function settingsEdit(b: Body): Edit {
  return editValues([
    [["heartbeat_seconds"], numberOr(str(b, "heartbeat"))],
    [["timezone"], str(b, "timezone")],
    [["retention_days"], numberOr(str(b, "retention"))],
  ]);
}

/** The settings routes. */
export function settingsRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps, auth } = ctx;
  const app = new Hono<WebEnv>();
  const source = configSourceOf(deps);
  const read = () => source.read();
  const current = async (): Promise<{ text: string; config: Config }> => {
    const text = await read();
    try {
      return { text, config: parseConfig(text) };
    } catch {
      return { text, config: deps.config() }; // a broken file: show what runs
    }
  };

  const mqttPage = (
    c: Context<WebEnv>,
    cfg: Config,
    version: string,
    extra: Partial<Parameters<typeof MqttPage>[0]> = {},
    status = 200,
  ) =>
    ctx.page(c, { title: "MQTT", active: "mqtt" }, (csrf) =>
      MqttPage({
        csrf,
        version,
        values: Object.fromEntries(MQTT_FIELDS.map((f) => [f.key, mqttValue(cfg.mqtt, f.key)])),
        hasPassword: Boolean(cfg.mqtt.password),
        ...extra,
      }), status);
  /** The MQTT task's connection as /api/health reports it (already credential-free). */
  const mqttConnection = async (c: Context<WebEnv>) => {
    try {
      const req = new Request(new URL("/api/health", c.req.url));
      const res = await deps.api.fetch(req, { viaDashboard: true, trusted: true });
      const m = (await res.json())?.mqtt;
      if (!m || typeof m !== "object") return undefined;
      const lastError = typeof m.lastError === "string" ? m.lastError : null;
      return { enabled: m.enabled === true, connected: m.connected === true, lastError };
    } catch {
      return undefined; // no banner rather than no page
    }
  };
  app.get("/mqtt", async (c) => {
    const { text, config } = await current();
    const saved = c.req.query("saved") === "1";
    const connection = await mqttConnection(c);
    return mqttPage(c, config, versionOf(text), { saved, connection });
  });
  app.post("/mqtt/validate", async (c) => {
    const b = await c.req.parseBody();
    const { text, config } = await current();
    return c.json(byField(tryEdit(text, mqttEdit(b, config.mqtt)).problems, MQTT_PATHS));
  });
  app.post("/mqtt/test", async (c) => {
    const b = await c.req.parseBody();
    const { text, config } = await current();
    const tried = tryEdit(text, mqttEdit(b, config.mqtt));
    if (!tried.config) return c.json({ ok: false, message: formatProblems(tried.problems) });
    return c.json(await testMqtt(tried.config.mqtt));
  });
  app.post("/mqtt", async (c) => {
    const b = await c.req.parseBody();
    const { text, config } = await current();
    const wait = ctx.waitReload();
    try {
      await saveEdit(source, mqttEdit(b, config.mqtt), str(b, "_version"));
    } catch (err) {
      if (err instanceof ConfigConflictError) {
        return mqttPage(c, config, versionOf(text), { conflict: true }, 409);
      }
      if (!(err instanceof ConfigError)) throw err;
      const { fields, other } = byField(err.problems, MQTT_PATHS);
      // Show what the user typed (never the password) next to the loader's messages.
      const values = Object.fromEntries(
        MQTT_FIELDS.map((f) => [f.key, f.type === "bool" ? str(b, f.key) === "on" : str(b, f.key)]),
      );
      return ctx.page(
        c,
        { title: "MQTT", active: "mqtt" },
        (csrf) =>
          MqttPage({
            csrf,
            version: str(b, "_version"),
            values,
            hasPassword: Boolean(config.mqtt.password),
            fields,
            other,
          }),
        422,
      );
    }
    await wait.done;
    return c.redirect("/mqtt?saved=1", 303);
  });

  const zones = Intl.supportedValuesOf("timeZone");
  const settingsPage = (
    c: Context<WebEnv>,
    p: Partial<Parameters<typeof SettingsPage>[0]> & {
      version: string;
      values: { heartbeat: string; timezone: string; retention: string };
    },
    status = 200,
  ) =>
    ctx.page(
      c,
      { title: "Settings", active: "settings" },
      (csrf) => SettingsPage({ csrf, zones, passwordFromEnv: auth.managedByEnv(), ...p }),
      status,
    );
  const valuesOf = (cfg: Config) => ({
    heartbeat: String(cfg.heartbeatSeconds),
    timezone: cfg.timezone,
    retention: String(cfg.retentionDays),
  });
  app.get("/settings", async (c) => {
    const { text, config } = await current();
    return settingsPage(c, {
      version: versionOf(text),
      values: valuesOf(config),
      saved: c.req.query("saved") === "1",
    });
  });
  app.post("/settings/validate", async (c) => {
    const b = await c.req.parseBody();
    return c.json(byField(tryEdit(await read(), settingsEdit(b)).problems, SETTINGS_PATHS));
  });
  app.post("/settings", async (c) => {
    const b = await c.req.parseBody();
    const values = {
      heartbeat: str(b, "heartbeat"),
      timezone: str(b, "timezone"),
      retention: str(b, "retention"),
    };
    const wait = ctx.waitReload();
    try {
      await saveEdit(source, settingsEdit(b), str(b, "_version"));
    } catch (err) {
      const version = versionOf(await read());
      if (err instanceof ConfigConflictError) {
        return settingsPage(c, { version, values, conflict: true }, 409);
      }
      if (!(err instanceof ConfigError)) throw err;
      return settingsPage(c, {
        version: str(b, "_version"),
        values,
        ...byField(err.problems, SETTINGS_PATHS),
      }, 422);
    }
    await wait.done;
    return c.redirect("/settings?saved=1", 303);
  });
  app.post("/settings/password", async (c) => {
    const b = await c.req.parseBody();
    const { text, config } = await current();
    const p = { version: versionOf(text), values: valuesOf(config) };
    if (str(b, "password") !== str(b, "confirm")) {
      return settingsPage(c, {
        ...p,
        passwordNote: { ok: false, text: "The two new passwords differ" },
      }, 400);
    }
    const problem = await auth.changePassword(
      c.get("session")!,
      typeof b.current === "string" ? b.current : "",
      typeof b.password === "string" ? b.password : "",
    );
    const note = problem
      ? { ok: false, text: problem }
      : { ok: true, text: "Password changed. Other sessions were signed out." };
    return settingsPage(c, { ...p, passwordNote: note }, problem ? 400 : 200);
  });

  return app;
}
