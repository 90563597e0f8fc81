import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  type AlertsConfig,
  Checker,
  ConfigError,
  formatProblem,
  parseAlertsConfig,
  parseConfig,
} from "../../../monitor/config/mod.ts";

const SHIPPED = new URL("../../../config.yaml", import.meta.url);
const NONE: AlertsConfig = { channels: [], rules: [], groupSeconds: 10, maintenance: [] };

/** The problems of an invalid `text` as people read them (`path: message`). */
function problems(text: string): string[] {
  const err = assertThrows(() => parseConfig(text), ConfigError);
  return err.problems.map(formatProblem);
}

/** Two streams for the filters to name, then `alerts` (YAML, indented two spaces). */
function withAlerts(alerts: string): string {
  return `streams:
  - {name: NVR A, url: rtsp://h/a, site: north}
  - {name: Gate, url: rtsp://h/g, parent: NVR A}
alerts:
${alerts}`;
}

const FULL = withAlerts(`  base_url: "https://streampulse.example/"
  group_seconds: 20
  channels:
    - {name: phone, type: ntfy, url: "https://ntfy.example/cams", token: "tk1", priority: 5}
    - name: ops
      type: email
      host: smtp.example
      port: 2525
      tls: starttls
      username: u
      password: p
      from: "StreamPulse <sp@example>"
      to: [ops@example, "Night Shift <night@example>"]
      tls_insecure: true
    - {name: hook, type: webhook, url: "http://hook.example/x", headers: {X-Key: "hk1"}, body: "{{ a }}"}
    - {name: tg, type: telegram, token: "123:ABC", chat_id: -100123, url: "https://tg.example"}
    - {name: dc, type: discord, url: "https://discord.com/api/webhooks/1/abc"}
    - {name: sl, type: slack, url: "https://hooks.slack.com/services/T/B/X"}
    - {name: go, type: gotify, url: "https://gotify.example", token: "gt1", priority: 8}
    - {name: po, type: pushover, token: "app", user: "userkey", url: "https://po.example", priority: -2}
    - {name: mx, type: matrix, url: "https://matrix.example", token: "mt1", room: "!abc:example.org"}
    - {name: te, type: teams, url: "https://x.logic.azure.com/wf", title: "T {{ x }}", message: "M"}
  rules:
    - channels: [phone, ops]
      states: [down, degraded]
      streams: [Gate]
      tags: [outside]
      site: north
      sites: [south]
      after_seconds: 30
      resolved: false
      remind_minutes: 60
  maintenance:
    - {name: nightly reboot, tags: [nvr-a], cron: "0 3 * * *", minutes: 15}
    - {name: works, streams: [Gate], from: "2026-12-24T08:00:00Z", to: "2026-12-24T18:00:00+01:00"}
    - {name: epoch, from: 1798099200000, to: 1798102800000}
`);

Deno.test("parseConfig() reads a full alerts block with every channel type", () => {
  const c = parseConfig(FULL);
  assertEquals(c.warnings, []);
  assertEquals(c.streams.map((s) => [s.name, s.site, s.parent]), [
    ["NVR A", "north", undefined],
    ["Gate", undefined, "NVR A"],
  ]);
  assertEquals(c.alerts, {
    baseUrl: "https://streampulse.example",
    groupSeconds: 20,
    channels: [
      { name: "phone", type: "ntfy", url: "https://ntfy.example/cams", token: "tk1", priority: 5 },
      {
        name: "ops",
        type: "email",
        host: "smtp.example",
        port: 2525,
        tls: "starttls",
        username: "u",
        password: "p",
        from: "StreamPulse <sp@example>",
        to: ["ops@example", "Night Shift <night@example>"],
        tlsInsecure: true,
      },
      {
        name: "hook",
        type: "webhook",
        url: "http://hook.example/x",
        headers: { "X-Key": "hk1" },
        body: "{{ a }}",
      },
      {
        name: "tg",
        type: "telegram",
        url: "https://tg.example",
        token: "123:ABC",
        chatId: "-100123",
      },
      { name: "dc", type: "discord", url: "https://discord.com/api/webhooks/1/abc" },
      { name: "sl", type: "slack", url: "https://hooks.slack.com/services/T/B/X" },
      { name: "go", type: "gotify", url: "https://gotify.example", token: "gt1", priority: 8 },
      {
        name: "po",
        type: "pushover",
        url: "https://po.example",
        token: "app",
        user: "userkey",
        priority: -2,
      },
      {
        name: "mx",
        type: "matrix",
        url: "https://matrix.example",
        token: "mt1",
        room: "!abc:example.org",
      },
      {
        name: "te",
        type: "teams",
        url: "https://x.logic.azure.com/wf",
        title: "T {{ x }}",
        message: "M",
      },
    ],
    rules: [{
      channels: ["phone", "ops"],
      states: ["down", "degraded"],
      streams: ["Gate"],
      tags: ["outside"],
      sites: ["north", "south"],
      afterSeconds: 30,
      resolved: false,
      remindMinutes: 60,
    }],
    maintenance: [
      {
        name: "nightly reboot",
        streams: [],
        tags: ["nvr-a"],
        sites: [],
        cron: "0 3 * * *",
        minutes: 15,
      },
      {
        name: "works",
        streams: ["Gate"],
        tags: [],
        sites: [],
        from: Date.UTC(2026, 11, 24, 8),
        to: Date.UTC(2026, 11, 24, 17),
      },
      { name: "epoch", streams: [], tags: [], sites: [], from: 1798099200000, to: 1798102800000 },
    ],
  });
});

