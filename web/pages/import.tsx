/** Bulk import: the paste/upload form, the preview (credentials masked) and the result. */

import { Csrf } from "./layout.tsx";

/** The formats offered, with their labels. */
const FORMATS: Array<[string, string]> = [
  ["auto", "Detect from the text"],
  ["lines", "Lines: name url [tags], or just URLs"],
  ["csv", "CSV with a header row: name,url,tags"],
  ["frigate", "Frigate config.yml"],
  ["go2rtc", "go2rtc.yaml"],
];

/** An example in the empty text area. */
const PLACEHOLDER =
  "Front door rtsp://user:pass@192.168.1.20/stream1 outside\nrtsp://192.168.1.21/live";

/** Props of {@link ImportFormPage}. */
export interface ImportFormProps {
  csrf: string;
  format?: string;
  /** Why the last input could not be read (shown above the form). */
  problems?: string[];
}

/** The form: paste text or upload a file, pick a format; nothing is written from here. */
export function ImportFormPage(p: ImportFormProps) {
  const format = p.format ?? "auto";
  return (
    <section class="narrow">
      <h1>Import streams</h1>
      <p>
        Paste a list of cameras or upload a file. You get a preview first: nothing is saved until
        you press “Import”. Credentials stay on the server and are masked in the preview.
      </p>
      {(p.problems?.length ?? 0) > 0 && (
        <ul class="problems" role="alert">{p.problems!.map((m) => <li key={m}>{m}</li>)}</ul>
      )}
      <form
        method="post"
        action="/streams/import/preview"
        enctype="multipart/form-data"
        class="stack"
        id="import-form"
      >
        <Csrf token={p.csrf} />
        <div class="field">
          <label for="import-format">Format</label>
          <select id="import-format" name="format">
            {FORMATS.map(([v, label]) => (
              <option key={v} value={v} selected={v === format}>{label}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="import-text">Cameras</label>
          <textarea
            id="import-text"
            name="text"
            rows={12}
            spellcheck={false}
            autocomplete="off"
            class="import-text"
            aria-describedby="import-text-hint"
            placeholder={PLACEHOLDER}
          />
          <small id="import-text-hint">
            One camera a line (“name url tags”; a bare URL gets a name from its host and path), CSV
            (“name,url,tags”, tags separated by ; or spaces), a Frigate config.yml or a go2rtc
            streams: block. At most 1 MiB and 5,000 cameras.
          </small>
        </div>
        <div class="field">
          <label for="import-file">Or upload a file</label>
          <input
            id="import-file"
            type="file"
            name="file"
            accept=".txt,.csv,.yml,.yaml,text/plain,text/csv"
          />
          <small>A file takes the place of the pasted text.</small>
        </div>
        <div class="buttons">
          <button type="submit">Preview</button>
          <a href="/">Cancel</a>
        </div>
      </form>
    </section>
  );
}

/** One preview row: everything shown is safe to render (the URL is masked). */
export interface ImportRow {
  index: number;
  name: string;
  maskedUrl: string;
  tags: string[];
  status: "new" | "duplicate-name" | "duplicate-url" | "invalid";
  reason?: string;
  warnings: string[];
  source: string;
}

/** Props of {@link ImportPreviewPage}. */
export interface ImportPreviewProps {
  csrf: string;
  token: string;
  /** config.yaml's version the preview was made against. */
  version: string;
  format: string;
  rows: ImportRow[];
  /** Problems of config.yaml itself, or of the input as a whole. */
  problems: string[];
  /** Set when a save was refused: why (the file changed, nothing checked…). */
  notice?: string;
}

/** "1 camera", "3 cameras". */
const cameras = (n: number) => `${n} camera${n === 1 ? "" : "s"}`;

/** The status cell's words. */
export function statusText(r: Pick<ImportRow, "status" | "reason">): string {
  if (r.status === "new") return "new";
  if (r.status === "duplicate-name") return "duplicate (same name)";
  if (r.status === "duplicate-url") return "duplicate (same URL)";
  return `invalid: ${r.reason ?? "unknown reason"}`;
}

/** The preview table with a checkbox per new camera and one "Import N cameras" button. */
export function ImportPreviewPage(p: ImportPreviewProps) {
  const fresh = p.rows.filter((r) => r.status === "new").length;
  const dup = p.rows.filter((r) => r.status.startsWith("duplicate")).length;
  const bad = p.rows.length - fresh - dup;
  return (
    <section>
      <div class="heading">
        <h1>Import preview</h1>
        <a class="button" href="/streams/import">Start over</a>
      </div>
      <p id="import-summary">
        Read as {p.format}: {p.rows.length} cameras found — <b>{fresh} new</b>, {dup}{" "}
        duplicates (skipped), {bad} invalid. Nothing is saved yet.
      </p>
      {p.notice && <p class="alert" role="alert">{p.notice}</p>}
      {p.problems.length > 0 && (
        <ul class="problems" role="alert">{p.problems.map((m) => <li key={m}>{m}</li>)}</ul>
      )}
      <form method="post" action="/streams/import/save" id="import-preview">
        <Csrf token={p.csrf} />
        <input type="hidden" name="_token" value={p.token} />
        <input type="hidden" name="_version" value={p.version} />
        <div class="import-scroll">
          <table class="import-table">
            <caption class="sr">Cameras found; check the ones to import</caption>
            <thead>
              <tr>
                <th scope="col">Import</th>
                <th scope="col">Name</th>
                <th scope="col">URL</th>
                <th scope="col">Tags</th>
                <th scope="col">Status</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr key={r.index} class={`import-${r.status}`} data-import-status={r.status}>
                  <td>
                    <input
                      type="checkbox"
                      name={`pick.${r.index}`}
                      id={`pick-${r.index}`}
                      checked={r.status === "new"}
                      disabled={r.status !== "new"}
                      aria-label={`Import ${r.name || r.source}`}
                    />
                  </td>
                  <th scope="row">
                    <label for={`pick-${r.index}`}>{r.name || "(no name)"}</label>
                  </th>
                  <td class="import-url">
                    <code>{r.maskedUrl || "—"}</code>
                  </td>
                  <td>{r.tags.join(", ")}</td>
                  <td class="import-status">{statusText(r)}</td>
                  <td class="import-notes">
                    <small>{r.source}</small>
                    {r.warnings.map((w) => <small key={w} class="import-warning">{w}</small>)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="buttons">
          <button type="submit" disabled={fresh === 0}>Import {cameras(fresh)}</button>
          <span class="muted">Unchecked rows are left out; all are saved at once, or none.</span>
        </div>
      </form>
    </section>
  );
}

/** After the save: the cameras added, each a link to its page. */
export function ImportDonePage({ names }: { names: string[] }) {
  return (
    <section class="narrow">
      <h1>Imported {cameras(names.length)}</h1>
      <p role="status">config.yaml was saved; the cameras are being checked now.</p>
      <ul class="import-done">
        {names.map((n) => (
          <li key={n}>
            <a href={`/streams/${encodeURIComponent(n)}`}>{n}</a>
          </li>
        ))}
      </ul>
      <p>
        <a class="button" href="/">Back to the dashboard</a>
      </p>
    </section>
  );
}
