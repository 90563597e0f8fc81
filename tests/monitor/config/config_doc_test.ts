/**
 * The fleet's shared config document on a real PostgreSQL: createConfigDoc() compare-and-set and
 * NOTIFY, watchConfigDoc(), loadFleetConfig()'s first import and the database ConfigSource.
 */

import postgres from "postgres";
import type { Sql } from "postgres";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { startPostgres } from "../../fixtures/postgres.ts";
import {
  ConfigConflictError,
  type ConfigDocRead,
  ConfigError,
  databaseConfigSource,
  loadFleetConfig,
  parseConfig,
  watchConfigDoc,
  watchFleetConfig,
} from "../../../monitor/config/mod.ts";
import { createConfigDoc, migratePostgres } from "../../../monitor/store/postgres/mod.ts";

const connect = (url: string): Sql =>
  postgres(url, { max: 2, onnotice: () => {}, connect_timeout: 3, backoff: () => 0.1 });

/** The schema, plus sp_config as migration 7 makes it should this checkout not have it yet. */
async function prepare(sql: Sql): Promise<void> {
  await migratePostgres(sql, { info: () => {} });
  await sql`CREATE TABLE IF NOT EXISTS sp_config (id INT PRIMARY KEY CHECK (id = 1),
    text TEXT NOT NULL, version BIGINT NOT NULL, updated_at BIGINT NOT NULL, updated_by TEXT)`;
}

