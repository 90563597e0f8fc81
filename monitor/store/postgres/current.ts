/** Every stream's current state as the fleet's nodes share it: sp_stream's current columns. */

import type { CurrentRow, StreamState } from "../../types.ts";
import { num, numOrNull, type PgRow, type PgSql } from "./read_rows.ts";

/** The channel a write batch notifies (payload: the writing node's name) after it changed rows. */
export const CURRENT_CHANNEL = "sp_current";

/**
 * The advisory lock a write batch holds from taking its cur_seq values until COMMIT ("SP" and 2),
 * so the values become visible in the order they were taken: a reader that has seen seq n will
 * never later find a newly committed row with a seq below n.
 */
export const CURRENT_LOCK_KEY = 0x5350_0002;

/** Rows one {@link readCurrent} call returns at most; `seq` says where the next call goes on. */
export const CURRENT_PAGE = 10_000;

export type { CurrentRow };

const COLUMNS = `name, kind, state, state_since, created_at, fail_streak, last_ts, last_ok,
  last_state, last_latency, last_message, last_details, state_node, cur_seq, cur_at`;

function parseDetails(text: unknown): Record<string, unknown> {
  if (typeof text !== "string") return {};
  try {
    const d = JSON.parse(text);
    return d !== null && typeof d === "object" && !Array.isArray(d) ? d : { unreadable: text };
  } catch {
    return { unreadable: text };
  }
}

/** Maps an sp_stream row (the {@link COLUMNS}) to a {@link CurrentRow}. */
export function toCurrentRow(r: PgRow): CurrentRow {
  const lastTs = numOrNull(r.last_ts);
  const at = numOrNull(r.cur_at);
  return {
    name: r.name as string,
    ...(r.kind ? { kind: r.kind as string } : {}),
    state: r.state as StreamState,
    since: num(r.state_since ?? r.created_at),
    failStreak: num(r.fail_streak),
    ...(lastTs === null ? {} : {
      last: {
        ts: lastTs,
        ok: r.last_ok === true,
        state:
          ((r.last_state as string | null) ?? (r.last_ok === true ? "up" : "down")) as StreamState,
        latencyMs: r.last_latency === null ? NaN : Number(r.last_latency),
        message: (r.last_message as string | null) ?? "",
        details: parseDetails(r.last_details),
      },
    }),
    node: (r.state_node as string | null) ?? null,
    seq: num(r.cur_seq),
    ...(at === null ? {} : { updatedAt: at }),
  };
}

/**
 * The streams whose row changed after `sinceSeq` (0: every stream), in seq order, at most
 * {@link CURRENT_PAGE}; `seq` is the last row's seq (or `sinceSeq` when none changed), so
 * `readCurrent(sql, seq)` continues. Served by the sp_stream_cur_seq index.
 */
export async function readCurrent(
  sql: PgSql,
  sinceSeq: number,
): Promise<{ seq: number; rows: CurrentRow[] }> {
  if (!Number.isSafeInteger(sinceSeq) || sinceSeq < 0) {
    throw new RangeError(
      `Cannot read current states: sinceSeq ${sinceSeq} is not a whole number ≥ 0`,
    );
  }
  const rows = await sql.unsafe(
    `SELECT ${COLUMNS} FROM sp_stream WHERE cur_seq > $1 ORDER BY cur_seq LIMIT ${CURRENT_PAGE}`,
    [sinceSeq],
  );
  const out = (rows as PgRow[]).map(toCurrentRow);
  return { seq: out.length > 0 ? out[out.length - 1].seq : sinceSeq, rows: out };
}

/**
 * Calls `onNotify(node)` for every `NOTIFY sp_current` (node: the writer's name, "" when it has
 * none) and `onListen()` each time the LISTEN is (re)established — after a reconnect
 * notifications may have been missed, so a mirror reads everything then. Resolves once listening;
 * the function it resolves with stops it.
 */
export async function listenCurrent(
  sql: PgSql,
  onNotify: (node: string) => void,
  onListen?: () => void,
): Promise<() => Promise<void>> {
  const meta = await sql.listen(CURRENT_CHANNEL, onNotify, onListen);
  return async () => {
    await meta.unlisten();
  };
}
