/** The schema of one `streams:` entry and of `defaults:` (every per-stream key but name, url, id). */

import { z } from "zod";
import { opt, req, text, texts, whole } from "./schema_kit.ts";
import { PROBE_KINDS } from "../types.ts";

/** `expect:` of a stream: what the picture must be. */
export const expectSchema = z.strictObject({
  codec: opt(text(), 'the codec, e.g. "h264", "H.265", "hevc", "mjpeg"'),
  width: opt(whole(1, 16384), "picture width in pixels"),
  height: opt(whole(1, 16384), "picture height in pixels"),
  min_fps: opt(z.number().min(0.1).max(1000), "lowest frame rate accepted (0.1–1000)"),
}).meta({
  description: "what the picture must be (else degraded); an absent key falls back to the " +
    "first good media check",
});

/** The keys a stream may have besides its name, url and id: the keys `defaults:` may set. */
export const streamSettings = {
  enabled: opt(z.boolean(), "`false` pauses checks and keeps history", true),
  kind: opt(
    z.enum(PROBE_KINDS),
    `force a probe: ${PROBE_KINDS.map((k) => `\`${k}\``).join(", ")}`,
    { text: "from the URL" },
  ),
  interval_seconds: opt(z.number().min(1).max(86400), "seconds between checks (1–86400)", {
    text: "heartbeat_seconds",
  }),
  timeout_seconds: opt(z.number().min(0.1).max(300), "hard limit of one check (0.1–300 s)", {
    text: "5 (at most the interval)",
  }),
  tags: opt(
    texts(),
    "labels for filtering (a string or a list; a stream's own list replaces " +
      "the one of `defaults:`)",
    [],
  ),
  tls_insecure: opt(z.boolean(), "accept a self-signed certificate (HTTPS, RTSPS)", false),
  site: opt(
    text(),
    "where the camera is (at most 200 characters); alert rules and maintenance " +
      "windows filter by it",
  ),
  parent: opt(
    text(),
    "the stream it depends on (an NVR, a relay); while the parent is down, " +
      "its alerts fold into the parent's. Another stream of the file, no cycles",
  ),
  rtsp_transport: opt(
    z.string().regex(/^\s*(auto|tcp|udp)\s*$/i), // any case, as the reader takes it
    "RTP transport of RTSP media sessions: `tcp`, `udp`, or `auto` (TCP, then UDP on 461 or no " +
      "data; remembered)",
    "auto",
  ),
  media: opt(
    z.boolean(),
    "media checks (ffprobe/ffmpeg: codec, size, fps, black, frozen) on or " +
      "off",
    { text: "on for rtsp, mjpeg, hls" },
  ),
  media_check_seconds: opt(
    z.number().min(0).max(86400),
    "seconds between media checks of this stream (below 10 is raised to 10, with a warning)",
    60,
  ),
  freeze_seconds: opt(
    z.number().min(1).max(86400),
    "an unchanged picture for longer than this is frozen",
    30,
  ),
  expect: expectSchema.nullable().optional(),
};

/** One entry of `streams:`. */
export const streamSchema = z.strictObject({
  name: req(text(), "unique name (at most 200 characters), shown everywhere; the key of the API"),
  id: opt(
    z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    "optional stable identity, 1–64 of `A-Za-z0-9_-`, unique: history, MQTT entities and alert " +
      "state follow it through a rename",
  ),
  url: req(
    z.string(),
    "`rtsp://`, `rtsps://`, `http://`, `https://` (at most 4096 characters); `user:password@` is " +
      "used for Basic/Digest auth and never shown",
  ),
  ...streamSettings,
}).meta({ description: "one camera or stream" });

/** `defaults:`: any per-stream key, set once for every stream; a stream's own value wins. */
export const defaultsSchema = z.strictObject(streamSettings).meta({
  description: "per-stream keys set once for every stream; a stream's own value wins (`tags`: a " +
    "stream's own list replaces this one, never merged; `key: null` in a stream unsets a " +
    "default). `name`, `url` and `id` cannot be defaulted",
});
