/**
 * The fleet's shared config document in `sp_config` (migration 7): one row, compare-and-set on
 * its version, `NOTIFY sp_config, '<version>'` on every write.
 */

import postgres from "postgres";
import type { Sql } from "postgres";
import {
  ConfigConflictError,
  type ConfigDoc,
  type ConfigDocRead,
  MAX_CONFIG_BYTES,
} from "../../config/mod.ts";
import { migratePostgres } from "./migrate.ts";

/** The channel of the change notifications; the payload is the new version. */
export const CONFIG_CHANNEL = "sp_config";

/** Options of {@link createConfigDoc}. */
export interface ConfigDocDeps {
  /** Recorded in `updated_by` (a node's name, or e.g. "streampulse config import"). */
  node: string;
  /** Largest text accepted in bytes of UTF-8 (default MAX_CONFIG_BYTES, config.yaml's limit). */
  maxBytes?: number;
}

/** The database clock in ms, as every fleet table records time. */
const DB_NOW = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/** What may not go into the document: too large, or a NUL (TEXT cannot hold one). */
function refuse(text: string, maxBytes: number): void {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > maxBytes) {
    throw new RangeError(`The shared config is ${bytes} bytes; the limit is ${maxBytes} bytes`);
  }
  if (text.includes("\0")) {
    throw new RangeError("The shared config contains a NUL character, which it cannot store");
  }
}

const conflict = (expected: number | undefined) =>
  new ConfigConflictError(
    "database",
    "The shared config in the database changed since it was read" +
      (expected === undefined ? " (it was empty)" : ` (version ${expected})`) +
      "; reload and try again",
  );

/**
 * The shared document on `sql` (the store's client). Writes run in a transaction that sends the
 * notification, which PostgreSQL delivers only on commit, so a listener never reads a version
 * that is not there yet. Versions are read as numbers (BIGINT arrives as text).
 */
export function createConfigDoc(sql: Sql, deps: ConfigDocDeps): ConfigDoc {
  const maxBytes = deps.maxBytes ?? MAX_CONFIG_BYTES;
  const by = deps.node;
  const notify = (tx: Sql, version: number) =>
    tx`SELECT pg_notify(${CONFIG_CHANNEL}, ${String(version)})`;
  /** Inserts version 1 when there is no row; the new version, or undefined when one exists. */
  const insert = async (text: string): Promise<number | undefined> => {
    refuse(text, maxBytes);
    return await sql.begin(async (tx) => {
      const rows = await tx`INSERT INTO sp_config (id, text, version, updated_at, updated_by)
        VALUES (1, ${text}, 1, ${tx.unsafe(DB_NOW)}, ${by})
        ON CONFLICT (id) DO NOTHING RETURNING version`;
      if (rows.length === 0) return undefined;
      await notify(tx as unknown as Sql, 1);
      return 1;
    });
  };
  return {
    async read(): Promise<ConfigDocRead | undefined> {
      const [row] = await sql`SELECT text, version, updated_at, updated_by
        FROM sp_config WHERE id = 1`;
      if (!row) return undefined;
      return {
        text: row.text as string,
        version: Number(row.version),
        updatedAt: Number(row.updated_at),
        updatedBy: (row.updated_by as string | null) ?? null,
      };
    },
    async version() {
      const [row] = await sql`SELECT version FROM sp_config WHERE id = 1`;
      return row ? Number(row.version) : undefined;
    },
    async write(text, expectedVersion) {
      if (expectedVersion === undefined) {
        const v = await insert(text);
        if (v === undefined) throw conflict(undefined);
        return v;
      }
      refuse(text, maxBytes);
      const v = await sql.begin(async (tx) => {
        const rows = await tx`UPDATE sp_config
          SET text = ${text}, version = version + 1, updated_at = ${tx.unsafe(DB_NOW)},
              updated_by = ${by}
          WHERE id = 1 AND version = ${expectedVersion} RETURNING version`;
        if (rows.length === 0) return undefined;
        const version = Number(rows[0].version);
        await notify(tx as unknown as Sql, version);
        return version;
      });
      if (v === undefined) throw conflict(expectedVersion);
      return v;
    },
    async importIfEmpty(text) {
      return (await insert(text)) !== undefined;
    },
    async listen(onChange, onListen) {
      const meta = await sql.listen(CONFIG_CHANNEL, (payload) => {
        const v = Number(payload);
        if (Number.isFinite(v)) onChange(v);
      }, onListen);
      return { unlisten: () => meta.unlisten() };
    },
  };
}

/** A shared document with its own connection, for tools (`streampulse config`). */
export interface OpenConfigDoc {
  doc: ConfigDoc;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * Connects to `url` (one connection, 10 s to connect), brings the schema up to date
 * ({@link migratePostgres}) and returns the shared document on it. Errors never quote the URL.
 */
export async function openConfigDoc(
  url: string,
  deps: ConfigDocDeps & { logger?: { info(msg: string): void } },
): Promise<OpenConfigDoc> {
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    await migratePostgres(sql, deps.logger ?? { info: () => {} });
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw err;
  }
  return { doc: createConfigDoc(sql, deps), close: () => sql.end({ timeout: 5 }) };
}
