/** The bulk tags page: pick cameras, add and remove tags on all of them in one save. */

import { Csrf, SaveNotices } from "./layout.tsx";

/** One camera row of {@link BulkTagsPage}. */
export interface BulkTagsRow {
  name: string;
  tags: string[];
  /** Ticked (kept after a refused save). */
  selected: boolean;
}

/** Props of {@link BulkTagsPage}. */
export interface BulkTagsProps {
  csrf: string;
  version: string;
  rows: BulkTagsRow[];
  add: string;
  remove: string;
  /** Problem beside the tag fields or the selection. */
  fields?: Record<string, string>;
  other?: string[];
  conflict?: boolean;
  /** "Saved: N cameras changed" after a save. */
  saved?: string;
}

/** A plain form (works without JavaScript): checkboxes, two tag fields, one Save. */
export function BulkTagsPage(p: BulkTagsProps) {
  const f = p.fields ?? {};
  return (
    <section class="narrow">
      <h1>Edit tags of several cameras</h1>
      {p.saved && <p class="note tags-saved" role="status">{p.saved}</p>}
      <SaveNotices conflict={p.conflict} other={p.other} />
      <form method="post" action="/streams/tags" class="stack" id="tags-form">
        <Csrf token={p.csrf} />
        <input type="hidden" name="_version" value={p.version} />
        <fieldset class="tags-list" aria-describedby="p-streams">
          <legend>Cameras ({p.rows.length})</legend>
          {p.rows.length === 0 && <p>No cameras in config.yaml yet.</p>}
          {p.rows.map((r) => (
            <label class="tags-row" key={r.name}>
              <input type="checkbox" name="stream" value={r.name} checked={r.selected} />{" "}
              <span class="tags-name">{r.name}</span>{" "}
              <span class="tags-current">{r.tags.length ? r.tags.join(", ") : "no tags"}</span>
            </label>
          ))}
          <p class="problem" id="p-streams">{f.streams ?? ""}</p>
        </fieldset>
        <div class="field">
          <label for="f-add">Add tags</label>
          <input id="f-add" name="add" value={p.add} aria-describedby="h-add p-add" />
          <small id="h-add">Comma separated, e.g. outside, site-a</small>
          <p class="problem" id="p-add">{f.add ?? ""}</p>
        </div>
        <div class="field">
          <label for="f-remove">Remove tags</label>
          <input id="f-remove" name="remove" value={p.remove} aria-describedby="p-remove" />
          <p class="problem" id="p-remove">{f.remove ?? ""}</p>
        </div>
        <div class="buttons">
          <button type="submit">Save tags</button>
          <a href="/">Cancel</a>
        </div>
      </form>
    </section>
  );
}
