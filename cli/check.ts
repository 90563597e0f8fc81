/** `streampulse check URL`: one probe now, human or JSON output; exit 0 up, 1 down, 2 bad input. */

import { Checker, checkUrl, formatProblem } from "../monitor/config/mod.ts";
import { selectProbe } from "../monitor/probes/mod.ts";
import { maskUrl, PROBE_KINDS, type ProbeKind, type StreamConfig } from "../monitor/mod.ts";

/** Options of {@link checkCommand}. */
export interface CheckOptions {
  url: string;
  json: boolean;
  kind?: string;
  timeoutSeconds?: number;
  insecure: boolean;
  /** Where output goes (default console.log / console.error). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** Runs the check and returns the process exit code. */
export async function checkCommand(o: CheckOptions): Promise<number> {
  const out = o.out ?? console.log;
  const err = o.err ?? console.error;
  const c = new Checker();
  checkUrl(o.url, "url", c);
  if (o.kind !== undefined && !(PROBE_KINDS as readonly string[]).includes(o.kind)) {
    c.error("--kind", `"${o.kind}" is not one of ${PROBE_KINDS.join(", ")}`);
  }
  if (c.errors.length > 0) {
    for (const e of c.errors) err(`streampulse check: ${formatProblem(e)}`);
    return 2;
  }
  const stream: StreamConfig = {
    name: "check",
    url: o.url,
    enabled: true,
    intervalSeconds: 10,
    timeoutSeconds: o.timeoutSeconds ?? 5,
    tags: [],
    tlsInsecure: o.insecure,
    ...(o.kind ? { kind: o.kind as ProbeKind } : {}),
  };
  const probe = selectProbe(stream);
  const timeoutMs = stream.timeoutSeconds * 1000;
  const signal = AbortSignal.timeout(timeoutMs);
  const res = await probe.check(stream, { signal, timeoutMs, memory: {}, now: Date.now });
  if (o.json) {
    out(JSON.stringify({
      url: maskUrl(o.url),
      kind: probe.kind,
      state: res.ok ? "up" : "down",
      status: res.ok ? "ok" : "fail",
      latency: res.latencyMs,
      message: res.message,
      details: res.details,
    }));
  } else {
    out(
      `${res.ok ? "UP  " : "DOWN"} ${
        maskUrl(o.url)
      } (${probe.kind}, ${res.latencyMs} ms): ${res.message}`,
    );
  }
  return res.ok ? 0 : 1;
}
