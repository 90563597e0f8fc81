/**
 * Renames by `id:` through the real program (tests/web/harness.ts): in config.yaml, and through
 * the dashboard's stream editor; history and incidents follow, the old name is gone.
 */

import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { applyEdit, editStream, idBeforeRename, streamValuesFrom } from "../../web/config_edit.ts";
import { type Stack, startWebStack } from "./harness.ts";
import { setupAndSignIn } from "./helpers.ts";

/** A camera nobody answers for (port 1 refuses at once), so it goes down and opens an incident. */
const config = (name: string, id?: string) =>
  `heartbeat_seconds: 1
streams:
  # the porch camera
  - name: ${name}
    url: rtsp://admin:s3cret@127.0.0.1:1/live
    timeout_seconds: 1
${id ? `    id: ${id}\n` : ""}`;

/** Polls `ok` every 50 ms until it holds; throws after `ms` naming `what`. */
async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the stream is down with an incident and 3+ checks; returns their timestamps. */
async function downWithHistory(s: Stack, name: string): Promise<number[]> {
  await until(
    `"${name}" down with 3 checks`,
    () => s.monitor.status(name)?.state === "down" && s.store.history(name).length >= 3,
  );
  assertEquals(s.store.incidents(name).length, 1);
  return s.store.history(name).map((c) => c.ts);
}

const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
};

Deno.test("editStream() writes an id for a new stream; idBeforeRename() only for a rename without one", () => {
  const form = (o: Record<string, string>) => streamValuesFrom({ enabled: "on", ...o });
  const created = applyEdit(
    "streams: []\n",
    editStream(form({ name: "a", url: "rtsp://h/x" }), undefined, { newId: () => "id-a" }),
  );
  assertStringIncludes(created, "  - name: a\n    url: rtsp://h/x\n    id: id-a\n");
  const text = config("Porch");
  const rename = form({ name: "Yard", url: "rtsp://h/x" });
  const first = idBeforeRename(text, rename, "Porch", { newId: () => "k3q7zt2m" })!;
  const withId = applyEdit(text, first);
  assertEquals(withId, text.trimEnd() + "\n    id: k3q7zt2m\n");
  assertEquals(idBeforeRename(withId, rename, "Porch"), undefined, "it has one now");
  assertEquals(idBeforeRename(text, form({ name: "Porch", url: "x" }), "Porch"), undefined);
  // The rename then keeps the id it finds.
  assertStringIncludes(applyEdit(withId, editStream(rename, "Porch")), "id: k3q7zt2m");
});

Deno.test("a rename in config.yaml with an id keeps history and incidents under the new name", async () => {
  const s = await startWebStack({ config: config("Front door", "cam-1") });
  try {
    const before = await downWithHistory(s, "Front door");
    const renamed = new Promise<void>((resolve) => {
      const off = s.bus.on("config-reloaded", () => (off(), resolve()));
    });
    const changes: string[] = [];
    s.bus.on("state-change", (e) => changes.push(`${e.name} ${e.from}->${e.to}`));
    await Deno.writeTextFile(s.configPath, config("Porch", "cam-1"));
    await renamed;

    const status = await getJson(`${s.apiUrl}/api/status`);
    assertEquals(status.status, 200);
    const names = JSON.stringify(status.body);
    assertStringIncludes(names, '"Porch"');
    assert(!names.includes("Front door"), `the old name is gone from /api/status: ${names}`);
    const history = await getJson(`${s.apiUrl}/api/streams/Porch/history?limit=1000`);
    assertEquals(history.status, 200);
    assert(history.body.length >= before.length, "every old check is there");
    const incidents = await getJson(`${s.apiUrl}/api/streams/Porch/incidents`);
    assertEquals([incidents.body.length, incidents.body[0].end], [1, null]);
    assertEquals((await getJson(`${s.apiUrl}/api/streams/Front%20door/history`)).status, 404);
    // Checks go on under the new name, with no new state change and no new incident.
    const n = s.store.history("Porch").length;
    await until("a check of Porch", () => s.store.history("Porch").length > n);
    assertEquals(s.store.history("Porch").slice(-before.length).map((c) => c.ts), before);
    assertEquals(s.store.incidents("Porch").length, 1);
    assertEquals(changes, []);
    assertEquals(s.store.streamNames(), ["Porch"]);
  } finally {
    await s.stop();
  }
});

Deno.test("a rename through the dashboard writes an id and history follows, across a restart", async () => {
  const s = await startWebStack({ listen: false, config: config("Porch") });
  let dir = "";
  try {
    const before = await downWithHistory(s, "Porch");
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const page = await (await c.get("/streams/Porch/edit")).text();
    const version = /name="_version" value="([^"]+)"/.exec(page)![1];
    const res = await c.post("/streams/save", {
      _version: version,
      _original: "Porch",
      name: "Yard",
      url: "rtsp://admin:s3cret@127.0.0.1:1/live",
      enabled: "on",
      timeout: "1",
    });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/streams/Yard");
    const text = await Deno.readTextFile(s.configPath);
    assertStringIncludes(text, "# the porch camera");
    const id = /\n {4}id: ([a-z2-7]{8})\n/.exec(text)?.[1];
    assert(id, `an 8-letter base32 id is written:\n${text}`);
    assertEquals(s.monitor.streams().map((x) => [x.name, x.id]), [["Yard", id]]);
    assertEquals(s.monitor.status("Porch"), undefined);
    assertEquals(s.monitor.status("Yard")?.state, "down");
    const history = s.store.history("Yard", { limit: 1000 }).map((c) => c.ts);
    assertEquals(history.slice(-before.length), before);
    assertEquals(s.store.incidents("Yard").length, 1);
    assertEquals(s.store.streamNames(), ["Yard"]);
    const streamPage = await (await c.get("/streams/Yard")).text();
    assert(!streamPage.includes("s3cret"), "the stream page masks credentials");
    dir = s.dir;
  } finally {
    await s.stop({ keepDir: true });
  }
  // Renamed again while stopped: the next start finds the history by the id.
  const text = await Deno.readTextFile(`${dir}/config.yaml`);
  await Deno.writeTextFile(`${dir}/config.yaml`, text.replace("name: Yard", "name: Garden"));
  const again = await startWebStack({ listen: false, dir });
  try {
    assertEquals(again.store.streamNames(), ["Garden"]);
    assertEquals(again.monitor.status("Garden")?.state, "down");
    assert(again.store.history("Garden").length >= 3);
    assertEquals(again.store.incidents("Garden").length, 1);
  } finally {
    await again.stop();
  }
});