Deno.test("parseAlertsConfig() gives no channels, rules or windows when alerts is absent", () => {
  const c = new Checker();
  assertEquals(parseAlertsConfig(undefined, c, []), NONE);
  assertEquals(parseAlertsConfig(null, c, []), NONE);
  assertEquals([c.errors, c.warnings], [[], []]);
  assertEquals(parseConfig("streams: []\n").alerts, NONE);
  assertEquals(parseConfig("alerts:\n").alerts, NONE);
});

Deno.test("parseConfig() accepts a file with an alerts block and no streams key", () => {
  const c = parseConfig("alerts:\n  group_seconds: 0\n");
  assertEquals([c.streams, c.alerts.groupSeconds], [[], 0]);
});

Deno.test("parseAlertsConfig() fills in the defaults of channels and rules", () => {
  const c = parseConfig(withAlerts(`  channels:
    - {name: tg, type: telegram, token: "1:A", chat_id: "@cams"}
    - {name: po, type: pushover, token: app, user: key}
    - {name: m1, type: email, host: h, from: a@b, to: c@d}
    - {name: m2, type: email, host: h, from: a@b, to: [c@d], tls: tls}
    - {name: m3, type: email, host: h, from: a@b, to: [c@d], tls: none}
    - {name: w, type: webhook, url: "https://w.example"}
    - {name: n, type: ntfy, url: "https://ntfy.example/t"}
  rules:
    - channels: tg
`));
  const [tg, po, m1, m2, m3, w, n] = c.alerts.channels;
  assertEquals(tg, {
    name: "tg",
    type: "telegram",
    url: "https://api.telegram.org",
    token: "1:A",
    chatId: "@cams",
  });
  assertEquals(po, {
    name: "po",
    type: "pushover",
    url: "https://api.pushover.net",
    token: "app",
    user: "key",
  });
  assertEquals(m1, {
    name: "m1",
    type: "email",
    host: "h",
    port: 587,
    tls: "starttls",
    from: "a@b",
    to: ["c@d"],
    tlsInsecure: false,
  });
  assertEquals([m2, m3].map((m) => m.type === "email" && [m.tls, m.port]), [["tls", 465], [
    "none",
    25,
  ]]);
  assertEquals(w, { name: "w", type: "webhook", url: "https://w.example", headers: {} });
  assertEquals(n, { name: "n", type: "ntfy", url: "https://ntfy.example/t" });
  assertEquals(c.alerts.rules, [{
    channels: ["tg"],
    states: ["down"],
    streams: [],
    tags: [],
    sites: [],
    afterSeconds: 0,
    resolved: true,
    remindMinutes: 0,
  }]);
  assertEquals(c.alerts.groupSeconds, 10);
  assert(!("baseUrl" in c.alerts));
});

