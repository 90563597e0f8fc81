/** The sp_stream rows by name and by config id: the stream identity decisions and their writes. */

import type { DatabaseSync } from "node:sqlite";
import { writeTransaction } from "./tx.ts";
import { asideName, CONFIG_ID, type KnownRows, planIdentity } from "../identity.ts";
import type { StoreLogger } from "../types.ts";

/** A row as node:sqlite returns it (context.ts imports this file, so not its Row). */
type Row = Record<string, unknown>;

/** The sp_stream rows' ids, loaded at open and kept in memory (reads never look names up). */
export interface StreamIds {
  /** The id of a known stream, undefined for an unknown name. */
  id(name: string): number | undefined;
  /**
   * The row id of the stream `name`, creating or renaming its row as {@link planIdentity} decides
   * when `configId` is given; a given kind is remembered. Written at once, in one transaction.
   */
  ensure(name: string, kind?: string, configId?: string): number;
  /** Every known name, sorted. */
  names(): string[];
  /** Every known id. */
  ids(): number[];
}

/**
 * Loads the stream rows of `db` and returns the id map; `now` stamps created_at of new rows,
 * `log` hears renames and rows moved aside.
 */
export function createStreamIds(db: DatabaseSync, now: () => number, log?: StoreLogger): StreamIds {
  const find = db.prepare("SELECT id, kind, config_id FROM sp_stream WHERE name = ?");
  const add = db.prepare(
    "INSERT INTO sp_stream (name, kind, created_at, config_id) VALUES (?, ?, ?, ?) RETURNING id",
  );
  const setKind = db.prepare("UPDATE sp_stream SET kind = ? WHERE id = ?");
  const setName = db.prepare("UPDATE sp_stream SET name = ? WHERE id = ?");
  const setConfigId = db.prepare("UPDATE sp_stream SET config_id = ? WHERE id = ?");
  const moveMute = db.prepare("UPDATE OR REPLACE sp_mute SET name = ? WHERE name = ?");
  const ids = new Map<string, number>();
  const names = new Map<number, string>();
  const kinds = new Map<number, string | null>();
  const byConfig = new Map<string, number>();
  const configOf = new Map<number, string>();
  const remember = (id: number, name: string, kind: string | null, cid: string | null) => {
    ids.set(name, id);
    names.set(id, name);
    kinds.set(id, kind);
    if (cid !== null) byConfig.set(cid, id), configOf.set(id, cid);
  };
  for (const r of db.prepare("SELECT id, name, kind, config_id FROM sp_stream").all() as Row[]) {
    remember(r.id as number, r.name as string, r.kind as string | null, r.config_id as never);
  }
  const known: KnownRows = {
    byName: (n) => {
      const row = ids.get(n);
      return row === undefined ? undefined : { row, configId: configOf.get(row) };
    },
    byConfigId: (c) => {
      const row = byConfig.get(c);
      return row === undefined ? undefined : { row, name: names.get(row)! };
    },
  };
  const transaction = <T>(fn: () => T): T => writeTransaction(db, fn);
  const renamed = (row: number, from: string, to: string) => {
    if (ids.get(from) === row) ids.delete(from);
    ids.set(to, row);
    names.set(row, to);
  };
  /** Applies {@link planIdentity}'s plan in one transaction; memory follows once it committed. */
  const identify = (name: string, kind: string | undefined, cid: string): number => {
    const plan = planIdentity(name, cid, known);
    if (plan.act === "use") return plan.row;
    const moved = "aside" in plan ? plan.aside : undefined;
    const aside = moved === undefined ? "" : asideName(name, (n) => ids.has(n));
    const row = transaction(() => {
      if (moved !== undefined) {
        setName.run(aside, moved);
        moveMute.run(aside, name); // a mute belongs to the stream: it follows the row
      }
      if (plan.act === "rename") {
        setName.run(name, plan.row);
        moveMute.run(name, plan.from);
        return plan.row;
      }
      if (plan.act === "adopt") {
        setConfigId.run(cid, plan.row);
        return plan.row;
      }
      return (add.get(name, kind ?? null, now(), cid) as Row).id as number;
    });
    if (moved !== undefined) {
      renamed(moved, name, aside);
      log?.warn(
        `store: the history of "${name}" now reads as "${aside}" (stream id "${cid}" took the name)`,
      );
    }
    if (plan.act === "rename") {
      renamed(row, plan.from, name);
      log?.info(`store: stream "${plan.from}" is now "${name}" (id "${cid}"), history kept`);
    } else if (plan.act === "adopt") {
      byConfig.set(cid, row);
      configOf.set(row, cid);
    } else remember(row, name, kind ?? null, cid);
    return row;
  };
  return {
    id: (name) => ids.get(name),
    ensure(name, kind, configId) {
      let id: number | undefined;
      if (configId !== undefined) {
        if (!CONFIG_ID.test(configId)) {
          throw new RangeError(
            `Cannot add stream "${name}": id ${JSON.stringify(configId.slice(0, 80))} ` +
              "is not 1–64 of A-Z a-z 0-9 _ -",
          );
        }
        id = identify(name, kind, configId);
      } else id = ids.get(name);
      if (id === undefined) {
        const found = find.get(name) as Row | undefined;
        if (found) {
          remember(found.id as number, name, found.kind as never, found.config_id as never);
        } else {remember(
            (add.get(name, kind ?? null, now(), null) as Row).id as number,
            name,
            kind ?? null,
            null,
          );}
        id = ids.get(name)!;
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
