/** GET/POST /streams/tags: add and remove tags on several cameras in one safe save. */

import { type Context, Hono } from "hono";
import { ConfigConflictError, ConfigError } from "../../monitor/config/mod.ts";
import { redactText } from "../../monitor/mod.ts";
import type { WebContext } from "../context.ts";
import { configSourceOf, editTags, tagList, versionOf } from "../config_edit.ts";
import { ConfigBrokenError, saveEditKeeping } from "../config_save.ts";
import { isInStream, problemInWords } from "../stream_problems.ts";
import type { WebEnv } from "../guard.ts";
import { BulkTagsPage } from "../pages/mod.ts";
import { fileStreams } from "./streams_edit_view.ts";

/** What one rendering of the page shows besides the file's cameras. */
interface TagsView {
  selected?: string[];
  add?: string;
  remove?: string;
  fields?: Record<string, string>;
  other?: string[];
  conflict?: boolean;
  saved?: string;
}

/** The bulk tags routes (mounted with the editor's, before /streams/:name). */
export function bulkTagsRoutes(ctx: WebContext): Hono<WebEnv> {
  const { deps } = ctx;
  const app = new Hono<WebEnv>();
  const source = configSourceOf(deps);
  const read = () => source.read();
  const page = (c: Context<WebEnv>, text: string, v: TagsView, status = 200) => {
    const file = fileStreams(text);
    const chosen = new Set(v.selected ?? []);
    const rows = file.names.map((name) => {
      const tags = file.raw(name)?.tags;
      const list = Array.isArray(tags) ? tags.map(String) : tags == null ? [] : [String(tags)];
      return { name, tags: list, selected: chosen.has(name) };
    });
    return ctx.page(c, { title: "Edit tags" }, (csrf) =>
      BulkTagsPage({
        csrf,
        version: versionOf(text),
        rows,
        add: v.add ?? "",
        remove: v.remove ?? "",
        fields: v.fields,
        other: v.other?.map((m) => redactText(m)),
        conflict: v.conflict,
        saved: v.saved,
      }), status);
  };

  app.get("/streams/tags", async (c) => page(c, await read(), {}));
  app.post("/streams/tags", async (c) => {
    const b = await c.req.parseBody({ all: true });
    const list = (k: string) =>
      [b[k] ?? []].flat().filter((x): x is string => typeof x === "string");
    const one = (k: string) => list(k)[0] ?? "";
    const view: TagsView = { selected: list("stream"), add: one("add"), remove: one("remove") };
    const add = tagList(view.add!);
    const remove = tagList(view.remove!);
    const text = await read();
    if (view.selected!.length === 0) {
      return page(c, text, { ...view, fields: { streams: "Tick at least one camera." } }, 422);
    }
    if (add.length === 0 && remove.length === 0) {
      return page(c, text, { ...view, fields: { add: "Type a tag to add or to remove." } }, 422);
    }
    const file = fileStreams(text);
    const indexes = new Set(view.selected!.map((n) => file.indexOf(n)));
    const mine = (p: Parameters<typeof isInStream>[0]) =>
      [...indexes].some((i) => isInStream(p, i));
    const wait = ctx.waitReload();
    try {
      const saved = await saveEditKeeping(
        source,
        editTags(view.selected!, add, remove),
        one("_version"),
        mine,
      );
      const n = view.selected!.length;
      const done = `Saved the tags of ${n} camera${n === 1 ? "" : "s"}.`;
      if (saved.pending.length > 0) {
        const why = saved.pending.map((p) => problemInWords(p)).join("; ");
        return page(c, saved.text, {
          saved: `${done} Not applied yet: config.yaml still has problems elsewhere (${why}), ` +
            "so StreamPulse keeps running the last good config until they are fixed.",
        });
      }
      await wait.done;
      return page(c, saved.text, { saved: done });
    } catch (err) {
      const now = await read();
      if (err instanceof ConfigConflictError) return page(c, now, { ...view, conflict: true }, 409);
      if (err instanceof ConfigBrokenError || err instanceof ConfigError) {
        const why = err.problems.map((p) => problemInWords(p));
        const head = err instanceof ConfigBrokenError
          ? "Nothing was saved: config.yaml has a YAML syntax error; fix the file on disk first."
          : "Nothing was saved:";
        return page(c, now, { ...view, other: [head, ...why] }, 422);
      }
      throw err;
    }
  });
  return app;
}
