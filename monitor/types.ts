/** Shared types of the monitor core: streams, probe results and stream states. */

/** The probes StreamPulse has; a stream may force one with `kind:`. */
export const PROBE_KINDS = ["rtsp", "mjpeg", "snapshot", "hls", "http"] as const;

/** One of {@link PROBE_KINDS}. */
export type ProbeKind = typeof PROBE_KINDS[number];

/** The legacy (Python project) per-check status: a check either passed or failed. */
export type CheckStatus = "ok" | "fail";

/**
 * The states of a stream as users see them, the one list everything else derives from:
 * - `up`: the last check passed;
 * - `degraded`: reachable, but the picture is wrong (set by media checks);
 * - `down`: failures confirmed by a re-check;
 * - `unknown`: not checked yet.
 */
export const STREAM_STATES = ["up", "degraded", "down", "unknown"] as const;

/** One of {@link STREAM_STATES}. */
export type StreamState = typeof STREAM_STATES[number];

/** One stream as configured, after validation and defaults. */
export interface StreamConfig {
  /** Unique name, shown everywhere; the key of the status API. */
  name: string;
  /**
   * Optional stable identity (`id:`, 1–64 of `A-Za-z0-9_-`, unique): history, incidents, MQTT/Home
   * Assistant entities and alert state follow it through a rename. The dashboard sets one when it
   * creates or renames a stream.
   */
  id?: string;
  /** The URL as written in config.yaml, credentials included. Never log or publish it. */
  url: string;
  /** False pauses checks without removing history. */
  enabled: boolean;
  /** A forced probe kind; otherwise chosen from the URL. */
  kind?: ProbeKind;
  /** Seconds between checks (the global heartbeat unless the stream sets its own). */
  intervalSeconds: number;
  /** Hard limit for one check, in seconds. */
  timeoutSeconds: number;
  /** Free-form labels for filtering. */
  tags: string[];
  /** Where the camera is (alert rules and maintenance windows filter by it). */
  site?: string;
  /**
   * The stream this one depends on (an NVR or relay): while the parent is down, this stream's
   * alerts are folded into the parent's.
   */
  parent?: string;
  /** Skip TLS certificate verification (for self-signed cameras). */
  tlsInsecure: boolean;
  /** RTP transport of RTSP media sessions; absent: "auto" (TCP, falling back to UDP). */
  rtspTransport?: "auto" | "tcp" | "udp";
  /** Media checks (ffprobe/ffmpeg) on or off; absent: on for rtsp, mjpeg and hls streams. */
  media?: boolean;
  /** Seconds between media checks (absent: 60). */
  mediaCheckSeconds?: number;
  /** An unchanged picture for longer than this is "frozen" (absent: 30). */
  freezeSeconds?: number;
  /** What the picture must be; absent keys fall back to the first good media check. */
  expect?: MediaExpectConfig;
}

/** `expect:` of a stream: any subset of codec, size and minimum frame rate. */
export interface MediaExpectConfig {
  /** e.g. "h264", "H.265", "hevc", "mjpeg". */
  codec?: string;
  width?: number;
  height?: number;
  minFps?: number;
}

/** What one probe run found. Expected failures are results, not exceptions. */
export interface ProbeResult {
  /** True when the stream delivered what its probe requires. */
  ok: boolean;
  /** Wall time of the check in milliseconds. */
  latencyMs: number;
  /** Short human reason, e.g. "RTSP 200, H264 320x240" or "authentication failed". */
  message: string;
  /** Probe-specific facts (codec, tracks, HTTP status, media sequence…), JSON-serialisable. */
  details: Record<string, unknown>;
}

/** Context given to every probe run. */
export interface ProbeContext {
  /** Aborted when the check times out, the stream is removed, or the process stops. */
  signal: AbortSignal;
  /** The time budget of this check in milliseconds. */
  timeoutMs: number;
  /**
   * Per-stream memory kept between checks of the same stream (e.g. the last HLS media sequence).
   * Reset when the stream's config changes.
   */
  memory: Record<string, unknown>;
  /** Current time in ms since the epoch (injectable clock). */
  now: () => number;
}

