/**
 * The shared config document of a fleet, as the config code sees it: one versioned text with
 * compare-and-set writes and change notifications (monitor/store/postgres/config_doc.ts keeps it
 * in PostgreSQL).
 */

/** One version of the shared document. */
export interface ConfigDocRead {
  /** config.yaml's text without the node-local keys. */
  text: string;
  /** 1 for the first text, one more for each write. */
  version: number;
  /** When it was written (ms since the epoch, the database's clock). */
  updatedAt: number;
  /** The node (or `streampulse config import`) that wrote it. */
  updatedBy: string | null;
}

/** A subscription to change notifications. */
export interface ConfigDocListener {
  /** Stops listening. */
  unlisten(): Promise<void>;
}

/** The shared config document. */
export interface ConfigDoc {
  /** The document, or undefined while none was ever written. */
  read(): Promise<ConfigDocRead | undefined>;
  /** Only the version (cheap, for polling), or undefined while there is none. */
  version(): Promise<number | undefined>;
  /**
   * Writes `text` when the document is still at `expectedVersion` (undefined: when there is none
   * yet) and returns the new version; then every listener is notified. Throws
   * ConfigConflictError when someone else wrote in between, nothing written.
   */
  write(text: string, expectedVersion: number | undefined): Promise<number>;
  /** Writes `text` as version 1 when there is no document yet; true when it did. */
  importIfEmpty(text: string): Promise<boolean>;
  /**
   * Calls `onChange(version)` after every write by any node; `onListen` each time the
   * subscription is (re)established, since notifications sent meanwhile are lost.
   */
  listen(
    onChange: (version: number) => void,
    onListen?: () => void,
  ): Promise<ConfigDocListener>;
}