Deno.test("parseAlertsConfig() names every channel problem at its YAML path", () => {
  assertEquals(
    problems(withAlerts(`  base_url: ftp://x.example
  group_seconds: 4000
  channels:
    - {type: slack, url: "https://s.example"}
    - {name: a, type: pagerduty}
    - {name: b, type: discord}
    - {name: c, type: slack, url: "not a url"}
    - {name: b, type: teams, url: "https://t.example"}
    - {name: e, type: email, host: "smtp host", port: 0, tls: ssl, from: nobody, to: []}
    - {name: f, type: email, host: h, from: a@b, to: [ok@x, bad]}
    - {name: g, type: ntfy, url: "https://n.example", priority: 6, username: u}
    - {name: h, type: gotify, url: "https://g.example", priority: 11}
    - {name: i, type: pushover, user: k, priority: 3}
    - {name: j, type: matrix, url: "https://m.example", token: t, room: general}
    - {name: k, type: telegram, chat_id: 1}
    - {name: l, type: webhook, url: "https://w.example", headers: {"Bad Name": x}, title: [1]}
    - just a string
    - {name: z, type: toString}
  rules: [{channels: [a, z]}]
`)),
    [
      "alerts.base_url: must be an http:// or https:// URL, got ftp://",
      "alerts.channels[0].name: is required",
      'alerts.channels[1].type: "pagerduty" is not one of webhook, ntfy, telegram, discord, ' +
      "slack, gotify, pushover, matrix, teams, email",
      "alerts.channels[2].url: is required",
      "alerts.channels[3].url: is not a valid URL (expected e.g. https://host/path)",
      'alerts.channels[4].name: duplicate name "b" (also alerts.channels[2])',
      'alerts.channels[5].tls: "ssl" is not one of starttls, tls, none',
      "alerts.channels[5].host: must be a host name or address",
      'alerts.channels[5].from: must be an address, e.g. "StreamPulse <sp@example.org>"',
      "alerts.channels[5].port: must be at least 1, got 0",
      "alerts.channels[5].to: must list at least one address",
      "alerts.channels[6].to[1]: must be an address like ops@example.org",
      "alerts.channels[7].password: is required with username",
      "alerts.channels[7].priority: must be at most 5, got 6",
      "alerts.channels[8].token: is required",
      "alerts.channels[8].priority: must be at most 10, got 11",
      "alerts.channels[9].token: is required",
      "alerts.channels[9].priority: must be at most 2, got 3",
      "alerts.channels[10].room: must be a room id like !abc:example.org",
      "alerts.channels[11].token: is required",
      "alerts.channels[12].headers: key 1 is not a valid header name (no spaces, colons or other " +
      "separators)",
      "alerts.channels[12].title: must be a string, got a list",
      'alerts.channels[13]: must be a mapping with name and type, got "just a string"',
      'alerts.channels[14].type: "toString" is not one of webhook, ntfy, telegram, discord, ' +
      "slack, gotify, pushover, matrix, teams, email",
      "alerts.group_seconds: must be at most 3600, got 4000",
    ],
  );
});

Deno.test("parseAlertsConfig() never quotes a secret in a problem", () => {
  const secret = "S3CRETzz";
  const text = withAlerts(`  base_url: "https://u:${secret}@sp.example/"
  channels:
    - {name: a, type: ntfy, url: "ftp://u:${secret}@n.example/?k=${secret}", token: "${secret}\\nX"}
    - {name: b, type: webhook, url: "https://${secret} host/", headers: {X-Key: "${secret}\\r\\nX: y"}}
    - {name: c, type: email, host: h, from: a@b, to: c@d, password: "${secret}\\u0007"}
    - {name: d, type: discord, url: "https://discord.example/${secret}\\tx"}
    - {name: e, type: gotify, url: "https://g.example", token: {a: "${secret}"}}
    - {name: f, type: pushover, token: "${"x".repeat(9000)}${secret}", user: k}
    - {name: g, type: ntfy, url: "https://n.example/t", token: ${secret}, username: u, password: p}
`);
  const err = assertThrows(() => parseConfig(text), ConfigError);
  const paths = err.problems.map((p) => p.path);
  for (
    const path of [
      "alerts.base_url",
      "alerts.channels[0].url",
      "alerts.channels[0].token",
      "alerts.channels[1].url",
      "alerts.channels[1].headers.X-Key",
      "alerts.channels[2].password",
      "alerts.channels[3].url",
      "alerts.channels[4].token",
      "alerts.channels[5].token",
      "alerts.channels[6].token",
    ]
  ) assert(paths.includes(path), `${path} in ${paths.join(", ")}`);
  assert(!err.message.includes(secret), err.message);
  assert(!err.message.includes("xxxx"), "an over-long token is not quoted either");
});

