/** The bulk-import parsers (lines, CSV, Frigate, go2rtc), format detection, plan and batch store. */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import {
  createImportStore,
  csvRecords,
  detectFormat,
  go2rtcSource,
  importEdit,
  nameFromUrl,
  parseCsv,
  parseFrigate,
  parseGo2rtc,
  parseImport,
  parseLines,
  planImport,
} from "../../web/import/mod.ts";
import { applyEdit } from "../../web/config_edit.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));

Deno.test("nameFromUrl() derives host and path without credentials, query or port noise", () => {
  assertEquals(
    nameFromUrl("rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/101?x=1#y"),
    "10.0.0.5:554/Streaming/Channels/101",
  );
  assertEquals(nameFromUrl("http://cam.local/"), "cam.local");
  assertEquals(nameFromUrl("not a url"), "camera");
});

Deno.test("parseLines() reads `name url tags`, bare URLs, comments, and flags lines without a URL", () => {
  const r = parseLines(
    "# my cameras\n\nFront door rtsp://u:p@10.0.0.1/live outside;porch\r\n" +
      "rtsp://10.0.0.2:554/ch1\nGarage http://10.0.0.3/mjpg tag1, tag2 tag1\n" +
      "admin:secret@10.0.0.9/nope\n",
  );
  assertEquals(r.problems, []);
  assertEquals(r.cameras.map((c) => [c.name, c.url, c.tags, c.source, c.invalid]), [
    ["Front door", "rtsp://u:p@10.0.0.1/live", ["outside", "porch"], "line 3", undefined],
    ["10.0.0.2:554/ch1", "rtsp://10.0.0.2:554/ch1", [], "line 4", undefined],
    ["Garage", "http://10.0.0.3/mjpg", ["tag1", "tag2"], "line 5", undefined],
    ["", "", [], "line 6", "no URL on this line (expected e.g. rtsp://host/path)"],
  ]);
});

Deno.test("csvRecords() handles quotes, doubled quotes, separators and line breaks in fields", () => {
  assertEquals(csvRecords('a,"b,c","say ""hi"""\r\n"multi\nline",x,\n\n'), [
    ["a", "b,c", 'say "hi"'],
    ["multi\nline", "x", ""],
  ]);
  assertEquals(csvRecords("a;b\n1;2", ";"), [["a", "b"], ["1", "2"]]);
});

Deno.test("parseCsv() maps columns by the header, splits tags, derives missing names", () => {
  const r = parseCsv(
    '\uFEFFURL, Name ,tags,notes\nrtsp://u:p@10.0.0.1/a,"Lobby, east","inside;ground floor",x\n' +
      "rtsp://10.0.0.2/b,,,\n,No url,,\n",
  );
  assertEquals(r.problems, []);
  assertEquals(r.cameras.map((c) => [c.name, c.url, c.tags, c.invalid]), [
    ["Lobby, east", "rtsp://u:p@10.0.0.1/a", ["inside", "ground", "floor"], undefined],
    ["10.0.0.2/b", "rtsp://10.0.0.2/b", [], undefined],
    ["No url", "", [], "the url field is empty"],
  ]);
  assertStringIncludes(parseCsv("name,address\na,b\n").problems[0], 'no "url" column');
});

Deno.test("parseFrigate() takes the detect input, else record, resolves restreams, flags env placeholders", () => {
  const r = parseFrigate(fixture("frigate_config.yml"));
  assertEquals(r.problems, []);
  const by = Object.fromEntries(r.cameras.map((c) => [c.name, c]));
  assertEquals(Object.keys(by), ["front_door", "backyard", "driveway", "garage", "doorbell"]);
  assertEquals(
    by.front_door.url,
    "rtsp://admin:{FRIGATE_RTSP_PASSWORD}@192.168.1.51:554/Streaming/Channels/102",
  );
  assert(by.front_door.warnings.some((w) => w.includes("{FRIGATE_RTSP_PASSWORD}")));
  assertEquals(
    by.backyard.url,
    "rtsp://frigate:Backyard-2024@192.168.1.52:554/h264Preview_01_main",
  );
  assert(by.backyard.warnings.includes("the record input was taken"));
  assert(by.driveway.warnings.includes("disabled in Frigate"));
  assertEquals(
    by.garage.url,
    "rtsp://viewer:GaragePass9@192.168.1.54:554/cam/realmonitor?channel=1&subtype=1",
  );
  assertEquals(by.doorbell.invalid, "no ffmpeg.inputs with a path");
  assertEquals(by.front_door.source, "cameras.front_door");
});

Deno.test("parseFrigate() and parseGo2rtc() report bad YAML by line, never quoting the text", () => {
  const bad = parseFrigate("cameras:\n  a: [rtsp://u:hunter22@h/x\n");
  assertEquals(bad.cameras, []);
  assertStringIncludes(bad.problems[0], "not valid YAML at line");
  assert(!bad.problems[0].includes("hunter22"));
  assertStringIncludes(parseFrigate("mqtt: {}\n").problems[0], "no cameras: mapping");
  assertStringIncludes(parseGo2rtc("api: {}\n").problems[0], "no streams: mapping");
  const bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n" +
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nstreams: {}\n";
  assertStringIncludes(parseGo2rtc(bomb).problems[0] ?? "", "aliases");
});

