/**
 * The Store's reads, reports and alerting as a backend that answers later (PostgreSQL) offers
 * them: derived from the one Store interface (../types.ts), each `Awaitable<T>` a `Promise<T>`
 * and exportChecks an AsyncIterable — same arguments, semantics and result shapes, documented
 * there once. Store's Awaitable returns accept them.
 */

import type { RangeQuery, Store, StoreAlerts, StoreReads, StoreReports } from "../types.ts";

/** Options of allIncidents(), as Store declares them. */
export type IncidentLogQuery = NonNullable<Parameters<Store["allIncidents"]>[0]> & RangeQuery;

/** A method of the Store with its answer later: `Awaitable<T>` becomes `Promise<T>`. */
type AnswerLater<F> = F extends (...args: infer A) => infer R ? (...args: A) => Later<R> : F;
type Later<R> = [R] extends [Iterable<infer T> | AsyncIterable<infer T>] ? AsyncIterable<T>
  : Promise<Awaited<R>>;

/** StoreReads and StoreReports (plus Store.allIncidents), answered later. */
export type AsyncStoreQueries = {
  [K in keyof StoreReads | keyof StoreReports | "allIncidents"]: AnswerLater<Store[K]>;
};

/** StoreAlerts, answered later: each write committed before its Promise resolves. */
export type AsyncStoreAlerts = { [K in keyof StoreAlerts]: AnswerLater<StoreAlerts[K]> };

/** Every read of the Store (reads, reports, alerting) as Promises. */
export type AsyncStoreReads = AsyncStoreQueries & AsyncStoreAlerts;
