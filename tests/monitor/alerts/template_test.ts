/** Alert templates: the variables, the built-in text, fallbacks, bounds and the sandbox. */

import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import {
  alertVariables,
  formatDuration,
  MAX_BODY_CHARS,
  MAX_TITLE_CHARS,
  renderAlert,
  renderTemplate,
} from "../../../monitor/alerts/template.ts";
import { downAlert, groupedAlert } from "../../fixtures/providers.ts";

const BERLIN = "Europe/Berlin";

Deno.test("alertVariables() gives every documented variable, times in the time zone", () => {
  const v = alertVariables(downAlert({ note: "on it" }), BERLIN);
  assertEquals(v.event, "down");
  assertEquals(v.stream, "cam-1");
  assertEquals(v.state, "down");
  assertEquals(v.cause, "connection refused");
  assertEquals(v.since, "2026-12-01T13:00:00+01:00");
  assertEquals(v.ts, "2026-12-01T13:04:10+01:00");
  assertEquals(v.duration, "4 min 10 s");
  assertEquals(v.count, 1);
  assertEquals(v.streams, [{
    name: "cam-1",
    state: "down",
    cause: "connection refused",
    since: "2026-12-01T13:00:00+01:00",
    tags: ["lobby"],
    site: "hq",
  }]);
  assertEquals(v.group, null);
  assertEquals(v.note, "on it");
  assertEquals(v.links, {
    dashboard: "https://sp.example.org/",
    stream: "https://sp.example.org/streams/cam-1",
    failure_snapshot: "https://sp.example.org/snapshots/cam-1/failure.jpg",
    last_snapshot: "https://sp.example.org/snapshots/cam-1/last.jpg",
  });
});

Deno.test("formatDuration() writes seconds, minutes, hours and days as people read them", () => {
  assertEquals(formatDuration(42_000), "42 s");
  assertEquals(formatDuration(250_000), "4 min 10 s");
  assertEquals(formatDuration(240_000), "4 min");
  assertEquals(formatDuration(7_500_000), "2 h 5 min");
  assertEquals(formatDuration(3 * 86_400_000 + 4 * 3_600_000), "3 d 4 h");
  assertEquals(formatDuration(-5), "0 s");
});

Deno.test("renderTemplate() renders every variable and Liquid filters", () => {
  const alert = downAlert({ note: "ack by ops" });
  const out = renderTemplate(
    "{{event}}|{{stream}}|{{state}}|{{cause}}|{{since}}|{{duration}}|{{ts}}|{{count}}|" +
      "{{streams[0].name}}/{{streams[0].site}}/{{streams[0].tags | join: ','}}|{{group.key}}|" +
      "{{note}}|{{links.stream}}|{{ since | date: '%H:%M' }}|{{ stream | upcase }}",
    alert,
    BERLIN,
  );
  assertEquals(
    out,
    "down|cam-1|down|connection refused|2026-12-01T13:00:00+01:00|4 min 10 s|" +
      "2026-12-01T13:04:10+01:00|1|cam-1/hq/lobby||ack by ops|" +
      "https://sp.example.org/streams/cam-1|13:00|CAM-1",
  );
});

Deno.test("renderTemplate() writes JSON strings safely with the json filter and escapes nothing itself", () => {
  const alert = downAlert({ cause: 'bad "quote" <b>' });
  const out = renderTemplate('{"cause": {{ cause | json }}, "raw": "{{ cause }}"}', alert, "UTC");
  assertEquals(out, '{"cause": "bad \\"quote\\" <b>", "raw": "bad "quote" <b>"}');
  assertEquals(
    JSON.parse(renderTemplate('{"c": {{ cause | json }}}', alert, "UTC")).c,
    alert.cause,
  );
});

Deno.test("renderAlert() uses the built-in title for each event", () => {
  const r = (over: Parameters<typeof downAlert>[0]) =>
    renderAlert(downAlert(over), { timeZone: "UTC" }).title;
  assertEquals(r({}), "cam-1 is down");
  assertEquals(r({ event: "degraded", state: "degraded" }), "cam-1 is degraded");
  assertEquals(r({ event: "resolved", state: "up" }), "cam-1 recovered");
  assertEquals(r({ event: "reminder" }), "Still down: cam-1");
  assertEquals(
    renderAlert(groupedAlert(12), { timeZone: "UTC" }).title,
    "12 streams on cam-host:554 are down",
  );
});

Deno.test("renderAlert() built-in body has cause, since, duration, note and links", () => {
  const { body, warning } = renderAlert(downAlert({ note: "camera replaced" }), {
    timeZone: BERLIN,
  });
  assertEquals(warning, undefined);
  assertEquals(
    body,
    [
      "Cause: connection refused",
      "Since: 2026-12-01T13:00:00+01:00 (4 min 10 s)",
      "",
      "Note: camera replaced",
      "",
      "Dashboard: https://sp.example.org/",
      "Stream: https://sp.example.org/streams/cam-1",
      "Failure snapshot: https://sp.example.org/snapshots/cam-1/failure.jpg",
      "Last good snapshot: https://sp.example.org/snapshots/cam-1/last.jpg",
    ].join("\n"),
  );
});

