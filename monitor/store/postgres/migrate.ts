/** Applies the PostgreSQL migrations: one transaction per step, serialised across nodes. */

import type { Sql } from "postgres";
import { type PgMigration, POSTGRES_MIGRATIONS } from "./migrations.ts";

/** Anything with info(); the store passes its logger. */
export interface PgMigrationLogger {
  /** Receives one line per applied migration. */
  info(msg: string): void;
}

/** Options of {@link migratePostgres}. */
export interface PgMigrateOptions {
  /** The steps (default {@link POSTGRES_MIGRATIONS}); tests pass their own. */
  migrations?: readonly PgMigration[];
  /** Clock in ms since the epoch, for `sp_schema.applied_at` (default Date.now). */
  now?: () => number;
}

/** What {@link migratePostgres} did. */
export interface PgMigrateResult {
  /** The schema version found (0 for an empty database). */
  from: number;
  /** The schema version now. */
  to: number;
  /** Versions this call applied (empty when the schema was current or another node did it). */
  applied: number[];
}

/**
 * The advisory lock every StreamPulse migration takes ("SP" and 1 as a 64-bit key): held for one
 * step's transaction, it makes two nodes starting at once take turns instead of both creating
 * the same tables.
 */
export const MIGRATION_LOCK_KEY = 0x5350_0001;

const SCHEMA_TABLE = `
  CREATE TABLE sp_schema (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`;

/** Throws when the steps are not numbered 1, 2, 3 … (pure). */
export function checkNumbering(migrations: readonly PgMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`Migration "${m.name}" has number ${m.version}, expected ${i + 1}`);
    }
  });
}

/**
 * Brings the schema up to the newest step. Each step runs in its own transaction that first takes
 * `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)`, then (re)reads `sp_schema` (creating it on the
 * first step), applies the next step if it is still missing and records it — so two nodes
 * starting together end with one schema: the second waits, then finds the step done. A failing
 * step rolls back alone and is thrown naming it. Refuses a database whose `sp_schema` is newer
 * than this StreamPulse knows, or has gaps, rather than guessing at its schema.
 */
export async function migratePostgres<T extends Record<string, unknown>>(
  sql: Sql<T>,
  logger?: PgMigrationLogger,
  opts: PgMigrateOptions = {},
): Promise<PgMigrateResult> {
  const migrations = opts.migrations ?? POSTGRES_MIGRATIONS;
  const now = opts.now ?? Date.now;
  checkNumbering(migrations);
  const latest = migrations.length;
  let from: number | undefined;
  const applied: number[] = [];
  for (;;) {
    const step = await sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      // Created under the lock: a bare CREATE TABLE IF NOT EXISTS races with a second node.
      const [{ exists }] = await tx.unsafe(
        "SELECT to_regclass('sp_schema') IS NOT NULL AS exists",
      );
      if (!exists) await tx.unsafe(SCHEMA_TABLE);
      const [row] = await tx.unsafe(
        "SELECT count(*)::int AS n, coalesce(max(version), 0)::int AS v FROM sp_schema",
      );
      const current = row.v as number;
      if (row.n !== current) {
        throw new Error(
          `Database table sp_schema records ${row.n} steps up to version ${current}: ` +
            "some are missing; refusing to migrate a schema of unknown shape",
        );
      }
      from ??= current;
      if (current > latest) {
        throw new Error(
          `Database schema version ${current} is newer than this StreamPulse knows (${latest}); ` +
            "refusing to open it: upgrade StreamPulse",
        );
      }
      if (current === latest) return { current, done: true };
      const m = migrations[current];
      try {
        await tx.unsafe(m.sql).simple();
        await tx.unsafe(
          "INSERT INTO sp_schema (version, name, applied_at) VALUES ($1, $2, $3)",
          [m.version, m.name, Math.floor(now())],
        );
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(`Migration ${m.version} "${m.name}" failed: ${why}`, { cause: err });
      }
      return { current: m.version, done: false };
    });
    if (step.done) return { from: from ?? step.current, to: step.current, applied };
    applied.push(step.current);
    logger?.info(
      `store: applied PostgreSQL migration ${step.current} "${migrations[step.current - 1].name}"`,
    );
  }
}
