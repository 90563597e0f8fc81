/**
 * Routes of the bulk import: the form, the preview (the parsed batch stays server-side, keyed by
 * a token bound to the session) and the one all-or-nothing save with the version check.
 */

import { type Context, Hono } from "hono";
import { ConfigConflictError, ConfigError } from "../../monitor/config/mod.ts";
import { maskUrl, redactText } from "../../monitor/mod.ts";
import type { WebContext } from "../context.ts";
import { configSourceOf, saveEdit, versionOf } from "../config_edit.ts";
import type { WebEnv } from "../guard.ts";
import {
  createImportStore,
  IMPORT_FORMATS,
  type ImportBatch,
  importEdit,
  type ImportFormat,
  MAX_INPUT_BYTES,
  parseImport,
  planImport,
} from "../import/mod.ts";
import { ImportDonePage, ImportFormPage, ImportPreviewPage } from "../pages/mod.ts";

/** Room for the form's other fields and multipart framing around a 1 MiB input. */
const BODY_LIMIT = MAX_INPUT_BYTES + 64 * 1024;

/** The import routes (mounted before the stream routes, so /streams/import is no stream name). */
export function importRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps } = ctx;
  const store = createImportStore({ now: ctx.now });
  const app = new Hono<WebEnv>();
  const source = configSourceOf(deps);
  const read = () => source.read();
  const sessionOf = (c: Context<WebEnv>) => c.get("session")?.id ?? "";
  const form = (c: Context<WebEnv>, problems: string[] = [], format?: string, status = 200) =>
    ctx.page(
      c,
      { title: "Import streams", active: "add" },
      (csrf) => ImportFormPage({ csrf, problems, format }),
      status,
    );
  /** The preview of `batch` against config.yaml's text now; URLs masked before rendering. */
  const preview = (
    c: Context<WebEnv>,
    p: { token: string; batch: ImportBatch; text: string; notice?: string; extra?: string[] },
    status = 200,
  ) => {
    const plan = planImport(p.text, p.batch.cameras);
    const rows = plan.cameras.map((cam, index) => ({
      index,
      name: cam.name,
      maskedUrl: maskUrl(cam.url),
      tags: cam.tags,
      status: cam.status,
      reason: cam.reason,
      warnings: cam.warnings,
      source: cam.source,
    }));
    return ctx.page(c, { title: "Import preview", active: "add" }, (csrf) =>
      ImportPreviewPage({
        csrf,
        token: p.token,
        version: versionOf(p.text),
        format: p.batch.format,
        rows,
        problems: [...(p.extra ?? []), ...plan.configProblems],
        notice: p.notice,
      }), status);
  };
  /**
   * The dashboard's CSRF check reads form bodies before any route (so hono's bodyLimit, which
   * wraps the raw stream, cannot run here): refuse by the declared length, then by the file's.
   */
  const tooLong = (c: Context<WebEnv>) => Number(c.req.header("content-length") ?? 0) > BODY_LIMIT;

  app.get("/streams/import", (c) => form(c));
  app.post("/streams/import/preview", async (c) => {
    if (tooLong(c)) return form(c, ["The upload is larger than 1 MiB"], undefined, 413);
    const b = await c.req.parseBody();
    const format = (IMPORT_FORMATS as readonly string[]).includes(String(b.format))
      ? b.format as ImportFormat
      : "auto";
    let text = typeof b.text === "string" ? b.text : "";
    if (b.file instanceof File && b.file.size > 0) {
      if (b.file.size > MAX_INPUT_BYTES) {
        return form(
          c,
          [`The file is ${b.file.size} bytes; at most 1 MiB is accepted`],
          format,
          413,
        );
      }
      text = await b.file.text();
    }
    if (text.trim() === "") return form(c, ["Paste some cameras or choose a file"], format, 422);
    const parsed = parseImport(text, format);
    // Problems of the input quote no text of it, but mask anyway: it may hold credentials.
    const problems = parsed.problems.map((m) => redactText(m));
    if (parsed.cameras.length === 0) {
      return form(c, problems.length ? problems : ["No cameras found"], format, 422);
    }
    const batch: ImportBatch = { cameras: parsed.cameras, format: parsed.format };
    const token = store.put(sessionOf(c), batch);
    return preview(c, { token, batch, text: await read(), extra: problems });
  });
  app.post("/streams/import/save", async (c) => {
    const b = await c.req.parseBody();
    const token = typeof b._token === "string" ? b._token : "";
    const version = typeof b._version === "string" ? b._version : "";
    const batch = store.get(sessionOf(c), token);
    if (!batch) {
      return form(
        c,
        [
          "This preview has expired (previews last 10 minutes) or belongs to another sign-in; " +
          "paste the cameras again.",
        ],
        undefined,
        410,
      );
    }
    const text = await read();
    if (versionOf(text) !== version) {
      return preview(c, {
        token,
        batch,
        text,
        notice: "config.yaml changed since this preview, so nothing was saved. The preview " +
          "below is up to date: check it and import again.",
      }, 409);
    }
    const plan = planImport(text, batch.cameras);
    const picked = Object.keys(b).filter((k) => /^pick\.\d{1,5}$/.test(k))
      .map((k) => Number(k.slice(5)));
    const bad = picked.filter((i) => plan.cameras[i]?.status !== "new");
    if (bad.length > 0) {
      return preview(c, {
        token,
        batch,
        text,
        notice: `Only new cameras can be imported; row ${bad[0] + 1} is not new. Nothing saved.`,
      }, 422);
    }
    const chosen = picked.map((i) => plan.cameras[i]);
    if (chosen.length === 0) {
      return preview(
        c,
        { token, batch, text, notice: "No camera was checked; nothing saved." },
        422,
      );
    }
    const wait = ctx.waitReload();
    try {
      await saveEdit(source, importEdit(chosen), version);
    } catch (err) {
      const now = await read();
      if (err instanceof ConfigConflictError) {
        return preview(c, {
          token,
          batch,
          text: now,
          notice: "config.yaml changed while saving, so nothing was saved; check and import again.",
        }, 409);
      }
      if (err instanceof ConfigError) {
        const extra = err.problems.map((p) => redactText(`${p.path}: ${p.message}`));
        return preview(c, {
          token,
          batch,
          text: now,
          extra,
          notice: "config.yaml would not be valid after the import, so nothing was saved.",
        }, 422);
      }
      throw err;
    }
    await wait.done;
    store.delete(token);
    return ctx.page(
      c,
      { title: "Imported", active: "add" },
      () => ImportDonePage({ names: chosen.map((cam) => cam.name) }),
    );
  });
  return app;
}
