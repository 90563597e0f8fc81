/**
 * Routes of the stream editor: add, clone, edit and rename (history follows by `id:`), inline
 * validation, "Test now", save (the password write-only; a save still works while another
 * camera of config.yaml is broken).
 */

import { type Context, Hono } from "hono";
import { ConfigConflictError, ConfigError, formatProblems } from "../../monitor/config/mod.ts";
import { redactText } from "../../monitor/mod.ts";
import type { WebContext } from "../context.ts";
import {
  configSourceOf,
  editStream,
  emptyValues,
  idBeforeRename,
  problemsByField,
  saveEdit,
  type StreamValues,
  streamValuesFrom,
  streamValuesOf,
  tryEdit,
  versionOf,
} from "../config_edit.ts";
import { ConfigBrokenError, saveEditKeeping } from "../config_save.ts";
import { hasPassword, resolvePassword, withoutPassword } from "../stream_form.ts";
import { isInStream, problemInWords } from "../stream_problems.ts";
import type { WebEnv } from "../guard.ts";
import { EditorPage, UnknownStreamPage } from "../pages/mod.ts";
import { bulkTagsRoutes } from "./bulk_tags.tsx";
import { copyName, type EditorView, fileStreams, secretsOf } from "./streams_edit_view.ts";

/** The editor routes (mounted before the stream routes, so /streams/new is not a stream name). */
export function editorRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps } = ctx;
  const app = new Hono<WebEnv>();
  app.route("/", bulkTagsRoutes(ctx));
  const source = configSourceOf(deps);
  const read = () => source.read();
  const unknown = (c: Context<WebEnv>, name: string) =>
    ctx.page(c, { title: "Unknown stream" }, () => <UnknownStreamPage name={name} />, 404);
  /** Renders the form; the URL is always shown without its password. */
  const editor = (c: Context<WebEnv>, text: string, p: EditorView, status = 200) => {
    const file = fileStreams(text);
    const index = p.index ?? file.indexOf(p.original);
    const secrets = secretsOf(p.values, file.url(p.original ?? p.cloneOf));
    const clean = (m: string) => redactText(m, secrets);
    const problems = (p.problems ?? []).map((x) => ({ ...x, message: clean(x.message) }));
    const { fields, other } = problemsByField(problems, index, p.values.name || undefined);
    if (p.passwordProblem) {
      fields.password = `${p.values.name || "This stream"} — Password: ${p.passwordProblem}`;
    }
    const stored = file.url(p.original ?? p.cloneOf);
    return ctx.page(
      c,
      {
        title: p.original ? `Edit ${p.original}` : "Add stream",
        active: p.original ? undefined : "add",
      },
      (csrf) =>
        EditorPage({
          csrf,
          version: versionOf(text),
          ...p,
          values: { ...p.values, url: withoutPassword(p.values.url), password: "" },
          fields,
          other: [...other, ...(p.notes ?? [])].map(clean),
          passwordSet: stored !== undefined && hasPassword(stored),
          others: file.names.filter((n) => n !== p.original),
          pending: p.pending?.map((x) => clean(problemInWords(x))),
          heartbeatSeconds: deps.config().heartbeatSeconds,
        }),
      status,
    );
  };
  /** The form's values with the URL to save (the stored password merged in), or its problem. */
  const body = async (c: Context<WebEnv>, text: string) => {
    const b = await c.req.parseBody();
    const str = (k: string) => (typeof b[k] === "string" && b[k] ? b[k] as string : undefined);
    const original = str("_original");
    const cloneOf = original === undefined ? str("_clone_of") : undefined;
    const form = streamValuesFrom(b);
    const file = fileStreams(text);
    const resolved = resolvePassword(form, file.url(original ?? cloneOf));
    const values: StreamValues = resolved.problem === undefined
      ? { ...form, url: resolved.url }
      : form;
    return {
      version: str("_version") ?? "",
      values,
      original,
      cloneOf,
      passwordProblem: resolved.problem,
      index: file.indexOf(original),
      secrets: secretsOf(form, file.url(original ?? cloneOf)),
    };
  };

  app.get("/streams/new", async (c) => {
    const text = await read();
    const from = c.req.query("clone");
    if (from === undefined) return editor(c, text, { values: emptyValues() });
    const file = fileStreams(text);
    const raw = file.raw(from);
    if (!raw) return unknown(c, from);
    const values = { ...streamValuesOf(raw), name: copyName(from, file.names) };
    return editor(c, text, { values, cloneOf: from });
  });
  app.post("/streams/validate", async (c) => {
    const text = await read();
    const b = await body(c, text);
    const problems = tryEdit(text, editStream(b.values, b.original)).problems
      .map((p) => ({ ...p, message: redactText(p.message, b.secrets) }));
    // A new stream is appended: its problems are at the index after the last stream.
    const index = b.index >= 0 ? b.index : fileStreams(text).names.length;
    const out = problemsByField(problems, index, b.values.name || undefined);
    if (b.passwordProblem) {
      out.fields.password = `${b.values.name || "This stream"} — Password: ${b.passwordProblem}`;
    }
    return c.json(out);
  });
  app.post("/streams/test", async (c) => {
    const b = await body(c, await read());
    if (b.passwordProblem) return c.json({ ok: false, message: `Password: ${b.passwordProblem}` });
    // Tested alone (with the global heartbeat), so problems elsewhere in the file do not matter.
    const base = `heartbeat_seconds: ${deps.config().heartbeatSeconds}\nstreams: []\n`;
    const { config, problems } = tryEdit(base, editStream({ ...b.values, enabled: true }));
    const stream = config?.streams[0];
    if (!stream) {
      const message = redactText(formatProblems(problems), b.secrets) || "Nothing to test";
      return c.json({ ok: false, message });
    }
    const res = await deps.monitor.probeOnce(
      stream,
      AbortSignal.timeout(stream.timeoutSeconds * 1000 + 2000),
    );
    return c.json({
      ok: res.ok,
      latencyMs: Math.round(res.latencyMs),
      message: redactText(res.message, b.secrets),
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
    const next = await saveEdit(source, edit, version);
    await wait.done;
    return versionOf(next);
  };
  app.post("/streams/save", async (c) => {
    const text = await read();
    const b = await body(c, text);
    const { values, original, cloneOf } = b;
    if (b.passwordProblem) {
      return editor(
        c,
        text,
        { values, original, cloneOf, passwordProblem: b.passwordProblem },
        422,
      );
    }
    let version = b.version;
    try {
      version = await idFirst(values, original, version);
    } catch (err) {
      if (!(err instanceof ConfigConflictError || err instanceof ConfigError)) throw err;
    }
    const wait = ctx.waitReload();
    let pending;
    try {
      const index = b.index >= 0 ? b.index : fileStreams(text).names.length;
      const saved = await saveEditKeeping(
        source,
        editStream(values, original),
        version,
        (p) => isInStream(p, index),
      );
      pending = saved.pending;
    } catch (err) {
      const now = await read();
      const view = { values, original, cloneOf };
      if (err instanceof ConfigConflictError) {
        return editor(c, now, { ...view, conflict: true }, 409);
      }
      if (err instanceof ConfigBrokenError) {
        const why = err.problems.map((p) => problemInWords(p)).join("; ");
        const note = `Nothing was saved: config.yaml has a YAML syntax error (${why}). ` +
          "Fix the file on disk first; the dashboard only edits a file it can read.";
        return editor(c, now, { ...view, notes: [note] }, 422);
      }
      if (err instanceof ConfigError) {
        const index = b.index >= 0 ? b.index : fileStreams(now).names.length;
        return editor(c, now, { ...view, problems: err.problems, index }, 422);
      }
      throw err;
    }
    if (pending.length > 0) {
      return editor(c, await read(), { values, original: values.name, pending });
    }
    await wait.done;
    return c.redirect(`/streams/${encodeURIComponent(values.name)}`, 303);
  });

  app.get("/streams/:name/edit", async (c) => {
    const name = c.req.param("name");
    const text = await read();
    const raw = fileStreams(text).raw(name);
    if (!raw) return unknown(c, name);
    return editor(c, text, { original: name, values: streamValuesOf(raw) });
  });
  return app;
}
