/** Client assets: the prebuilt island bundle (`deno task bundle`) and the CSS, served from memory. */

import { gzipSync } from "node:zlib";
import { sha256Hex } from "./password.ts";

/**
 * Where the assets live. `deno task bundle` writes `web/static/bundle/` (client.js and its
 * lazily loaded chunks, e.g. the uPlot chart); `deno compile --include web/static` embeds the
 * folder, so reading it relative to this module works from `deno run` and from the binary.
 */
const STATIC_DIR = new URL("./static/", import.meta.url);

/** One file held in memory, with its gzip form. */
interface Asset {
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  type: string;
  /** Content-hashed names never change, so they may be cached for a year. */
  immutable: boolean;
  etag: string;
}

/** The loaded assets. */
export interface Assets {
  /** URL of the entry script (with a content hash, so browsers never run a stale bundle). */
  scriptUrl: string;
  /** URL of the stylesheet (content-hashed too). */
  cssUrl: string;
  /** Gzipped bytes of the JavaScript a dashboard loads (entry plus static imports). */
  dashboardJsGzipBytes: number;
  /** A response for `/static/...` (304 when `If-None-Match` matches), or undefined. */
  respond(path: string, headers: Headers): Response | undefined;
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json",
};

/** Used when the bundle was not built: pages still work as plain server-rendered HTML. */
const MISSING_BUNDLE =
  'console.warn("StreamPulse: the client bundle is missing; run `deno task bundle`");';

function readDirFiles(dir: URL): Map<string, Uint8Array<ArrayBuffer>> {
  const out = new Map<string, Uint8Array<ArrayBuffer>>();
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile) out.set(e.name, Deno.readFileSync(new URL(e.name, dir)));
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

/**
 * Loads `web/static/app.css` and every file of `web/static/bundle/` into memory (gzipped once).
 * `onMissing` hears when the bundle was never built.
 */
export function loadAssets(opts: { dir?: URL; onMissing?: (msg: string) => void } = {}): Assets {
  const dir = opts.dir ?? STATIC_DIR;
  const files = new Map<string, Asset>();
  const add = (name: string, body: Uint8Array<ArrayBuffer>, immutable: boolean) => {
    const ext = name.split(".").pop() ?? "";
    files.set(name, {
      body,
      gzip: new Uint8Array(gzipSync(body, { level: 9 })),
      type: TYPES[ext] ?? "application/octet-stream",
      immutable,
      etag: `"${sha256Hex(new TextDecoder().decode(body)).slice(0, 16)}"`,
    });
  };
  const bundle = readDirFiles(new URL("bundle/", dir));
  if (!bundle.has("client.js")) {
    opts.onMissing?.(
      "client bundle web/static/bundle/client.js is missing: run `deno task bundle`",
    );
    bundle.set("client.js", new TextEncoder().encode(MISSING_BUNDLE));
  }
  for (const [name, body] of bundle) add(`bundle/${name}`, body, name !== "client.js");
  const css = Deno.readFileSync(new URL("app.css", dir));
  add("app.css", css, false);
  const version = (name: string) => `/static/${name}?v=${files.get(name)!.etag.slice(1, 13)}`;
  const entry = files.get("bundle/client.js")!;
  // The entry's static imports (esbuild's shared chunks) load with it; dynamic ones do not.
  const staticImports = [
    ...new TextDecoder().decode(entry.body).matchAll(
      /(?:^|[;}\s])import\s*[^("'`]*?from\s*["']\.\/([^"']+)["']/g,
    ),
  ].map((m) => files.get(`bundle/${m[1]}`)?.gzip.length ?? 0);
  return {
    scriptUrl: version("bundle/client.js"),
    cssUrl: version("app.css"),
    dashboardJsGzipBytes: entry.gzip.length + staticImports.reduce((a, b) => a + b, 0),
    respond(path, reqHeaders) {
      const file = files.get(path.replace(/^\/static\//, ""));
      if (!file) return undefined;
      const gz = /\bgzip\b/.test(reqHeaders.get("accept-encoding") ?? "");
      const headers: Record<string, string> = {
        "content-type": file.type,
        "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
        etag: file.etag,
        vary: "Accept-Encoding",
      };
      if (reqHeaders.get("if-none-match") === file.etag) {
        return new Response(null, { status: 304, headers });
      }
      if (gz) headers["content-encoding"] = "gzip";
      return new Response(gz ? file.gzip : file.body, { headers });
    },
  };
}
