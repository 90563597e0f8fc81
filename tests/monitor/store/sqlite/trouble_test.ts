/** Tests of the store when the database is locked by another writer, full, or not writable. */

import { assert, assertEquals, assertStringIncludes, assertThrows } from "../../../assert.ts";
import { DatabaseSync } from "node:sqlite";
import { openSqliteStore } from "../../../../monitor/store/sqlite/mod.ts";
import type { CheckRecord } from "../../../../monitor/types.ts";

const T0 = Date.UTC(2025, 10, 1);

function check(ts: number): CheckRecord {
  return { ts, ok: false, state: "down", latencyMs: 1, message: "refused", details: {} };
}

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sp_trouble_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Resolves once `fn` is true, polling every 10 ms; throws after `ms`. */
async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True when this process may use chattr (root on a file system with attributes). */
async function canChattr(dir: string): Promise<string | undefined> {
  if (Deno.uid() !== 0) return "not root";
  const probe = `${dir}/.chattr`;
  await Deno.writeTextFile(probe, "");
  const out = await new Deno.Command("chattr", { args: ["+i", probe], stderr: "piped" }).output();
  await new Deno.Command("chattr", { args: ["-i", probe] }).output();
  await Deno.remove(probe);
  return out.success ? undefined : `chattr failed: ${new TextDecoder().decode(out.stderr).trim()}`;
}

const chattr = (flag: string, ...paths: string[]) =>
  new Deno.Command("chattr", { args: [flag, ...paths] }).output();

Deno.test("setMeta() keeps the value while another writer holds the lock, then writes it", () =>
  withDir(async (dir) => {
    const path = `${dir}/streams.db`;
    const store = openSqliteStore(path, { flushIntervalMs: 20, busyTimeoutMs: 50 });
    const other = new DatabaseSync(path);
    try {
      other.exec("BEGIN IMMEDIATE");
      store.setMeta("sessions", '{"a":1}'); // must not throw "database is locked"
      assertEquals(store.getMeta("sessions"), '{"a":1}');
      const h = store.health();
      assertStringIncludes(String(h.writeError), "locked");
      assertEquals(h.queued, 1);
      assert(h.oldestQueuedAgeMs !== null && h.oldestQueuedAgeMs >= 0, JSON.stringify(h));
      other.exec("COMMIT");
      await until(() => store.health().writeError === null, 10_000, "the retried write");
      assertEquals(store.health().queued, 0);
      const row = other.prepare("SELECT value FROM sp_meta WHERE key = 'sessions'").get();
      assertEquals(row?.value, '{"a":1}');
    } finally {
      other.close();
      store.close();
    }
  }));

Deno.test("health() reports a failing flush with its error, queue and oldest age", () =>
  withDir(async (dir) => {
    const path = `${dir}/streams.db`;
    let t = T0;
    const store = openSqliteStore(path, { flushIntervalMs: 20, busyTimeoutMs: 50, now: () => t });
    const other = new DatabaseSync(path);
    try {
      assertEquals([store.health().writeError, store.health().oldestQueuedAgeMs], [null, null]);
      store.ensureStream("cam"); // adding a stream writes at once; checks are what queue
      other.exec("BEGIN IMMEDIATE");
      store.recordCheck("cam", check(T0));
      await until(() => store.health().writeError !== null, 10_000, "a failed flush");
      t += 5000;
      const h = store.health();
      assertStringIncludes(String(h.writeError), "database is locked");
      assertEquals([h.queued, h.oldestQueuedAgeMs], [1, 5000]);
      other.exec("ROLLBACK");
      await until(() => store.health().queued === 0, 10_000, "the retried flush");
      assertEquals([store.health().writeError, store.health().oldestQueuedAgeMs], [null, null]);
    } finally {
      other.close();
      store.close();
    }
  }));

for (const suffix of ["-wal", "-shm", ""]) {
  Deno.test(`openSqliteStore() refuses an immutable "streams.db${suffix}" naming it`, () =>
    withDir(async (dir) => {
      const why = await canChattr(dir);
      if (why) return console.log(`skipped: ${why}`);
      const path = `${dir}/streams.db`;
      openSqliteStore(path).close();
      const file = `${path}${suffix}`;
      if (suffix) await Deno.writeFile(file, new Uint8Array(suffix === "-shm" ? 32768 : 0));
      await chattr("+i", file);
      try {
        const err = assertThrows(() => openSqliteStore(path), Error);
        console.log(`error: ${(err as Error).message}`);
        assertStringIncludes((err as Error).message, `"${file}" is not writable`);
      } finally {
        await chattr("-i", file);
      }
    }));
}

Deno.test("openSqliteStore() refuses a folder it cannot create files in, naming it", () =>
  withDir(async (dir) => {
    const why = await canChattr(dir);
    if (why) return console.log(`skipped: ${why}`);
    const sub = `${dir}/data`;
    await Deno.mkdir(sub);
    openSqliteStore(`${sub}/streams.db`).close();
    await chattr("+i", sub);
    try {
      const err = assertThrows(() => openSqliteStore(`${sub}/streams.db`), Error);
      assertStringIncludes((err as Error).message, `folder "${sub}" is not writable`);
    } finally {
      await chattr("-i", sub);
    }
  }));
