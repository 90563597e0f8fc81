/** Plain HTTP probe: ok on 2xx/3xx, or hands the response to the inspector its content type names. */

import {
  type Probe,
  type ProbeContext,
  type ProbeResult,
  type ResponseInspector,
  result,
  type StreamConfig,
} from "./probe.ts";
import { discard, mediaType, probeGet, statusLine } from "./http_fetch.ts";

/** Finds the inspector for a media type (lower case, no parameters), if any. */
export type InspectorLookup = (contentType: string) => ResponseInspector | undefined;

/**
 * Creates the HTTP probe. `inspectorFor` comes from the registry (probes/mod.ts), so this file
 * knows no other probe: a URL that does not tell its kind is sniffed by its content type.
 */
export function createHttpProbe(inspectorFor: InspectorLookup = () => undefined): Probe {
  return {
    kind: "http",
    async check(stream: StreamConfig, ctx: ProbeContext): Promise<ProbeResult> {
      const start = performance.now();
      const res = await probeGet(stream, ctx);
      if (typeof res === "string") return result(false, start, res);
      const contentType = mediaType(res);
      const inspector = res.ok ? inspectorFor(contentType) : undefined;
      if (inspector) {
        const judged = await inspector.inspect(res, stream, ctx);
        // The inspector timed only the body; report the whole check.
        return { ...judged, latencyMs: result(true, start, "").latencyMs };
      }
      await discard(res);
      const ok = res.status >= 200 && res.status < 400;
      const message = ok ? `HTTP ${res.status}` : statusLine(res);
      return result(ok, start, message, { httpStatus: res.status, contentType });
    },
  };
}