Deno.test("renderAlert() lists at most 50 streams of a group, then says how many more", () => {
  const { body } = renderAlert(groupedAlert(62), { timeZone: "UTC" });
  assertStringIncludes(body, "Streams (62):\n- cam-1 (down): connection refused\n");
  assertStringIncludes(body, "- cam-50 (down)");
  assert(!body.includes("cam-51 "), "the 51st stream is named");
  assertStringIncludes(body, "and 12 more");
});

Deno.test("renderAlert() renders the channel's templates", () => {
  const out = renderAlert(downAlert(), {
    title: "[{{ state | upcase }}] {{ stream }}",
    message: "{{ stream }} failed: {{ cause }} ({{ duration }})",
    timeZone: "UTC",
  });
  assertEquals(out, {
    title: "[DOWN] cam-1",
    body: "cam-1 failed: connection refused (4 min 10 s)",
  });
});

Deno.test("renderAlert() falls back to the built-in template with a warning when a template is broken", () => {
  const out = renderAlert(downAlert(), {
    title: "{% if %}",
    message: "{{ stream",
    timeZone: "UTC",
  });
  assertEquals(out.title, "cam-1 is down");
  assertStringIncludes(out.body, "Cause: connection refused");
  assertStringIncludes(out.warning ?? "", "title template failed");
  assertStringIncludes(out.warning ?? "", "message template failed");
  assertStringIncludes(out.warning ?? "", "built-in");
});

Deno.test("renderAlert() falls back when a template renders only blanks", () => {
  const out = renderAlert(downAlert(), { title: "{{ nothing }}  ", timeZone: "UTC" });
  assertEquals(out.title, "cam-1 is down");
  assertStringIncludes(out.warning ?? "", "title template rendered nothing");
});

Deno.test("renderAlert() clips the body to 4,000 and the title to 250 characters on one line", () => {
  const out = renderAlert(downAlert({ cause: "x".repeat(10_000) }), {
    title: "a\nb {{ cause }}",
    message: "{{ cause }}{{ cause }}",
    timeZone: "UTC",
  });
  assertEquals(out.body.length, MAX_BODY_CHARS);
  assert(out.body.endsWith("…"));
  assertEquals(out.title.length, MAX_TITLE_CHARS);
  assert(out.title.startsWith("a b xxx"), out.title.slice(0, 10));
});

Deno.test("renderAlert() stops a template that would loop or allocate without end", () => {
  const start = performance.now();
  for (
    const tpl of [
      "{% for i in (1..100000000) %}x{% endfor %}",
      "{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}",
      "{% assign s = 'x' %}{% for i in (1..64) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
    ]
  ) {
    const out = renderAlert(downAlert(), { message: tpl, timeZone: "UTC" });
    assertStringIncludes(out.warning ?? "", "message template failed");
    assertStringIncludes(out.body, "Cause: connection refused");
  }
  // Generous: the render bound is 250 ms per template; this proves none ran on unbounded.
  assert(performance.now() - start < 20_000, "templates were not stopped");
});

Deno.test("renderAlert() never reads a file: include, render and layout of a path fail safely", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/secret.liquid`, "TOP-SECRET-FILE");
    for (
      const tpl of [
        "{% include '/etc/passwd' %}",
        "{% render '/etc/passwd' %}",
        "{% layout '/etc/passwd' %}",
        `{% include '${dir}/secret.liquid' %}`,
        "{% include '../../../../etc/passwd' %}",
      ]
    ) {
      const out = renderAlert(downAlert(), { message: tpl, timeZone: "UTC" });
      assertStringIncludes(out.warning ?? "", "message template failed", tpl);
      assert(!out.body.includes("root:") && !out.body.includes("TOP-SECRET"), tpl);
      assertStringIncludes(out.body, "Cause: connection refused");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderTemplate() throws on a broken template, again when it is cached", () => {
  for (let i = 0; i < 2; i++) {
    let threw: unknown;
    try {
      renderTemplate("{% for %}", downAlert(), "UTC");
    } catch (err) {
      threw = err;
    }
    assert(threw instanceof Error, `try ${i + 1}: a broken template did not throw`);
  }
  const tpl = "{{ stream }}-".repeat(500);
  for (let i = 0; i < 3; i++) {
    assertEquals(renderTemplate(tpl, downAlert(), "UTC"), "cam-1-".repeat(500));
  }
});

Deno.test("renderTemplate() hides prototype properties from templates", () => {
  assertEquals(
    renderTemplate("[{{ stream.constructor }}{{ links.__proto__ }}]", downAlert(), "UTC"),
    "[]",
  );
});
