/** Queued ensureStream() calls of the PostgreSQL writer, applied in the order they came among the checks. */

/** One queued ensureStream(name, kind, id). */
export interface PgRegistration {
  name: string;
  kind?: string;
  id?: string;
}

/** A queued check or change: its name, its row id once known, and how many registrations came before it. */
export interface PgOrdered {
  name: string;
  id?: number;
  /** The registrations queued before this item (their count when it was recorded). */
  after: number;
}

/** What one flush takes: the registrations with global numbers start, start + 1, … */
export interface PgTakenRegistrations {
  regs: PgRegistration[];
  start: number;
}

/** The queue of registrations; items stamp themselves with {@link count}(). */
export interface PgRegistrationQueue {
  /** Registrations queued so far (ever): the stamp of an item recorded now. */
  count(): number;
  /** Registrations waiting. */
  size(): number;
  /**
   * Queues one, unless the newest waiting one touching its name or id is the same call (then
   * applying it again would change nothing: a config reload while the database is down).
   */
  add(r: PgRegistration): void;
  /** Takes every waiting registration (the queue is empty after). */
  take(): PgTakenRegistrations;
  /** Puts a taken set back in front of those queued since (a failed flush). */
  putBack(t: PgTakenRegistrations): void;
}

/** Creates an empty queue. */
export function createRegistrationQueue(): PgRegistrationQueue {
  let list: PgRegistration[] = [];
  let total = 0;
  return {
    count: () => total,
    size: () => list.length,
    add(r) {
      for (let i = list.length - 1; i >= 0; i--) {
        const x = list[i];
        if (x.name !== r.name && (r.id === undefined || x.id !== r.id)) continue;
        if (x.name === r.name && x.kind === r.kind && x.id === r.id) return;
        break;
      }
      list.push(r);
      total++;
    },
    take() {
      const t = { regs: list, start: total - list.length };
      list = [];
      return t;
    },
    putBack(t) {
      list = t.regs.concat(list);
    },
  };
}

/**
 * Applies the taken registrations one by one, and before each resolves the row id of every item
 * recorded before it (so a check recorded before a rename goes to the row it was recorded for,
 * as SQLite's synchronous ensureStream does), then resolves the rest. `lists` are in record
 * order (their `after` never decreases). `idOf` is the known id of a name, `ensure` registers.
 */
export async function applyInOrder(
  taken: PgTakenRegistrations,
  lists: PgOrdered[][],
  idOf: (name: string) => number | undefined,
  ensure: (name: string, kind?: string, id?: string) => Promise<number>,
): Promise<void> {
  const at = lists.map(() => 0);
  const resolveUpTo = async (limit: number) => {
    for (const [n, list] of lists.entries()) {
      for (; at[n] < list.length && list[at[n]].after <= limit; at[n]++) {
        const r = list[at[n]];
        r.id ??= idOf(r.name) ?? await ensure(r.name);
      }
    }
  };
  for (const [k, r] of taken.regs.entries()) {
    await resolveUpTo(taken.start + k);
    await ensure(r.name, r.kind, r.id);
  }
  await resolveUpTo(Infinity);
}