Deno.test("parseAlertsConfig() checks rules: existing channels, states, filters", () => {
  assertEquals(
    problems(withAlerts(`  channels:
    - {name: phone, type: ntfy, url: "https://n.example/t"}
    - {name: broken, type: slack}
  rules:
    - channels: [phone, pager]
    - channels: []
    - {states: [down]}
    - channels: [broken]
      states: [up, down]
      after_seconds: -1
      remind_minutes: 20000
      tags: {a: 1}
    - channels: [phone]
      states: []
      sites: [""]
`)),
    [
      "alerts.channels[1].url: is required",
      'alerts.rules[0].channels[1]: no channel named "pager"',
      "alerts.rules[1].channels: must name at least one channel",
      "alerts.rules[2].channels: is required (a list of channel names)",
      'alerts.rules[3].states[0]: "up" is not one of down, degraded',
      "alerts.rules[3].tags: must be a list of strings, got a mapping",
      "alerts.rules[3].after_seconds: must be at least 0, got -1",
      "alerts.rules[3].remind_minutes: must be at most 10080, got 20000",
      "alerts.rules[4].states: must name at least one of down, degraded",
      "alerts.rules[4].sites[0]: must not be empty",
    ],
  );
});

Deno.test("parseAlertsConfig() warns about a stream-name filter that matches no stream", () => {
  const c = parseConfig(withAlerts(`  channels: [{name: p, type: slack, url: "https://s.example"}]
  rules: [{channels: [p], streams: [Gate, Porch]}]
  maintenance: [{name: m, streams: Shed, cron: "@daily", minutes: 5}]
  colour: red
`));
  assertEquals(c.alerts.rules[0].streams, ["Gate", "Porch"]);
  assertEquals(c.alerts.maintenance[0].streams, ["Shed"]);
  assertEquals(c.warnings.map(formatProblem), [
    "alerts.colour: unknown key (ignored); use base_url, group_seconds, channels, rules, maintenance",
    'alerts.rules[0].streams[1]: no stream named "Porch" (yet); this filter matches nothing for it',
    'alerts.maintenance[0].streams: no stream named "Shed" (yet); this filter matches nothing for it',
  ]);
});

Deno.test("parseAlertsConfig() checks maintenance windows: cron, minutes, from and to", () => {
  assertEquals(
    problems(withAlerts(`  maintenance:
    - {name: a, cron: "61 3 * * *", minutes: 15}
    - {name: b, cron: "0 3 * *", minutes: 15}
    - {name: c, cron: "0 0 30 2 *", minutes: 15}
    - {name: d, cron: "0 3 * * *"}
    - {name: e, cron: "0 3 * * *", minutes: 20000}
    - {name: f, from: "2026-12-24T18:00:00Z", to: "2026-12-24T08:00:00Z"}
    - {name: g, from: "2026-12-24T08:00:00", to: "2026-02-30T08:00:00Z"}
    - {name: h, from: 1798099200, to: "soon"}
    - {name: i, from: "2026-12-24T08:00:00Z"}
    - {name: j, cron: "0 3 * * *", minutes: 5, from: "2026-12-24T08:00:00Z"}
    - {tags: [x]}
`)),
    [
      "alerts.maintenance[0].cron: CronPattern: Invalid value for minute: 61",
      "alerts.maintenance[1].cron: must have 5 fields (minute hour day month weekday), got 4",
      "alerts.maintenance[2].cron: never matches a date (e.g. 30 February)",
      "alerts.maintenance[3].minutes: is required with cron (the window's length)",
      "alerts.maintenance[4].minutes: must be at most 10080, got 20000",
      "alerts.maintenance[5].to: must be after from",
      'alerts.maintenance[6].from: needs a time zone (Z or +01:00), got "2026-12-24T08:00:00"',
      'alerts.maintenance[6].to: is not a valid date and time, got "2026-02-30T08:00:00Z"',
      "alerts.maintenance[7].from: must be an ISO-8601 time with a zone (e.g. " +
      "2026-12-24T08:00:00Z) or epoch ms, got 1798099200",
      "alerts.maintenance[7].to: must be an ISO-8601 time with a zone (e.g. " +
      '2026-12-24T08:00:00Z) or epoch ms, got "soon"',
      "alerts.maintenance[8].to: is required",
      "alerts.maintenance[9]: set either cron + minutes or from + to, not both",
      "alerts.maintenance[10].name: is required",
      "alerts.maintenance[10]: needs cron + minutes (a repeating window) or from + to " +
      "(a one-off window)",
    ],
  );
});

Deno.test("parseAlertsConfig() runs cron windows in the config's time zone", () => {
  const c = parseConfig(`timezone: Europe/Berlin
alerts:
  maintenance: [{name: m, cron: " 0  3 * * 1-5 ", minutes: 30}]
`);
  assertEquals(c.alerts.maintenance[0].cron, "0 3 * * 1-5");
});

