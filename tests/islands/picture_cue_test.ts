/** pictureCueOf(): which picture cue a dashboard row shows, on the server's clock. */

import { assertEquals } from "../assert.ts";
import { pictureCueOf } from "../../islands/PictureCue.tsx";
import type { Row } from "../../islands/types.ts";

const row = (over: Partial<Row>): Row => ({
  name: "cam",
  state: "up",
  enabled: true,
  kind: "rtsp",
  tags: [],
  latencyMs: 5,
  lastTs: 1,
  since: 1,
  message: "RTSP 200",
  up24h: null,
  up7d: null,
  up30d: null,
  spark: [],
  verifiedAt: 100,
  mediaOverdueAt: 1000,
  pictureProblem: null,
  ...over,
});

Deno.test("pictureCueOf() shows overdue past the deadline in any state, unverified only when up", () => {
  assertEquals(pictureCueOf(row({}), 1000), null, "verified, on time (the deadline is inclusive)");
  assertEquals(pictureCueOf(row({}), 1001), "overdue");
  assertEquals(pictureCueOf(row({ state: "down" }), 1001), "overdue");
  assertEquals(pictureCueOf(row({ verifiedAt: null }), 500), "unverified");
  assertEquals(pictureCueOf(row({ verifiedAt: null, state: "degraded" }), 500), null);
  assertEquals(pictureCueOf(row({ verifiedAt: null, state: "unknown" }), 500), null);
  assertEquals(pictureCueOf(row({ verifiedAt: null, enabled: false }), 5000), null, "paused");
  assertEquals(pictureCueOf(row({ mediaOverdueAt: null, verifiedAt: null }), 5000), null);
});

Deno.test("pictureCueOf() shows unverified on an up stream whose latest picture could not be judged", () => {
  const problem = "picture not verified: keyframe not decodable";
  assertEquals(pictureCueOf(row({ pictureProblem: problem }), 500), "unverified", "verified once");
  assertEquals(pictureCueOf(row({ pictureProblem: problem, state: "down" }), 500), null);
});
