/** CSV export of check history: RFC 4180 quoting, formula-injection guard, streamed in batches. */

import type { ExportRow } from "../monitor/store/mod.ts";
import { formatInZone, parseQueryTime } from "../monitor/mod.ts";

export type { ExportRow };

/** The header line's columns. */
export const CSV_COLUMNS = ["stream", "time", "epoch_ms", "ok", "state", "latency_ms", "message"];

/**
 * One CSV cell. Text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so
 * spreadsheets show it instead of running it as a formula; cells holding a quote, comma or line
 * break are quoted with inner quotes doubled.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** One CSV line (CRLF-terminated) of a row. */
export function csvLine(r: ExportRow, timeZone: string): string {
  return [
    csvCell(r.name),
    csvCell(formatInZone(r.ts, timeZone)),
    csvCell(r.ts),
    csvCell(r.ok),
    csvCell(r.state),
    csvCell(r.latencyMs === null || !Number.isFinite(r.latencyMs) ? null : r.latencyMs),
    csvCell(r.message),
  ].join(",") + "\r\n";
}

/**
 * Streams rows as CSV. Rows are pulled `batch` at a time only when the client reads, so memory
 * stays constant for any range; a cancelled download closes the iterator (and its statement).
 */
export function csvStream(
  rows: Iterable<ExportRow> | AsyncIterable<ExportRow>,
  opts: { timeZone: string; batch?: number },
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const batch = opts.batch ?? 500;
  let it: Iterator<ExportRow> | AsyncIterator<ExportRow> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode(CSV_COLUMNS.join(",") + "\r\n"));
    },
    async pull(controller) {
      it ??= Symbol.asyncIterator in rows
        ? rows[Symbol.asyncIterator]()
        : (rows as Iterable<ExportRow>)[Symbol.iterator]();
      let text = "";
      for (let i = 0; i < batch; i++) {
        const step = it.next();
        // a synchronous store's rows come without a tick per row
        const next = step instanceof Promise ? await step : step;
        if (next.done) {
          if (text) controller.enqueue(enc.encode(text));
          controller.close();
          return;
        }
        text += csvLine(next.value, opts.timeZone);
      }
      controller.enqueue(enc.encode(text));
    },
    async cancel() {
      await it?.return?.();
    },
  }, { highWaterMark: 1 });
}

/**
 * Parses a date or time from the export form: `2025-11-01` (start of that UTC day, or its end
 * with `endOfDay`), ISO-8601 (an unencoded `+05:30` offset, decoded to a space, too) or epoch
 * ms. Throws RangeError naming the value.
 */
export function parseExportTime(value: string, name: string, endOfDay = false): number {
  const v = value.trim();
  let ms: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    ms = Date.parse(`${v}T00:00:00Z`) + (endOfDay ? 86_400_000 - 1 : 0);
  } else ms = parseQueryTime(v);
  if (!Number.isFinite(ms)) {
    throw new RangeError(
      `Invalid "${name}": expected a date like 2025-11-01, got "${v.slice(0, 40)}"`,
    );
  }
  return ms;
}
