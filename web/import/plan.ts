/**
 * Decides what an import would do to config.yaml (pure): each camera new, a duplicate of an
 * existing stream (or of an earlier camera of the batch) by name or URL, or invalid with the
 * config loader's own reason; and the one edit adding the chosen ones.
 */

import { type Document, isMap, isSeq, parseDocument, type YAMLMap, YAMLSeq } from "yaml";
import { newStreamId, streamList, tryEdit } from "../config_edit.ts";
import { redactText } from "../../monitor/mod.ts";
import { secretsOf } from "./util.ts";
import type { ImportCamera } from "./types.ts";

/** What importing one camera would do. */
export type ImportStatus = "new" | "duplicate-name" | "duplicate-url" | "invalid";

/** A camera with its status (`reason` says why it is invalid, credentials masked). */
export interface PlannedCamera extends ImportCamera {
  status: ImportStatus;
  reason?: string;
}

/** The preview's facts. */
export interface ImportPlan {
  cameras: PlannedCamera[];
  /** Problems of config.yaml itself (not of a camera): the save would be refused for them. */
  configProblems: string[];
}

/** Names and URLs of the streams config.yaml lists now, and how many entries it has. */
function existing(doc: Document): { names: Set<string>; urls: Set<string>; count: number } {
  const names = new Set<string>();
  const urls = new Set<string>();
  const seq = doc.get("streams", true);
  const items = isSeq(seq) ? seq.items : [];
  for (const it of items) {
    if (!isMap(it)) continue;
    names.add(String(it.get("name") ?? "").trim());
    urls.add(String(it.get("url") ?? "").trim());
  }
  return { names, urls, count: items.length };
}

/**
 * Plans importing `cameras` into the config text `configText`: duplicates (same name, else same
 * URL, compared after trimming; also within the batch, the first one wins) are skipped, and the
 * new ones are validated together by the config loader, in one pass, as they would be saved.
 */
export function planImport(configText: string, cameras: readonly ImportCamera[]): ImportPlan {
  const doc = parseDocument(configText);
  const { names, urls, count } = existing(doc);
  const out: PlannedCamera[] = [];
  for (const cam of cameras) {
    const url = cam.url.trim();
    let status: ImportStatus = "new";
    let reason = cam.invalid;
    if (reason) status = "invalid";
    else if (!cam.name) (status = "invalid", reason = "no name");
    else if (names.has(cam.name)) status = "duplicate-name";
    else if (urls.has(url)) status = "duplicate-url";
    if (status === "new") (names.add(cam.name), urls.add(url));
    out.push({ ...cam, url, status, reason });
  }
  const fresh = out.filter((c) => c.status === "new");
  const { problems } = tryEdit(configText, importEdit(fresh));
  const configProblems: string[] = [];
  for (const p of problems) {
    const at = /^streams\[(\d+)\]/.exec(p.path);
    const cam = at ? fresh[Number(at[1]) - count] : undefined;
    if (!cam) {
      configProblems.push(redactText(`${p.path}: ${p.message}`));
      continue;
    }
    const field = p.path.slice(at![0].length).replace(/^\./, "");
    const text = redactText(`${field ? field + " " : ""}${p.message}`, secretsOf(cam.url));
    cam.status = "invalid";
    cam.reason = cam.reason ? `${cam.reason}; ${text}` : text;
  }
  return { cameras: out, configProblems };
}

/** The ids of the document's streams. */
function idsOf(doc: Document): Set<string> {
  const seq = doc.get("streams", true);
  const ids = new Set<string>();
  for (const it of isSeq(seq) ? seq.items : []) {
    if (isMap(it) && it.has("id")) ids.add(String(it.get("id")));
  }
  return ids;
}

/**
 * The edit appending `cameras` to `streams:` (a block list), each with name, url, tags (when
 * any) and a fresh `id:` no stream has (`newId`, default {@link newStreamId}). Comments and
 * everything else in the file stay as they are.
 */
export function importEdit(
  cameras: readonly Pick<ImportCamera, "name" | "url" | "tags">[],
  newId: () => string = newStreamId,
): (doc: Document) => void {
  return (doc) => {
    const list = streamList(doc);
    const taken = idsOf(doc);
    for (const cam of cameras) {
      const item = doc.createNode({ name: cam.name, url: cam.url }) as YAMLMap;
      if (cam.tags.length > 0) {
        const tags = doc.createNode(cam.tags) as YAMLSeq;
        tags.flow = true;
        item.set("tags", tags);
      }
      let id = newId();
      for (let i = 0; taken.has(id) && i < 16; i++) id = newId();
      taken.add(id);
      item.set("id", id);
      list.items.push(item);
    }
  };
}