/** Resolves with `p`, or rejects naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const FILE = "database: postgres://sp@db/sp\nnode: {name: a-1}\nheartbeat_seconds: 12\n" +
  "streams:\n  - {name: Gate, url: rtsp://cam/gate}\n";

Deno.test("the shared config document (one real PostgreSQL for the file)", async (t) => {
  const pg = await startPostgres();
  const admin = connect(pg.url);
  let dbs = 0;
  const freshDb = async (): Promise<string> => {
    const name = `c${++dbs}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = pg.url.replace(/\/sp$/, `/${name}`);
    const sql = connect(url);
    await prepare(sql);
    await sql.end();
    return url;
  };
  try {
    await t.step(
      "createConfigDoc() inserts version 1, then writes only on the expected version",
      async () => {
        const sql = connect(await freshDb());
        try {
          const doc = createConfigDoc(sql, { node: "a-1" });
          assertEquals(await doc.read(), undefined);
          assertEquals(await doc.version(), undefined);
          assertEquals(await doc.write("streams: []\n", undefined), 1);
          const one = await doc.read();
          assertEquals([one?.text, one?.version, one?.updatedBy], ["streams: []\n", 1, "a-1"]);
          assert(Math.abs(one!.updatedAt - Date.now()) < 60_000, "the database clock, in ms");
          await assertRejects(() => doc.write("x: 1\n", undefined), ConfigConflictError);
          assertEquals(await doc.write("heartbeat_seconds: 5\n", 1), 2);
          const err = await assertRejects(() => doc.write("x: 1\n", 1), ConfigConflictError);
          assertEquals(err.where, "database");
          assert(err.message.includes("version 1"), err.message);
          assertEquals((await doc.read())?.text, "heartbeat_seconds: 5\n", "nothing written");
          assertEquals(await doc.version(), 2);
        } finally {
          await sql.end();
        }
      },
    );

    await t.step("createConfigDoc() lets one of two racing writers win", async () => {
      const url = await freshDb();
      const [s1, s2] = [connect(url), connect(url)];
      try {
        const [d1, d2] = [createConfigDoc(s1, { node: "n1" }), createConfigDoc(s2, { node: "n2" })];
        await d1.write("streams: []\n", undefined);
        const results = await Promise.allSettled([d1.write("a: 1\n", 1), d2.write("b: 2\n", 1)]);
        assertEquals(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
        const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        assert(lost.reason instanceof ConfigConflictError);
        assertEquals(await d1.version(), 2);
      } finally {
        await Promise.all([s1.end(), s2.end()]);
      }
    });

    await t.step(
      "createConfigDoc() refuses a NUL and a text over the limit, writing nothing",
      async () => {
        const sql = connect(await freshDb());
        try {
          const doc = createConfigDoc(sql, { node: "a-1", maxBytes: 100 });
          const nul = await assertRejects(() => doc.write("a: \0\n", undefined), RangeError);
          assert(nul.message.includes("NUL"), nul.message);
          const big = await assertRejects(
            () => doc.write("a: " + "x".repeat(100), undefined),
            RangeError,
          );
          assert(big.message.includes("limit"), big.message);
          assertEquals(await doc.read(), undefined);
        } finally {
          await sql.end();
        }
      },
    );

    await t.step("importIfEmpty() imports once; later calls keep the document", async () => {
      const sql = connect(await freshDb());
      try {
        const doc = createConfigDoc(sql, { node: "a-1" });
        assertEquals(await doc.importIfEmpty("streams: []\n"), true);
        assertEquals(await doc.importIfEmpty("heartbeat_seconds: 99\n"), false);
        assertEquals((await doc.read())?.text, "streams: []\n");
        assertEquals(await doc.version(), 1);
      } finally {
        await sql.end();
      }
    });

    await t.step("a write's NOTIFY reaches a second client within 1 s", async () => {
      const url = await freshDb();
      const [writer, reader] = [connect(url), connect(url)];
      try {
        const other = createConfigDoc(reader, { node: "b-1" });
        const heard: number[] = [];
        let hear: (v: number) => void = () => {};
        const listened = new Promise<void>((resolve) => {
          other.listen((v) => {
            heard.push(v);
            hear(v);
          }, resolve);
        });
        await within(listened, 10_000, "LISTEN");
        const doc = createConfigDoc(writer, { node: "a-1" });
        for (const [text, expected] of [["a: 1\n", undefined], ["a: 2\n", 1]] as const) {
          const got = new Promise<number>((resolve) => hear = resolve);
          const sent = performance.now();
          const v = await doc.write(text, expected);
          assertEquals(await within(got, 1000, `the notification of version ${v}`), v);
          assert(performance.now() - sent < 1000);
        }
        assertEquals(heard, [1, 2]);
      } finally {
        await Promise.all([writer.end(), reader.end()]);
      }
    });

    await t.step(
      "watchConfigDoc() applies each version once, by NOTIFY or by its poll",
      async () => {
        const url = await freshDb();
        const [writer, reader] = [connect(url), connect(url)];
        const ctrl = new AbortController();
        try {
          const doc = createConfigDoc(writer, { node: "a-1" });
          await doc.write("a: 1\n", undefined);
          const seen: ConfigDocRead[] = [];
          let next: () => void = () => {};
          const watching = watchConfigDoc(createConfigDoc(reader, { node: "b-1" }), {
            signal: ctrl.signal,
            initialVersion: 1,
            pollMs: 5000, // long: the notification must do it
            onChange: (r) => {
              seen.push(r);
              next();
            },
          });
          await new Promise((r) => setTimeout(r, 500)); // the subscription
          let applied = new Promise<void>((resolve) => next = resolve);
          await doc.write("a: 2\n", 1);
          await within(applied, 1000, "applying version 2 by NOTIFY");
          assertEquals(seen.map((r) => [r.version, r.text]), [[2, "a: 2\n"]]);
          // A write the listener cannot hear (no notification): the poll finds it.
          await writer`UPDATE sp_config SET text = 'a: 3', version = 3 WHERE id = 1`;
          applied = new Promise<void>((resolve) => next = resolve);
          await within(applied, 7000, "applying version 3 by the poll");
          assertEquals(seen.map((r) => r.version), [2, 3]);
          ctrl.abort();
          await within(watching, 5000, "stopping");
        } finally {
          ctrl.abort();
          await Promise.all([writer.end(), reader.end()]);
        }
      },
    );

    await t.step(
      "watchConfigDoc() reports an outage once and picks up the change after it",
      async () => {
        const url = await freshDb();
        const writer = connect(url);
        const reader = connect(url);
        const ctrl = new AbortController();
        const errors: string[] = [];
        try {
          const doc = createConfigDoc(writer, { node: "a-1" });
          await doc.write("a: 1\n", undefined);
          const versions: number[] = [];
          let next: () => void = () => {};
          const watching = watchConfigDoc(createConfigDoc(reader, { node: "b-1" }), {
            signal: ctrl.signal,
            initialVersion: 1,
            pollMs: 200,
            onChange: (r) => {
              versions.push(r.version);
              next();
            },
            onError: (e) => errors.push(e.message),
          });
          await new Promise((r) => setTimeout(r, 400));
          await pg.restart({
            whileDown: () => new Promise((r) => setTimeout(r, 1500)),
          });
          const applied = new Promise<void>((resolve) => next = resolve);
          const w2 = connect(url);
          await createConfigDoc(w2, { node: "a-1" }).write("a: 2\n", 1);
          await w2.end();
          await within(applied, 5000, "applying the write made after the restart");
          assertEquals(versions, [2]);
          assert(errors.length >= 1 && errors.length <= 3, JSON.stringify(errors));
          ctrl.abort();
          await within(watching, 5000, "stopping");
        } finally {
          ctrl.abort();
          await Promise.all([writer.end(), reader.end()]);
        }
      },
    );

    await t.step(
      "loadFleetConfig() imports the first node's shared part, then keeps it",
      async () => {
        const sql = connect(await freshDb());
        try {
          const doc = createConfigDoc(sql, { node: "a-1" });
          const first = await loadFleetConfig(doc, FILE);
          assertEquals(first.imported, true);
          assertEquals(first.version, 1);
          assertEquals(first.ignored, []);
          assert(!first.sharedText.includes("database"), first.sharedText);
          assertEquals(parseConfig(first.text).streams.map((s) => s.name), ["Gate"]);
          const other = "database: postgres://sp@db/sp\nnode: {name: b-1}\nstreams: []\n";
          const second = await loadFleetConfig(doc, other);
          assertEquals(second.imported, false);
          assertEquals(second.ignored, ["streams"]);
          const c = parseConfig(second.text);
          assertEquals([c.node.name, c.heartbeatSeconds], ["b-1", 12]);
          assertEquals(c.streams.map((s) => s.name), ["Gate"], "the database's streams");
        } finally {
          await sql.end();
        }
      },
    );

    await t.step("loadFleetConfig() imports nothing from a file with no shared keys", async () => {
      const sql = connect(await freshDb());
      try {
        const doc = createConfigDoc(sql, { node: "a-1" });
        const r = await loadFleetConfig(doc, "database: postgres://sp@db/sp\n");
        assertEquals([r.imported, r.version, r.sharedText], [false, undefined, ""]);
        assertEquals(parseConfig(r.text).streams, []);
        assertEquals(await doc.read(), undefined);
      } finally {
        await sql.end();
      }
    });

    await t.step(
      "watchFleetConfig() applies the merge when the file or the document changes",
      async () => {
        const sql = connect(await freshDb());
        const dir = await Deno.makeTempDir();
        const ctrl = new AbortController();
        try {
          const path = `${dir}/config.yaml`;
          await Deno.writeTextFile(path, FILE);
          const doc = createConfigDoc(sql, { node: "a-1" });
          const initial = await loadFleetConfig(doc, FILE);
          const applied: string[] = [];
          let next: () => void = () => {};
          const watching = watchFleetConfig(doc, {
            signal: ctrl.signal,
            path,
            initial,
            fileText: FILE,
            apply: (text) => {
              applied.push(text);
              next();
            },
            onFileError: (e) => applied.push(`file: ${e.message}`),
            onDocError: (e) => applied.push(`doc: ${e.message}`),
          });
          await new Promise((r) => setTimeout(r, 500));
          let got = new Promise<void>((resolve) => next = resolve);
          await doc.write(initial.sharedText.replace("12", "13"), initial.version);
          await within(got, 1000, "the document's change");
          let c = parseConfig(applied.at(-1)!);
          assertEquals([c.heartbeatSeconds, c.node.name], [13, "a-1"]);
          got = new Promise<void>((resolve) => next = resolve);
          await Deno.writeTextFile(path, FILE.replace("a-1", "a-2").replace("12", "99"));
          await within(got, 5000, "the file's change");
          c = parseConfig(applied.at(-1)!);
          assertEquals([c.heartbeatSeconds, c.node.name], [13, "a-2"], "only the file's node keys");
          ctrl.abort();
          await within(watching, 5000, "stopping");
          assertEquals(applied.length, 2, applied.join("\n"));
        } finally {
          ctrl.abort();
          await sql.end();
          await Deno.remove(dir, { recursive: true });
        }
      },
    );

    await t.step(
      "databaseConfigSource() edits the shared document with compare-and-set",
      async () => {
        const sql = connect(await freshDb());
        const dir = await Deno.makeTempDir();
        try {
          const path = `${dir}/config.yaml`;
          await Deno.writeTextFile(path, "database: postgres://sp@db/sp\napi: {port: 7001}\n");
          const doc = createConfigDoc(sql, { node: "a-1" });
          const source = databaseConfigSource(doc, { path });
          assertEquals(source.kind, "database");
          assertEquals(await source.read(), "");
          const one = await source.edit((d) => d.set("heartbeat_seconds", 30), "");
          assertEquals(one, "heartbeat_seconds: 30\n");
          assertEquals((await doc.read())?.version, 1);
          await assertRejects(
            () => source.edit((d) => d.set("heartbeat_seconds", 31), ""),
            ConfigConflictError,
          );
          const bad = await assertRejects(
            () => source.edit((d) => d.set("heartbeat_seconds", "x"), one),
            ConfigError,
          );
          assertEquals(bad.problems.map((p) => p.path), ["heartbeat_seconds"]);
          const local = await assertRejects(
            () => source.edit((d) => d.set("api", { port: 1 }), one),
            ConfigError,
          );
          assertEquals(local.problems.map((p) => p.path), ["api"]);
          await source.replace("heartbeat_seconds: 40\n# kept\n", one);
          assertEquals(await source.read(), "heartbeat_seconds: 40\n# kept\n");
          assertEquals(await doc.version(), 2);
          await assertRejects(() => source.replace("x: 1\n", one), ConfigConflictError);
          assertEquals(
            await Deno.readTextFile(path),
            "database: postgres://sp@db/sp\napi: {port: 7001}\n",
          );
        } finally {
          await sql.end();
          await Deno.remove(dir, { recursive: true });
        }
      },
    );
  } finally {
    await admin.end();
    await pg.stop();
  }
});
