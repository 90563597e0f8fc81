/** What the parts of the SQLite store share: the database, the clock, the logger, stream ids. */

import type { DatabaseSync } from "node:sqlite";
import type { StoreLogger } from "../types.ts";

/** A row as node:sqlite returns it. */
export type Row = Record<string, unknown>;

/**
 * Built once by openSqliteStore() and passed to each part (queue, queries, reports, meta,
 * retention), so they share one connection and one name → id map without module state. Each part
 * prepares its own statements on `db`.
 */
export interface SqliteContext {
  /** The open connection. */
  db: DatabaseSync;
  /** The path given to openSqliteStore(), for messages and health. */
  path: string;
  /** Clock in ms since the epoch. */
  now: () => number;
  /** Where trouble is reported. */
  log: StoreLogger;
  /** Stream ids by name. */
  streams: StreamIds;
  /** Throws `Cannot <what>: the store "<path>" is closed` once close() ran. */
  assertOpen(what: string): void;
  /** True once close() ran (prune stops between batches). */
  closed(): boolean;
}

/** The sp_stream rows' ids, loaded at open and kept in memory (reads never look names up). */
export interface StreamIds {
  /** The id of a known stream, undefined for an unknown name. */
  id(name: string): number | undefined;
  /** The id of `name`, creating its row; a given kind is remembered (written at once). */
  ensure(name: string, kind?: string): number;
  /** Every known name, sorted. */
  names(): string[];
  /** Every known id. */
  ids(): number[];
}

/** Loads the stream rows of `db` and returns the id map; `now` stamps created_at of new rows. */
export function createStreamIds(db: DatabaseSync, now: () => number): StreamIds {
  const find = db.prepare("SELECT id, kind FROM sp_stream WHERE name = ?");
  const add = db.prepare(
    "INSERT INTO sp_stream (name, kind, created_at) VALUES (?, ?, ?) RETURNING id",
  );
  const setKind = db.prepare("UPDATE sp_stream SET kind = ? WHERE id = ?");
  const ids = new Map<string, number>();
  const kinds = new Map<number, string | null>();
  for (const r of db.prepare("SELECT id, name, kind FROM sp_stream").all() as Row[]) {
    ids.set(r.name as string, r.id as number);
    kinds.set(r.id as number, r.kind as string | null);
  }
  return {
    id: (name) => ids.get(name),
    ensure(name, kind) {
      let id = ids.get(name);
      if (id === undefined) {
        const found = find.get(name) as Row | undefined;
        id = found ? found.id as number : (add.get(name, kind ?? null, now()) as Row).id as number;
        ids.set(name, id);
        kinds.set(id, found ? found.kind as string | null : kind ?? null);
      }
      if (kind !== undefined && kinds.get(id) !== kind) {
        setKind.run(kind, id);
        kinds.set(id, kind);
      }
      return id;
    },
    names: () => [...ids.keys()].sort(),
    ids: () => [...ids.values()],
  };
}