/** A probe checks one kind of stream. One implementation per file in `monitor/probes/`. */
export interface Probe {
  /** The kind this probe implements. */
  readonly kind: ProbeKind;
  /** Runs one check. Resolves with a result for every expected failure; never hangs past `signal`. */
  check(stream: StreamConfig, ctx: ProbeContext): Promise<ProbeResult>;
}

/** A probe that can also judge an HTTP response it did not request itself (content-type sniffing). */
export interface ResponseInspector {
  /** Content types (lower case, without parameters) this inspector understands. */
  readonly contentTypes: readonly string[];
  /** Judges an already-received response; must consume or cancel its body. */
  inspect(response: Response, stream: StreamConfig, ctx: ProbeContext): Promise<ProbeResult>;
}

/** The state of one stream held in memory and served by the API. */
export interface StreamStatus {
  name: string;
  kind: ProbeKind;
  state: StreamState;
  /** Ms since epoch when `state` began. */
  since: number;
  /** The last check, or undefined before the first. */
  last?: CheckRecord;
  /** Consecutive failed checks (drives the confirm-before-down rule). */
  failStreak: number;
}

/** One stored check. */
export interface CheckRecord {
  /** Ms since epoch (UTC). */
  ts: number;
  ok: boolean;
  state: StreamState;
  latencyMs: number;
  message: string;
  details: Record<string, unknown>;
}

/** What happened: an outage began (down/degraded), ended (resolved), or still lasts (reminder). */
export type AlertEvent = "down" | "degraded" | "resolved" | "reminder";

/** One stream inside an alert (a grouped alert lists several). */
export interface AlertStream {
  name: string;
  /** The stream's state when the alert was decided ("up" in a recovery). */
  state: StreamState;
  /** Why (the confirming check's message; credentials already masked). */
  cause: string;
  /** When the outage began, ms since the epoch. */
  since: number;
  tags: string[];
  site?: string;
}

/** One decided alert, before it is rendered for a channel. JSON-serialisable (kept in the outbox). */
export interface Alert {
  /**
   * Dedupe key, unique per outage and event: `<stream or group>@<outage start ms>:<event>`
   * (reminders add `#<n>`). The outbox sends each key at most once per channel.
   */
  key: string;
  event: AlertEvent;
  /** The stream the alert is about; for a grouped alert its title (the parent, or host:port). */
  stream: string;
  /** The state it reports (the worst of a group; "up" in a recovery). */
  state: StreamState;
  /** Why, for the lead stream. */
  cause: string;
  /** When the outage began, ms since the epoch. */
  since: number;
  /** When the alert was decided, ms since the epoch. */
  ts: number;
  /** Every stream the alert covers, the lead first (one for a plain alert). */
  streams: AlertStream[];
  /** Set for an alert that folds several streams: by `parent:` or by host:port. */
  group?: { by: "parent" | "host"; key: string };
  /** The acknowledgement note, once someone acknowledged the incident. */
  note?: string;
  /** Links for messages: absolute when `alerts.base_url` is set, else absent. */
  links: { dashboard?: string; stream?: string; failureSnapshot?: string; lastSnapshot?: string };
}

/**
 * One stream's current state as its owner last wrote it to a shared store (the fleet's mirror
 * reads these rows of the other nodes).
 */
export interface CurrentRow {
  /** The stream's name. */
  name: string;
  /** Its probe kind, when known. */
  kind?: string;
  /** State and since when it took it. */
  state: StreamState;
  since: number;
  /** Failed checks in a row. */
  failStreak: number;
  /** The newest check (details parsed), when it was ever checked. */
  last?: CheckRecord;
  /** The node that wrote the row last (null: never written by a named node). */
  node: string | null;
  /** The row's place in the store's sequence: it grows with every write. */
  seq: number;
  /** When the row was last written, on the store's clock (ms); absent when unknown. */
  updatedAt?: number;
}
