/** The CSV export form: all streams or one, over a date range. */

/** Props of {@link ExportPage}. */
export interface ExportProps {
  names: string[];
  from: string;
  to: string;
  timezone: string;
}

/** A GET form: the download is streamed by `/export.csv`. */
export function ExportPage(p: ExportProps) {
  return (
    <section class="narrow">
      <h1>Export history</h1>
      <p>
        Every check in the range as CSV (one line per check, times in {p.timezone}{" "}
        and as epoch milliseconds). Dates are UTC days, both included.
      </p>
      <form method="get" action="/export.csv" class="stack">
        <label>
          Stream
          <select name="stream">
            <option value="">All streams</option>
            {p.names.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={p.from} required />
        </label>
        <label>
          To
          <input type="date" name="to" value={p.to} required />
        </label>
        <div class="buttons">
          <button type="submit">Download CSV</button>
        </div>
      </form>
    </section>
  );
}
