/**
 * Fleet mode end to end, part 1: three real StreamPulse processes on one real PostgreSQL split 30
 * RTSP streams (one replay server) evenly, each shows the whole fleet (status, metrics, SSE), and a
 * stream added on one node's dashboard reaches the other two.
 */

import { assert, assertEquals } from "../assert.ts";
import { startReplayServer } from "../fixtures/rtsp_replay.ts";
import {
  ADMIN_PASSWORD,
  camNames,
  DB_PASSWORD,
  type Fleet,
  type FleetMember,
  startFleet,
  streamEntry,
} from "../fixtures/fleet.ts";
import { httpSignIn } from "../web/http.ts";

const N = 30;

/** Opens a signed-in `/events` on `m` and collects the stream names of `result`/`state` rows. */
async function watchEvents(m: FleetMember) {
  const browser = await httpSignIn(m.webUrl, ADMIN_PASSWORD);
  const res = await fetch(`${m.webUrl}/events`, { headers: { cookie: browser.cookie } });
  assertEquals(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen = new Set<string>();
  let buf = "";
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        for (let end; (end = buf.indexOf("\n\n")) >= 0;) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if ((event === "result" || event === "state") && data) {
            for (const r of JSON.parse(data).rows as { name: string }[]) seen.add(r.name);
          }
        }
      }
    } catch { /* cancelled */ }
  })();
  return {
    seen,
    async close() {
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

const version = (html: string) => /name="_version" value="([^"]+)"/.exec(html)?.[1] ?? "";

