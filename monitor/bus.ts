/** A typed in-process event bus: the engine emits, the API, SSE and MQTT tasks listen. */

import type { Config, ConfigProblem } from "./config/mod.ts";
import type { Alert, CheckRecord, StreamState, StreamStatus } from "./types.ts";

/** Every event on the bus and its payload. */
export interface BusEvents {
  /**
   * A check finished and was stored. `origin` names the fleet node that ran it when that is
   * another node (its result came through the database); absent for this node's own checks.
   */
  result: { name: string; record: CheckRecord; status: StreamStatus; origin?: string };
  /** A stream's state changed (after confirmation). */
  "state-change": {
    name: string;
    from: StreamState;
    to: StreamState;
    ts: number;
    cause: string;
    status: StreamStatus;
    /** The fleet node that decided it when that is another node; absent for this node's own. */
    origin?: string;
  };
  /** An alert was decided and queued for its channels (each event once; MQTT publishes it). */
  alert: { alert: Alert };
  /**
   * A stream was renamed by its `id:` (emitted by the engine while it applies the new streams,
   * before `config-reloaded`): its status, history and incidents now go by `to`, no state changed.
   */
  "stream-renamed": { id: string; from: string; to: string; status: StreamStatus };
  /** A new config was applied. */
  "config-reloaded": { config: Config };
  /**
   * A config edit was rejected; the last good config keeps running. `problems` carries each
   * problem's place (the config holder always sends them).
   */
  "config-error": { message: string; problems?: ConfigProblem[] };
}

/** Subscribe to and emit {@link BusEvents}. A throwing listener never breaks the emitter. */
export interface Bus {
  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof BusEvents>(type: K, fn: (payload: BusEvents[K]) => void): () => void;
  /** Calls every listener of `type` synchronously. */
  emit<K extends keyof BusEvents>(type: K, payload: BusEvents[K]): void;
}

/** Creates a bus. `onListenerError` hears exceptions thrown by listeners. */
export function createBus(onListenerError: (err: unknown) => void = console.error): Bus {
  const listeners = new Map<keyof BusEvents, Set<(p: never) => void>>();
  return {
    on(type, fn) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, set = new Set());
      set.add(fn as (p: never) => void);
      return () => set.delete(fn as (p: never) => void);
    },
    emit(type, payload) {
      const set = listeners.get(type);
      if (!set) return;
      for (const fn of set) {
        try {
          (fn as (p: typeof payload) => void)(payload);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
  };
}
