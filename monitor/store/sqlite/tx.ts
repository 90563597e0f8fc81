/** One write transaction on node:sqlite: BEGIN IMMEDIATE, COMMIT, or ROLLBACK and rethrow. */

import type { DatabaseSync } from "node:sqlite";

/**
 * Runs `fn` in a write transaction taken at once (`BEGIN IMMEDIATE`, so a busy database fails
 * here, before any work), commits, and returns what `fn` returned; rolls back and rethrows when
 * `fn` (or COMMIT) throws.
 */
export function writeTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const out = fn();
    db.exec("COMMIT");
    return out;
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
}
