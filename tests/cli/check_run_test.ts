/** runCheck() and judgeWindow(): how one CLI check combines handshake and media, with fakes. */

import { assertEquals } from "../assert.ts";
import { runCheck } from "../../cli/check_run.ts";
import { judgeWindow } from "../../cli/check_window.ts";
import type { MediaVerdict } from "../../monitor/status/mod.ts";
import { testStream } from "../fixtures/media_server.ts";

type Opts = Parameters<typeof runCheck>[1];
type Probe = ReturnType<NonNullable<Opts["selectProbe"]>>;
type MediaCheck = NonNullable<Opts["runMediaCheck"]>;

const pool = { run: () => Promise.reject(new Error("no child in these tests")) };

/** A probe answering `results` in turn (the last one repeats). */
function probeOf(...results: { ok: boolean; message: string }[]): Probe {
  let i = 0;
  return {
    kind: "rtsp",
    check: () => {
      const r = results[Math.min(i++, results.length - 1)];
      return Promise.resolve({ ...r, latencyMs: 3, details: {} });
    },
  } as unknown as Probe;
}

function verdict(
  state: MediaVerdict["state"],
  message: string,
  picture?: Record<string, unknown>,
): MediaVerdict {
  return { state, message, latencyMs: 2000, details: picture ? { picture } : {} };
}

/** A media check answering `verdicts` in turn; records the memory each call got. */
function mediaOf(...verdicts: MediaVerdict[]) {
  const memories: unknown[] = [];
  const check: MediaCheck = (_s, o) => {
    memories.push(o.memory);
    const v = verdicts[Math.min(memories.length - 1, verdicts.length - 1)];
    return Promise.resolve({ verdict: v, memory: { stillSince: memories.length } });
  };
  return { check, memories };
}

const STILL = { frames: 6, moving: false, black: false, frozen: false };
const MOVING = { frames: 6, moving: true, black: false, frozen: false };
const ok = { ok: true, message: "RTSP 200, H264 video" };

Deno.test("runCheck() lets a handshake failure win over no video received", async () => {
  const media = mediaOf(verdict("down", "no video received"));
  const gone = { ok: false, message: "connection refused" };
  const r = await runCheck(testStream("rtsp://cam/live"), {
    pool,
    selectProbe: () => probeOf(ok, gone),
    runMediaCheck: media.check,
  });
  assertEquals([r.state, r.message, r.mode], ["down", "connection refused", "full"]);

  const still = await runCheck(testStream("rtsp://cam/live"), {
    pool,
    selectProbe: () => probeOf(ok),
    runMediaCheck: mediaOf(verdict("down", "no video received")).check,
  });
  assertEquals([still.state, still.message], ["down", "no video received"]);
});

Deno.test("runCheck() skips media after a failed handshake, with --quick and for kinds without it", async () => {
  const media = mediaOf(verdict("up", "H264"));
  const opts = { pool, runMediaCheck: media.check };
  const down = await runCheck(testStream("rtsp://cam/live"), {
    ...opts,
    selectProbe: () => probeOf({ ok: false, message: "timeout" }),
  });
  assertEquals([down.state, down.message, down.media], ["down", "timeout", undefined]);
  const quick = await runCheck(testStream("rtsp://cam/live"), {
    ...opts,
    quick: true,
    selectProbe: () => probeOf(ok),
  });
  assertEquals([quick.state, quick.mode], ["up", "quick"]);
  const http = await runCheck(testStream("http://cam/status"), {
    ...opts,
    selectProbe: () => probeOf(ok),
  });
  assertEquals([http.state, http.mode], ["up", "handshake"]);
  assertEquals(media.memories.length, 0);
});

Deno.test("runCheck() with freezeSeconds takes a second sample with the first one's memory", async () => {
  const media = mediaOf(
    verdict("up", "H264", STILL),
    verdict("degraded", "picture frozen for 9 s"),
  );
  const waits: number[] = [];
  const notes: string[] = [];
  const r = await runCheck(testStream("rtsp://cam/live", { freezeSeconds: 7 }), {
    pool,
    selectProbe: () => probeOf(ok),
    runMediaCheck: media.check,
    wait: (ms) => Promise.resolve(void waits.push(ms)),
    note: (l) => notes.push(l),
  });
  assertEquals([r.state, r.message], ["degraded", "picture frozen for 9 s"]);
  assertEquals(waits, [7000]);
  assertEquals(media.memories, [{}, { stillSince: 1 }]);
  assertEquals(r.media?.details.samples, { count: 2, apartSeconds: 7 });
  assertEquals(notes.length, 1);

  const moving = mediaOf(verdict("up", "H264", MOVING));
  const once = await runCheck(testStream("rtsp://cam/live", { freezeSeconds: 7 }), {
    pool,
    selectProbe: () => probeOf(ok),
    runMediaCheck: moving.check,
    wait: () => Promise.reject(new Error("must not wait")),
  });
  assertEquals([once.state, moving.memories.length], ["up", 1]);
});

Deno.test("judgeWindow() calls only a verified, unchanging, non-black window frozen", () => {
  const still = judgeWindow(verdict("up", "H264 320x240", STILL));
  assertEquals([still.state, still.message], [
    "degraded",
    "picture frozen (still within the window)",
  ]);
  assertEquals(
    (still.details.picture as Record<string, unknown>).note,
    "picture still within the window",
  );
  const drift = judgeWindow({ ...verdict("degraded", "width 320, expected 640", STILL) });
  assertEquals(drift.message, "width 320, expected 640; picture frozen (still within the window)");
  for (
    const v of [
      verdict("up", "H264", MOVING),
      verdict("up", "H264", { ...STILL, frames: 1 }),
      verdict("up", "H264", { frames: 0, error: "decode failed" }),
      verdict("degraded", "picture black", { ...STILL, black: true }),
      verdict("degraded", "picture frozen for 40 s", { ...STILL, frozen: true }),
      verdict("down", "no video received"),
    ]
  ) assertEquals(judgeWindow(v), v);
});

Deno.test("runCheck() never reports a picture that could not be verified as up", async () => {
  const unverified: MediaVerdict = {
    ...verdict("up", "picture not verified: keyframe not decodable", {
      verified: false,
      reason: "picture not verified: keyframe not decodable",
    }),
    verified: false,
  };
  const r = await runCheck(testStream("rtsp://cam/live"), {
    pool,
    selectProbe: () => probeOf(ok),
    runMediaCheck: mediaOf(unverified).check,
  });
  assertEquals([r.state, r.message], ["degraded", "picture not verified: keyframe not decodable"]);
});
