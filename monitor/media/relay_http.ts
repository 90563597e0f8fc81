/** The HTTP credential relay: the child GETs loopback, the relay GETs the camera with its auth. */

import { describeFetchError, httpGet, readLimited } from "../probes/mod.ts";
import {
  createOriginMap,
  type OriginMap,
  type RelayServer,
  type RelayTarget,
} from "./relay_origin.ts";

/** A playlist larger than this is refused (the HLS probe's limit). */
const MAX_PLAYLIST = 4 << 20;
/** One relayed body (an MJPEG stream, a segment) ends after this many bytes. */
const MAX_BODY = 512 << 20;
/** Headers of the camera's answer the child gets; cookies and the rest stay behind. */
const KEEP = ["content-type", "content-length", "content-range", "accept-ranges"];

/**
 * Serves one child on `127.0.0.1:0`: each GET under `/TOKEN` is fetched from the same path on
 * the camera with {@link httpGet} (Basic auth from the URL, TLS verified unless tls_insecure,
 * redirects followed), and its body streamed back with a size cap and an idle timeout. HLS
 * playlists are read whole (≤ 4 MiB) and their URIs rewritten so segments come through the
 * relay too.
 */
export function serveHttpRelay(t: RelayTarget): RelayServer {
  const upstreams = new Set<AbortController>();
  let problem: string | undefined;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    onError: () => new Response("Relay error", { status: 502 }),
  }, async (req, info) => {
    if (req.method !== "GET") return new Response(null, { status: 405 });
    const u = new URL(req.url);
    const target = map.toCamera(origin + u.pathname + u.search);
    if (!target) return new Response(null, { status: 404 });
    const camera = new URL(target);
    camera.username = t.camera.username;
    camera.password = t.camera.password;
    const ctrl = new AbortController();
    upstreams.add(ctrl);
    const signal = AbortSignal.any([ctrl.signal, t.signal]);
    const release = () => {
      upstreams.delete(ctrl);
      ctrl.abort();
    };
    info.completed.catch(() => {}).finally(release); // delivered, or the child hung up
    try {
      const range = req.headers.get("range");
      const res = await httpGet(camera.href, {
        signal,
        tlsInsecure: t.tlsInsecure,
        headers: range ? { range } : undefined,
      });
      const headers = new Headers();
      for (const name of KEEP) {
        const v = res.headers.get(name);
        if (v !== null) headers.set(name, v);
      }
      if (isPlaylist(res, camera)) {
        const bytes = await readLimited(res, { limit: MAX_PLAYLIST, signal });
        release();
        if (!bytes) return new Response("Playlist too large", { status: 502 });
        const text = rewritePlaylist(new TextDecoder().decode(bytes), res.url || target, map);
        headers.delete("content-length");
        return new Response(text, { status: res.status, headers });
      }
      const body = res.body ? bounded(res.body, t.idleMs, release) : null;
      if (!body) release();
      return new Response(body, { status: res.status, headers });
    } catch (err) {
      problem = describeFetchError(err, signal);
      release();
      return new Response(null, { status: 502 });
    }
  });
  // The handler runs only after these are set: no request can arrive before serve() returns.
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const base = `${origin}/${t.token}`;
  const map: OriginMap = createOriginMap(withoutUserInfo(t.camera), base);
  const stop = () => {
    for (const c of upstreams) c.abort();
    server.shutdown();
  };
  t.signal.addEventListener("abort", stop, { once: true });
  return {
    url: base + t.camera.pathname + t.camera.search,
    problem: () => problem,
    async close() {
      stop();
      await server.finished;
    },
  };
}

function withoutUserInfo(u: URL): URL {
  const out = new URL(u.href);
  out.username = "";
  out.password = "";
  return out;
}

/** True for an HLS playlist, by media type or (servers that send none) by extension. */
function isPlaylist(res: Response, url: URL): boolean {
  const type = (res.headers.get("content-type") ?? "").toLowerCase();
  return type.includes("mpegurl") || /\.m3u8?$/i.test(url.pathname);
}

/**
 * Streams `body` on, ending it after {@link MAX_BODY} bytes or `idleMs` without a chunk;
 * `done` runs once when it ends for any reason (which aborts the upstream request).
 */
function bounded(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  done: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  const end = () => {
    done();
    reader.cancel().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const timer = setTimeout(end, idleMs);
      try {
        const { value, done: eof } = await reader.read();
        total += value?.byteLength ?? 0;
        if (eof || total > MAX_BODY) {
          end();
          controller.close();
        } else controller.enqueue(value);
      } catch {
        end();
        controller.close();
      } finally {
        clearTimeout(timer);
      }
    },
    cancel: end,
  });
}

/**
 * Rewrites every URI of an HLS playlist (lines and `URI="…"` attributes) that resolves, against
 * the playlist's own URL `base`, to the camera's origin into an absolute relay URL; others become
 * absolute without user info (relative ones would otherwise resolve against the relay). Linear.
 */
export function rewritePlaylist(text: string, base: string, map: OriginMap): string {
  if (!text.startsWith("#EXTM3U")) return text;
  const mapUri = (uri: string) => {
    let u: URL;
    try {
      u = new URL(uri, base);
    } catch {
      return uri;
    }
    const relayed = map.relayUrlOf(u);
    if (relayed) return relayed;
    u.username = "";
    u.password = "";
    return u.href;
  };
  return text.split("\n").map((line) => {
    const trimmed = line.trim();
    if (!trimmed) return line;
    if (!trimmed.startsWith("#")) return mapUri(trimmed);
    let out = "";
    let at = 0;
    for (;;) {
      const i = line.indexOf('URI="', at);
      const j = i < 0 ? -1 : line.indexOf('"', i + 5);
      if (j < 0) break;
      out += line.slice(at, i + 5) + mapUri(line.slice(i + 5, j)) + '"';
      at = j + 1;
    }
    return out + line.slice(at);
  }).join("\n");
}
