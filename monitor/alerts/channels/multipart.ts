/** multipart/form-data built by hand, so text fields keep their bytes (FormData turns LF into CRLF). */

import type { Attachment } from "../types.ts";
import { pictureName } from "./format.ts";

/** One part: a text field, or a file. */
export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; type: string; bytes: Uint8Array };

/** A picture as a file part named `name`. */
export function picturePart(name: string, a: Attachment, filename = pictureName(a)): Part {
  return { name, filename, type: a.contentType, bytes: a.bytes };
}

/** Quotes a name or file name for Content-Disposition (`"`, CR and LF percent-encoded). */
function quoted(s: string): string {
  return `"${s.replaceAll('"', "%22").replaceAll("\r", "%0D").replaceAll("\n", "%0A")}"`;
}

/** The body and Content-Type of a multipart/form-data request of `parts`. */
export function multipart(
  parts: readonly Part[],
): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `----StreamPulse${crypto.randomUUID().replaceAll("-", "")}`;
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(p.name)}`;
    if ("bytes" in p) head += `; filename=${quoted(p.filename)}\r\nContent-Type: ${p.type}`;
    chunks.push(
      enc.encode(`${head}\r\n\r\n`),
      "bytes" in p ? p.bytes : enc.encode(p.value),
      enc.encode("\r\n"),
    );
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
