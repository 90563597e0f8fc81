/** One delivery attempt written to the PostgreSQL outbox: log row, item state, channel state. */

import type { TransactionSql } from "postgres";
import { clipText } from "../../redact.ts";
import type { AttemptRecord } from "../types.ts";
import { num } from "./read_rows.ts";

/** Answers are clipped by the channels already; this bounds what a row can hold whatever comes. */
const MAX_ANSWER = 500;

/** Writes one attempt's log row and the item's new state inside `tx`; throws for an unknown id. */
export async function recordAttemptIn(
  // deno-lint-ignore no-explicit-any
  tx: TransactionSql<any>,
  node: string,
  id: number,
  a: AttemptRecord,
): Promise<void> {
  const [r] = await tx.unsafe("SELECT * FROM sp_outbox WHERE id = $1 FOR UPDATE", [id]);
  if (!r) throw new RangeError(`Cannot record an attempt: outbox item ${id} does not exist`);
  const attempt = num(r.attempts) + (a.attempted === false ? 0 : 1);
  const answer = clipText(String(a.answer), MAX_ANSWER);
  const status = a.ok ? "sent" : a.failed ? "failed" : "pending";
  const next = Math.round(a.nextAttemptAt ?? num(r.next_attempt_at));
  const ts = Math.round(a.ts);
  // The claim ends with the attempt: a retry is due at next_attempt_at for whichever node asks.
  await tx.unsafe(
    `UPDATE sp_outbox SET attempts = $1, status = $2, next_attempt_at = $3, last_answer = $4,
       done_at = $5, claimed_by = NULL, claimed_until = NULL WHERE id = $6`,
    [attempt, status, next, answer, status === "pending" ? null : ts, id],
  );
  await tx.unsafe(
    `INSERT INTO sp_delivery (outbox_id, key, channel, ts, attempt, ok, status, answer, event,
       stream, node) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [id, r.key, r.channel, ts, attempt, a.ok, a.status, answer, r.event, r.stream, node],
  );
  if (a.ok) {
    await tx.unsafe(
      `INSERT INTO sp_channel_state (channel, last_ok_at) VALUES ($1, $2) ON CONFLICT (channel)
       DO UPDATE SET last_ok_at = greatest(coalesce(sp_channel_state.last_ok_at, $2), $2)`,
      [r.channel, ts],
    );
  } else if (a.attempted !== false) {
    await tx.unsafe(
      `INSERT INTO sp_channel_state (channel, last_error, last_error_at) VALUES ($1, $2, $3)
       ON CONFLICT (channel) DO UPDATE SET last_error = $2, last_error_at = $3`,
      [r.channel, answer, ts],
    );
  }
}
