/** The SQLite store's small settings (sp_meta): read through the write queue, written by it. */

import type { StoreMeta } from "../types.ts";
import type { Row, SqliteContext } from "./context.ts";
import type { WriteQueue } from "./queue.ts";

/**
 * Returns getMeta/setMeta. A value still queued (written at once normally, kept and retried while
 * the database refuses writes) wins over the stored one, so callers never see the failure.
 */
export function createMeta(ctx: SqliteContext, queue: WriteQueue): StoreMeta {
  const get = ctx.db.prepare("SELECT value FROM sp_meta WHERE key = ?");
  return {
    getMeta(key) {
      ctx.assertOpen(`read setting "${key}"`);
      const queued = queue.queuedMeta(key);
      if (queued) return queued.value;
      return (get.get(key) as Row | undefined)?.value as string | undefined;
    },
    setMeta: (key, value) => queue.setMeta(key, value),
  };
}