Deno.test("parseConfig() suggests alerts for an alert: key", () => {
  assertEquals(problems("streams: []\nalert:\n  channels: []\n"), [
    'alert: unknown key; did you mean "alerts"?',
  ]);
});

Deno.test("parseConfig() checks stream parents: existing, not itself, no cycle", () => {
  const err = assertThrows(
    () =>
      parseConfig(`streams:
  - {name: A, url: rtsp://h/a, parent: B}
  - {name: B, url: rtsp://h/b, parent: C}
  - {name: C, url: rtsp://h/c, parent: A}
  - {name: D, url: rtsp://h/d, parent: A}
  - {name: E, url: rtsp://h/e, parent: E}
  - {name: F, url: rtsp://h/f, parent: NVR}
  - {name: G, url: rtsp://h/g, parent: H}
  - {name: H, url: ftp://h/h}
  - {name: I, url: rtsp://h/i, site: "${"s".repeat(201)}"}
`),
    ConfigError,
  );
  assertEquals(err.problems, [
    {
      path: "streams[7].url",
      message: 'scheme "ftp" is not supported (use rtsp, rtsps, http, https)',
      stream: "H",
    },
    { path: "streams[8].site", message: "must be at most 200 characters", stream: "I" },
    { path: "streams[4].parent", message: "must name another stream, not this one", stream: "E" },
    { path: "streams[5].parent", message: 'no stream named "NVR"', stream: "F" },
    { path: "streams[0].parent", message: "is part of a cycle: A → B → C → A", stream: "A" },
    { path: "streams[1].parent", message: "is part of a cycle: B → C → A → B", stream: "B" },
    { path: "streams[2].parent", message: "is part of a cycle: C → A → B → C", stream: "C" },
  ]);
});

Deno.test("parseConfig() finds a long parent cycle and clips its message", () => {
  const n = 5000;
  const lines = Array.from(
    { length: n },
    (_, i) => `  - {name: s${i}, url: rtsp://h/${i}, parent: s${(i + 1) % n}}`,
  );
  const err = assertThrows(() => parseConfig(`streams:\n${lines.join("\n")}\n`), ConfigError);
  assertEquals(err.problems.length, n);
  assertEquals(
    err.problems[0].message,
    `is part of a cycle: ${[...Array(10).keys()].map((i) => `s${i}`).join(" → ")} → …`,
  );
  assertEquals(err.problems[n - 1].path, `streams[${n - 1}].parent`);
});

Deno.test("parseConfig() keeps a chain of parents that ends", () => {
  const c = parseConfig(`streams:
  - {name: cam, url: rtsp://h/c, parent: relay}
  - {name: relay, url: rtsp://h/r, parent: nvr, site: " north "}
  - {name: nvr, url: rtsp://h/n, parent: ""}
`);
  assertEquals(c.streams.map((s) => [s.parent, s.site]), [
    ["relay", undefined],
    ["nvr", "north"],
    [undefined, undefined],
  ]);
  assert(!("parent" in c.streams[2]) && !("site" in c.streams[0]));
});

/** The shipped config.yaml with its stream examples and its `alerts:` example uncommented. */
function uncommented(text: string): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of text.split("\n")) {
    if (line === "streams: []" || line === "# alerts:") {
      out.push(line === "# alerts:" ? "alerts:" : "streams:");
      inBlock = true;
      continue;
    }
    if (line.trim() === "") inBlock = false;
    out.push(inBlock && /^# [ -]/.test(line) ? line.slice(2) : line);
  }
  return out.join("\n");
}

Deno.test("parseConfig() reads the shipped config.yaml with no alerts, and its example once uncommented", async () => {
  const text = await Deno.readTextFile(SHIPPED);
  const shipped = parseConfig(text);
  assertEquals([shipped.alerts, shipped.streams, shipped.warnings], [NONE, [], []]);
  const example = parseConfig(uncommented(text));
  assertEquals(example.warnings, []);
  assertEquals(
    new Set(example.alerts.channels.map((ch) => ch.type)),
    new Set([
      "webhook",
      "ntfy",
      "telegram",
      "discord",
      "slack",
      "gotify",
      "pushover",
      "matrix",
      "teams",
      "email",
    ]),
  );
  assert(example.alerts.rules.length > 0 && example.alerts.maintenance.length > 0);
  assert(
    example.alerts.maintenance.some((w) => w.cron) &&
      example.alerts.maintenance.some((w) => w.from),
  );
  assert(example.streams.some((s) => s.parent !== undefined));
});
