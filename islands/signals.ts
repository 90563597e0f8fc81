/** The one signals module: live rows of the page, fed by the `/events` server-sent-events stream. */

import { batch, type Signal, signal } from "@preact/signals";
import type { Row, RowsEvent, SnapshotEvent } from "./types.ts";

/** Live state shared by the islands of one page. */
export interface LiveState {
  /** Stream names in config order. */
  order: Signal<string[]>;
  /** One signal per stream, so a result re-renders only its own row. */
  rows: Map<string, Signal<Row>>;
  /** The server's clock (ms), ticking every 5 s, for "12 s ago" texts. */
  now: Signal<number>;
  /** Whether the event stream is connected. */
  link: Signal<"connecting" | "live" | "offline" | "signed-out">;
  /** The last rejected config edit, until the next good reload. */
  configError: Signal<string | null>;
  /** True once a snapshot arrived from the server. */
  synced: Signal<boolean>;
}

/** Creates a state holding `rows`. */
export function createLiveState(rows: Row[], now: number): LiveState {
  const state: LiveState = {
    order: signal(rows.map((r) => r.name)),
    rows: new Map(rows.map((r) => [r.name, signal(r)])),
    now: signal(now),
    link: signal("connecting"),
    configError: signal(null),
    synced: signal(false),
  };
  return state;
}

/** Updates (or adds) the given rows. */
export function applyRows(state: LiveState, rows: Row[]): void {
  batch(() => {
    for (const r of rows) {
      const s = state.rows.get(r.name);
      if (s) s.value = r;
      else state.rows.set(r.name, signal(r));
    }
  });
}

/** Replaces everything with a snapshot (streams added, removed, reordered). */
export function applySnapshot(state: LiveState, rows: Row[]): void {
  batch(() => {
    applyRows(state, rows);
    const names = new Set(rows.map((r) => r.name));
    for (const n of [...state.rows.keys()]) if (!names.has(n)) state.rows.delete(n);
    state.order.value = rows.map((r) => r.name);
    state.configError.value = null;
    state.synced.value = true;
  });
}

/**
 * Connects `state` to the event stream at `url` and keeps its clock ticking. EventSource
 * reconnects by itself after network errors (the server sends `retry:`), and this reopens it
 * after HTTP errors; every connect starts with a snapshot, so a restarted server is caught up
 * with. Returns the function that disconnects.
 */
export function connectEvents(state: LiveState, url: string): () => void {
  let offset = state.now.value - Date.now();
  let es: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const read = <T>(e: Event) => JSON.parse((e as MessageEvent).data) as T;
  const clock = (serverNow: number) => offset = serverNow - Date.now();
  const onRows = (e: Event) => {
    const data = read<RowsEvent>(e);
    clock(data.now);
    applyRows(state, data.rows);
  };
  const open = () => {
    const source = es = new EventSource(url);
    source.addEventListener("open", () => state.link.value = "live");
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) {
        state.link.value = "connecting";
        return;
      }
      // EventSource gives up on an HTTP error (a 401 after the session ended, a 503 while the
      // server stops): find out which, then keep trying every few seconds.
      fetch("/whoami").then((r) => {
        state.link.value = r.status === 401 ? "signed-out" : "offline";
      }, () => state.link.value = "offline");
      if (!stopped) retry = setTimeout(open, 3000);
    });
    source.addEventListener("snapshot", (e) => {
      const data = read<SnapshotEvent>(e);
      clock(data.now);
      applySnapshot(state, data.rows);
      state.link.value = "live";
    });
    source.addEventListener("state", onRows);
    source.addEventListener("result", onRows);
    source.addEventListener("config-error", (e) => {
      state.configError.value = read<{ message: string }>(e).message;
    });
  };
  open();
  const tick = setInterval(() => state.now.value = Date.now() + offset, 5000);
  // A page kept in the back/forward cache would hold its event stream open: after a few reloads
  // or back/forward steps the browser's six connections per host were all taken by hidden
  // pages and the dashboard no longer loaded. Close on pagehide, reopen when the page returns.
  const onHide = () => {
    clearTimeout(retry);
    es?.close();
  };
  const onShow = (e: PageTransitionEvent) => {
    if (e.persisted && !stopped) open();
  };
  globalThis.addEventListener?.("pagehide", onHide);
  globalThis.addEventListener?.("pageshow", onShow as EventListener);
  return () => {
    stopped = true;
    clearTimeout(retry);
    clearInterval(tick);
    es?.close();
    globalThis.removeEventListener?.("pagehide", onHide);
    globalThis.removeEventListener?.("pageshow", onShow as EventListener);
  };
}

let shared: LiveState | undefined;

/**
 * The page's live state. In the browser all islands of a page share one state and one
 * EventSource (the first caller's `url` connects it); on the server every render gets a fresh
 * state, so requests never share data.
 */
export function liveState(rows: Row[], now: number, url: string): LiveState {
  if (typeof document === "undefined") return createLiveState(rows, now);
  if (!shared) {
    shared = createLiveState(rows, now);
    connectEvents(shared, url);
  }
  return shared;
}

/** Resolves once `state` holds a snapshot from the server. */
export function whenSynced(state: LiveState): Promise<void> {
  return new Promise((resolve) => {
    const off = state.synced.subscribe((v) => {
      if (!v) return;
      queueMicrotask(() => off());
      resolve();
    });
  });
}