Deno.test("a fleet of three nodes splits 30 streams, each node shows all of them, and dashboard edits reach the others", async (t) => {
  const cams = await startReplayServer();
  const names = camNames(N);
  const streams = names.map((n) => streamEntry(n, cams.url(`/h264/moving/${n}`))).join("");
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet({
      shared: `heartbeat_seconds: 1\ntimezone: UTC\nstreams:\n${streams}`,
    });
    const f = fleet;

    await t.step(
      "owners() of each node split the streams 5–15 each, disjoint, covering all",
      async () => {
        const owners = await f.settled(names);
        const per = new Map<string, string[]>();
        for (const [stream, node] of Object.entries(owners)) {
          per.set(node, [...per.get(node) ?? [], stream]);
        }
        const counts = f.members.map((m) => per.get(m.name)?.length ?? 0);
        console.log(`  ownership: ${f.members.map((m, i) => `${m.name} ${counts[i]}`).join(", ")}`);
        for (const c of counts) assert(c >= 5 && c <= 15, `uneven split: ${counts}`);
        assertEquals(Object.keys(owners).filter((s) => names.includes(s)).sort(), names);
        for (const m of f.members) {
          const h = await m.health();
          assertEquals(h.fleet?.node, m.name);
          assertEquals(h.fleet?.acting, true);
          const mine = h.fleet?.nodes.find((x) => x.name === m.name);
          assertEquals(mine?.streams, per.get(m.name)?.length, JSON.stringify(h.fleet?.nodes));
          const text = (await m.sp.get("/api/health")).text;
          assert(!text.includes(DB_PASSWORD), `${m.name}: the database password in /api/health`);
        }
      },
    );

    await t.step(
      "every node's /api/status shows all 30 streams up, whoever checks them",
      async () => {
        await f.allUp(names);
      },
    );

    await t.step("/metrics of every node labels each stream with its owner", async () => {
      const owners = await f.settled(names);
      for (const m of f.members) {
        const text = (await m.sp.get("/metrics")).text;
        for (const n of names) {
          const line = text.split("\n").find((l) =>
            /^(\w+_)?stream_up\{/.test(l) && l.includes(`stream="${n}"`)
          );
          assert(line, `${m.name}: no stream_up line for ${n}`);
          assert(line.includes(`node="${owners[n]}"`), `${m.name}: ${line}`);
        }
      }
    });

    await t.step(
      "SSE /events on one node carries results of streams the others check",
      async () => {
        const owners = await f.settled(names);
        const n2 = f.member("n2");
        const ev = await watchEvents(n2);
        try {
          const others = names.filter((n) => owners[n] !== "n2");
          await n2.sp.until(
            () => Promise.resolve(others.every((n) => ev.seen.has(n))),
            10_000,
            "events for every stream n1 and n3 check",
          );
        } finally {
          await ev.close();
        }
      },
    );

    await t.step("a stream added on n1's dashboard shows in /api/status of n2 and n3", async () => {
      const n1 = f.member("n1");
      const browser = await httpSignIn(n1.webUrl, ADMIN_PASSWORD);
      const form = await (await fetch(`${n1.webUrl}/streams/new`, {
        headers: { cookie: browser.cookie },
      })).text();
      const t0 = Date.now();
      const res = await browser.post("/streams/save", {
        _version: version(form),
        name: "added01",
        url: cams.url("/h264/moving/added01"),
        enabled: "on",
      });
      await res.body?.cancel();
      assert(res.status === 303 || res.status === 200, `save answered ${res.status}`);
      const arrived: Record<string, number> = {};
      await Promise.all(["n2", "n3"].map((name) => {
        const m = f.member(name);
        return m.sp.until(
          async () => {
            if (!("added01" in await m.status())) return false;
            arrived[name] = Date.now() - t0;
            return true;
          },
          5_000,
          `added01 on ${name}`,
        );
      }));
      console.log(`  config edit on n1 → /api/status: n2 ${arrived.n2} ms, n3 ${arrived.n3} ms`);
      // And it is checked by one of the three, seen by all.
      for (const m of f.members) {
        await m.sp.until(async () => (await m.status()).added01?.state === "up", 15_000, "up");
      }
    });

    await t.step("a rename on n2's dashboard reaches n1 and n3", async () => {
      const n2 = f.member("n2");
      const browser = await httpSignIn(n2.webUrl, ADMIN_PASSWORD);
      const form = await (await fetch(`${n2.webUrl}/streams/added01/edit`, {
        headers: { cookie: browser.cookie },
      })).text();
      const t0 = Date.now();
      const res = await browser.post("/streams/save", {
        _version: version(form),
        _original: "added01",
        name: "renamed01",
        url: cams.url("/h264/moving/added01"),
        enabled: "on",
      });
      await res.body?.cancel();
      assert(res.status === 303 || res.status === 200, `save answered ${res.status}`);
      const arrived: Record<string, number> = {};
      await Promise.all(["n1", "n3"].map((name) => {
        const m = f.member(name);
        return m.sp.until(
          async () => {
            const s = await m.status();
            if (!("renamed01" in s) || "added01" in s) return false;
            arrived[name] = Date.now() - t0;
            return true;
          },
          5_000,
          `renamed01 on ${name}`,
        );
      }));
      console.log(`  rename on n2 → /api/status: n1 ${arrived.n1} ms, n3 ${arrived.n3} ms`);
    });

    await t.step(
      "the database password shows in no page, API answer or log of any node",
      async () => {
        for (const m of f.members) {
          const browser = await httpSignIn(m.webUrl, ADMIN_PASSWORD);
          for (const path of ["/", "/settings", "/streams"]) {
            const html = await (await fetch(`${m.webUrl}${path}`, {
              headers: { cookie: browser.cookie, accept: "text/html" },
            })).text();
            assert(!html.includes(DB_PASSWORD), `${m.name} ${path} shows the database password`);
          }
          for (const path of ["/api/status", "/api/streams", "/metrics"]) {
            const text = (await m.sp.get(path)).text;
            assert(!text.includes(DB_PASSWORD), `${m.name} ${path} shows the database password`);
          }
          assert(!m.sp.logs().includes(DB_PASSWORD), `${m.name}'s log shows the database password`);
        }
      },
    );
  } finally {
    await fleet?.stop();
    await cams.close();
  }
});
