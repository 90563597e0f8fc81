/** The sp_stream rows of PostgreSQL by name: ensureStream()'s identity writes and the id map. */

import type { Sql, TransactionSql } from "postgres";
import { asideName, CONFIG_ID, planIdentity } from "../identity.ts";
import type { StoreLogger } from "../types.ts";

/** Stream row ids by name, filled by ensure() and kept in memory (checks never look names up). */
export interface PgStreamIds {
  /** The id of a name seen by ensure(), else undefined. */
  id(name: string): number | undefined;
  /**
   * The row id of `name`, created or renamed as `planIdentity` (../identity.ts) decides when a
   * config id is given (the id wins; a name held by another row moves aside to `<name> (old)`);
   * a given kind is remembered. Calls run one at a time, each in its own transaction.
   */
  ensure(name: string, kind?: string, configId?: string): Promise<number>;
}

interface Found {
  id: number;
  name: string;
  kind: string | null;
  config_id: string | null;
}

/** The first free `<name> (old…)` among the names the database holds now. */
async function freeAsideName(tx: TransactionSql, name: string): Promise<string> {
  const taken = new Set(
    (await tx`SELECT name FROM sp_stream WHERE starts_with(name, ${name + " (old"})`)
      .map((r) => r.name as string),
  );
  return asideName(name, (n) => taken.has(n));
}

/**
 * Returns the id map over `sql`; `now` stamps created_at of new rows, `log` hears renames and
 * rows moved aside. Rows are locked (FOR UPDATE) while a config id is applied, so two nodes
 * applying the same rename take turns.
 */
export function createPgStreamIds(sql: Sql, now: () => number, log: StoreLogger): PgStreamIds {
  const ids = new Map<string, number>();
  const kinds = new Map<number, string | null>();
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };
  const moveMute = async (tx: TransactionSql, from: string, to: string) => {
    await tx`DELETE FROM sp_mute WHERE name = ${to} AND EXISTS
      (SELECT 1 FROM sp_mute WHERE name = ${from})`;
    await tx`UPDATE sp_mute SET name = ${to} WHERE name = ${from}`;
  };

  const plain = async (name: string, kind: string | undefined): Promise<number> => {
    const [r] = await sql`INSERT INTO sp_stream (name, kind, created_at)
      VALUES (${name}, ${kind ?? null}, ${now()})
      ON CONFLICT (name) DO UPDATE SET kind = COALESCE(EXCLUDED.kind, sp_stream.kind)
      RETURNING id::float8 AS id, kind`;
    return r.id as number;
  };

  const withId = (name: string, kind: string | undefined, cid: string) =>
    sql.begin(async (tx) => {
      const rows = (await tx`SELECT id::float8 AS id, name, kind, config_id FROM sp_stream
        WHERE name = ${name} OR config_id = ${cid} ORDER BY id FOR UPDATE`) as unknown as Found[];
      const plan = planIdentity(name, cid, {
        byName: (n) => {
          const r = rows.find((x) => x.name === n);
          return r && { row: r.id, configId: r.config_id ?? undefined };
        },
        byConfigId: (c) => {
          const r = rows.find((x) => x.config_id === c);
          return r && { row: r.id, name: r.name };
        },
      });
      const setKind = async (id: number) => {
        if (kind !== undefined) await tx`UPDATE sp_stream SET kind = ${kind} WHERE id = ${id}`;
        return id;
      };
      if (plan.act === "use") return setKind(plan.row);
      if (plan.act === "adopt") {
        await tx`UPDATE sp_stream SET config_id = ${cid} WHERE id = ${plan.row}`;
        return setKind(plan.row);
      }
      if (plan.aside !== undefined) {
        const aside = await freeAsideName(tx, name);
        await tx`UPDATE sp_stream SET name = ${aside} WHERE id = ${plan.aside}`;
        await moveMute(tx, name, aside);
        ids.delete(name);
        ids.set(aside, plan.aside);
        log.warn(
          `store: the history of "${name}" now reads as "${aside}" (stream id "${cid}" took the name)`,
        );
      }
      if (plan.act === "rename") {
        await tx`UPDATE sp_stream SET name = ${name} WHERE id = ${plan.row}`;
        await moveMute(tx, plan.from, name);
        if (ids.get(plan.from) === plan.row) ids.delete(plan.from);
        log.info(`store: stream "${plan.from}" is now "${name}" (id "${cid}"), history kept`);
        return setKind(plan.row);
      }
      const [r] = await tx`INSERT INTO sp_stream (name, kind, created_at, config_id)
        VALUES (${name}, ${kind ?? null}, ${now()}, ${cid}) RETURNING id::float8 AS id`;
      return r.id as number;
    });

  return {
    id: (name) => ids.get(name),
    ensure(name, kind, configId) {
      if (configId !== undefined && !CONFIG_ID.test(configId)) {
        return Promise.reject(
          new RangeError(
            `Cannot add stream "${name}": id ${JSON.stringify(configId.slice(0, 80))} ` +
              "is not 1–64 of A-Z a-z 0-9 _ -",
          ),
        );
      }
      const known = ids.get(name);
      if (configId === undefined && known !== undefined) {
        if (kind === undefined || kinds.get(known) === kind) return Promise.resolve(known);
      }
      return serial(async () => {
        const id = configId === undefined
          ? await plain(name, kind)
          : await withId(name, kind, configId);
        ids.set(name, id);
        if (kind !== undefined) kinds.set(id, kind);
        return id;
      });
    },
  };
}
