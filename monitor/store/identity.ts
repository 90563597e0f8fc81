/**
 * Stream identity, backend-neutral and pure: how a stream `name` with a config `id:` maps onto
 * the stored stream rows (SQLite's and PostgreSQL's ensureStream() both apply this plan).
 */

/** A config id as the config parser accepts it (`id:`). */
export const CONFIG_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What ensure() does for a name and a config id; the rows named are sp_stream ids. */
export type IdentityPlan =
  /** The row already has both. */
  | { act: "use"; row: number }
  /** The row holding the id is renamed from `from`; `aside` (the row of the name) moves first. */
  | { act: "rename"; row: number; from: string; aside?: number }
  /** The row of the name had no id: it takes this one (its history is adopted). */
  | { act: "adopt"; row: number }
  /** A new row; `aside` (the row of the name, holding another id) moves out of the way first. */
  | { act: "create"; aside?: number };

/** The rows {@link planIdentity} looks at. */
export interface KnownRows {
  /** The row of a name and the config id it holds. */
  byName(name: string): { row: number; configId?: string } | undefined;
  /** The row holding a config id, and its name. */
  byConfigId(configId: string): { row: number; name: string } | undefined;
}

/**
 * Decides how `name` with `configId` maps onto the rows (pure). The id wins over the name:
 *
 * | row holding the id      | row of the name          | plan                                  |
 * |-------------------------|--------------------------|---------------------------------------|
 * | the row of the name     | –                        | use it                                |
 * | another row             | none                     | rename that row (history follows)     |
 * | another row             | a row (no id, or another)| move the name's row aside, then rename|
 * | none                    | a row without an id      | adopt: that row takes the id          |
 * | none                    | a row with another id    | move it aside, create a new row       |
 * | none                    | none                     | create a new row                      |
 *
 * "Aside" renames a row to `<name> (old)` (`(old 2)`, … when taken): no history is ever merged
 * or dropped, and the moved-aside history stays readable under that name.
 */
export function planIdentity(name: string, configId: string, known: KnownRows): IdentityPlan {
  const holder = known.byConfigId(configId);
  const named = known.byName(name);
  if (holder) {
    if (holder.name === name) return { act: "use", row: holder.row };
    return { act: "rename", row: holder.row, from: holder.name, aside: named?.row };
  }
  if (named && named.configId === undefined) return { act: "adopt", row: named.row };
  return { act: "create", aside: named?.row };
}

/** The first free `<name> (old)`, `<name> (old 2)`, … for a row moved aside. */
export function asideName(name: string, taken: (n: string) => boolean): string {
  let n = `${name} (old)`;
  for (let i = 2; taken(n); i++) n = `${name} (old ${i})`;
  return n;
}
