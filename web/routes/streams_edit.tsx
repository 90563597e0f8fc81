/**
 * Routes of the stream editor: add, edit and rename (history follows by `id:`), inline
 * validation, "Test now", save.
 */

import { type Context, Hono } from "hono";
import { isSeq, parseDocument } from "yaml";
import {
  ConfigConflictError,
  ConfigError,
  type ConfigProblem,
  formatProblems,
} from "../../monitor/config/mod.ts";
import { redactText } from "../../monitor/mod.ts";
import type { WebContext } from "../context.ts";
import {
  editStream,
  idBeforeRename,
  problemsByField,
  saveEdit,
  streamIndex,
  type StreamValues,
  streamValuesFrom,
  streamValuesOf,
  tryEdit,
  versionOf,
} from "../config_edit.ts";
import type { WebEnv } from "../guard.ts";
import { EditorPage, UnknownStreamPage } from "../pages/mod.ts";

/** The editor routes (mounted before the stream routes, so /streams/new is not a stream name). */
export function editorRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps } = ctx;
  const app = new Hono<WebEnv>();
  const read = () => Deno.readTextFile(deps.configPath);
  const unknown = (c: Context<WebEnv>, name: string) =>
    ctx.page(c, { title: "Unknown stream" }, () => <UnknownStreamPage name={name} />, 404);
  const editor = (
    c: Context<WebEnv>,
    p: {
      version: string;
      original?: string;
      values: StreamValues;
      problems?: ConfigProblem[];
      index?: number;
      conflict?: boolean;
    },
    status = 200,
  ) => {
    const { fields, other } = problemsByField(p.problems ?? [], p.index ?? -1);
    return ctx.page(
      c,
      {
        title: p.original ? `Edit ${p.original}` : "Add stream",
        active: p.original ? undefined : "add",
      },
      (csrf) =>
        EditorPage({ csrf, ...p, fields, other, heartbeatSeconds: deps.config().heartbeatSeconds }),
      status,
    );
  };
  const body = async (c: Context<WebEnv>) => {
    const b = await c.req.parseBody();
    const original = typeof b._original === "string" && b._original ? b._original : undefined;
    return { b, values: streamValuesFrom(b), original };
  };
  /** Where the edited stream sits in the candidate (so problems land on its fields). */
  const indexOf = (text: string, original?: string) => {
    const doc = parseDocument(text);
    if (original !== undefined) return streamIndex(doc, original);
    const seq = doc.get("streams", true);
    return isSeq(seq) ? seq.items.length : 0;
  };

  app.get("/streams/new", async (c) => {
    const values: StreamValues = {
      name: "",
      url: "",
      enabled: true,
      kind: "",
      interval: "",
      timeout: "",
      tags: "",
      tlsInsecure: false,
    };
    return editor(c, { version: versionOf(await read()), values });
  });
  app.post("/streams/validate", async (c) => {
    const { values, original } = await body(c);
    const text = await read();
    return c.json(
      problemsByField(
        tryEdit(text, editStream(values, original)).problems,
        indexOf(text, original),
      ),
    );
  });
  app.post("/streams/test", async (c) => {
    const { values } = await body(c);
    // Tested alone (with the global heartbeat), so problems elsewhere in the file do not matter.
    const base = `heartbeat_seconds: ${deps.config().heartbeatSeconds}\nstreams: []\n`;
    const { config, problems } = tryEdit(base, editStream({ ...values, enabled: true }));
    const stream = config?.streams[0];
    if (!stream) {
      return c.json({ ok: false, message: formatProblems(problems) || "Nothing to test" });
    }
    const res = await deps.monitor.probeOnce(
      stream,
      AbortSignal.timeout(stream.timeoutSeconds * 1000 + 2000),
    );
    const secret = (() => {
      try {
        return [decodeURIComponent(new URL(stream.url).password)];
      } catch {
        return [];
      }
    })();
    return c.json({
      ok: res.ok,
      latencyMs: Math.round(res.latencyMs),
      message: redactText(res.message, secret),
    });
  });
  /**
   * Renaming a stream without an `id:`: saves its new id alone first and waits until that config
   * is applied (the store then holds the stream's history under the id), so the rename carries
   * the history. Returns the version the rename is saved against. Nothing is written when the
   * form is stale or the rename would be refused: the save that follows reports that.
   */
  const idFirst = async (values: StreamValues, original: string | undefined, version: string) => {
    const text = await read();
    const edit = idBeforeRename(text, values, original);
    if (!edit || versionOf(text) !== version) return version;
    if (tryEdit(text, editStream(values, original)).problems.length > 0) return version;
    const wait = ctx.waitReload();
    const next = await saveEdit(deps.configPath, edit, version);
    await wait.done;
    return versionOf(next);
  };
  app.post("/streams/save", async (c) => {
    const { b, values, original } = await body(c);
    let version = typeof b._version === "string" ? b._version : "";
    try {
      version = await idFirst(values, original, version);
    } catch (err) {
      if (!(err instanceof ConfigConflictError || err instanceof ConfigError)) throw err;
    }
    const wait = ctx.waitReload();
    try {
      await saveEdit(deps.configPath, editStream(values, original), version);
    } catch (err) {
      const text = await read();
      if (err instanceof ConfigConflictError) {
        return editor(c, { version: versionOf(text), original, values, conflict: true }, 409);
      }
      if (err instanceof ConfigError) {
        return editor(c, {
          version,
          original,
          values,
          problems: err.problems,
          index: indexOf(text, original),
        }, 422);
      }
      throw err;
    }
    await wait.done;
    return c.redirect(`/streams/${encodeURIComponent(values.name)}`, 303);
  });

  app.get("/streams/:name/edit", async (c) => {
    const name = c.req.param("name");
    const text = await read();
    const doc = parseDocument(text);
    const at = streamIndex(doc, name);
    if (at < 0) return unknown(c, name);
    const raw = (doc.toJS().streams as Record<string, unknown>[])[at];
    return editor(c, { version: versionOf(text), original: name, values: streamValuesOf(raw) });
  });
  return app;
}