Deno.test("go2rtcSource() keeps direct URLs, unwraps ffmpeg:<url>, skips the rest", () => {
  assertEquals(go2rtcSource("rtsp://h/x#backchannel=0"), { url: "rtsp://h/x" });
  assertEquals(go2rtcSource("ffmpeg:rtsp://h/x#video=copy"), { url: "rtsp://h/x" });
  assertEquals(go2rtcSource("ffmpeg:cam#video=h264"), { skipped: "ffmpeg: of another stream" });
  assertEquals(go2rtcSource("exec:ffmpeg -i x {output}"), { skipped: "exec:" });
  assertEquals(go2rtcSource("echo:ffmpeg:virtual"), { skipped: "echo:" });
});

Deno.test("parseGo2rtc() reads a real go2rtc.yaml: first usable source, wrappers, skips", () => {
  const r = parseGo2rtc(fixture("go2rtc.yaml"));
  assertEquals(r.problems, []);
  const got = r.cameras.map((c) => [c.name, c.url, c.invalid ?? ""]);
  assertEquals(got, [
    ["hall", "rtsp://admin:HallPass77@10.0.0.21:554/Streaming/Channels/101", ""],
    ["porch", "rtsp://admin:Porch%40Secret@10.0.0.22:554/h264Preview_01_main", ""],
    ["porch_h264", "", "no rtsp, rtsps, http or https source"],
    ["desk", "", "no rtsp, rtsps, http or https source"],
    ["nursery", "rtsp://tapouser:NurseryPw1@10.0.0.23:554/stream1", ""],
    ["shed", "http://10.0.0.24/mjpg/video.mjpg", ""],
    ["test", "", "no rtsp, rtsps, http or https source"],
  ]);
  const w = Object.fromEntries(r.cameras.map((c) => [c.name, c.warnings.join(" | ")]));
  assertStringIncludes(w.porch, "unwrapped from ffmpeg:");
  assertStringIncludes(w.nursery, "skipped go2rtc sources: tapo:");
  assertStringIncludes(w.hall, "a further source was ignored");
});

Deno.test("detectFormat() tells Frigate, go2rtc, CSV and lines apart", () => {
  assertEquals(detectFormat(fixture("frigate_config.yml")), "frigate");
  assertEquals(detectFormat(fixture("go2rtc.yaml")), "go2rtc");
  assertEquals(detectFormat("name,url,tags\na,rtsp://h/x,\n"), "csv");
  assertEquals(detectFormat("rtsp://h/x\nrtsp://h/y\n"), "lines");
  const big = parseImport("rtsp://h/x ".repeat(100_000));
  assertStringIncludes(big.problems[0], "at most 1048576 (1 MiB)");
  assertEquals(big.cameras, []);
});

const CONFIG = `# cameras of the shop
heartbeat_seconds: 10
streams:
  - name: Till
    url: rtsp://u:p@10.0.0.1/live  # keep me
`;

Deno.test("planImport() marks duplicates by name and URL (also within the batch) and invalid URLs", () => {
  const cams = parseLines(
    "Till rtsp://10.0.0.9/x\nOther rtsp://u:p@10.0.0.1/live\nA rtsp://10.0.0.2/a\n" +
      "A rtsp://10.0.0.3/a\nB rtsp://10.0.0.2/a\nC ftp://u:ftpsecret@h/x\nD rtsp://10.0.0.4/d\n",
  ).cameras;
  const plan = planImport(CONFIG, cams);
  assertEquals(plan.configProblems, []);
  assertEquals(plan.cameras.map((c) => [c.name, c.status]), [
    ["Till", "duplicate-name"],
    ["Other", "duplicate-url"],
    ["A", "new"],
    ["A", "duplicate-name"],
    ["B", "duplicate-url"],
    ["C", "invalid"],
    ["D", "new"],
  ]);
  assertEquals(
    plan.cameras[5].reason,
    'url scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
  );
});

Deno.test("importEdit() appends block entries with tags and fresh ids, keeping comments", () => {
  let n = 0;
  const ids = ["aaaaaaaa", "aaaaaaaa", "bbbbbbbb"];
  const out = applyEdit(
    "# top\nstreams: []  # none yet\n",
    importEdit(
      [{ name: "x", url: "rtsp://h/x", tags: ["a", "b"] }, {
        name: "y",
        url: "rtsp://h/y",
        tags: [],
      }],
      () => ids[n++],
    ),
  );
  assertStringIncludes(out, "# top");
  assertStringIncludes(
    out,
    "streams:\n  - name: x\n    url: rtsp://h/x\n    tags: [ a, b ]\n    id: aaaaaaaa\n" +
      "  - name: y\n    url: rtsp://h/y\n    id: bbbbbbbb\n",
  );
});

Deno.test("createImportStore() binds batches to a session, expires them and keeps a few per session", () => {
  let t = 0;
  const store = createImportStore({ now: () => t, ttlMs: 1000, perSession: 2, max: 3 });
  const batch = { cameras: [], format: "lines" };
  const a1 = store.put("s1", batch);
  assertEquals(store.get("s1", a1), batch);
  assertEquals(store.get("s2", a1), undefined, "another session cannot read it");
  const a2 = store.put("s1", batch);
  const a3 = store.put("s1", batch);
  assertEquals(store.get("s1", a1), undefined, "the oldest of s1 went");
  assert(store.get("s1", a2) && store.get("s1", a3));
  store.put("s2", batch);
  store.put("s3", batch);
  assertEquals(store.size(), 3);
  t = 1000;
  assertEquals(store.get("s1", a3), undefined, "expired");
  assertEquals(store.size(), 0);
});
