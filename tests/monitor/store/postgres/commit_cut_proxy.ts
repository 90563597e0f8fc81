/** A TCP proxy to PostgreSQL that can lose the answer to one COMMIT: the server committed, the client never hears it. */

/** A running proxy on 127.0.0.1. */
export interface CommitCutProxy {
  /** The port clients connect to. */
  port: number;
  /**
   * Arms the proxy: the next server message chunk holding a COMMIT's CommandComplete ("COMMIT\0")
   * is dropped and both sides of that connection are closed. Resolves once it happened.
   */
  cutNextCommit(): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const TAG = new TextEncoder().encode("COMMIT\0");

function holds(chunk: Uint8Array, tag: Uint8Array): boolean {
  outer: for (let i = 0; i + tag.length <= chunk.length; i++) {
    for (let j = 0; j < tag.length; j++) if (chunk[i + j] !== tag[j]) continue outer;
    return true;
  }
  return false;
}

/** Starts a proxy forwarding to 127.0.0.1:`target`. */
export function startCommitCutProxy(target: number): CommitCutProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  let armed: (() => void) | undefined;
  const closeAll = (a: Deno.Conn, b: Deno.Conn) => {
    for (const c of [a, b]) {
      try {
        c.close();
      } catch {
        // already closed
      }
      conns.delete(c);
    }
  };
  const pipe = async (from: Deno.Conn, to: Deno.Conn, watch: boolean) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        const chunk = buf.subarray(0, n);
        if (watch && armed && holds(chunk, TAG)) {
          const done = armed;
          armed = undefined;
          closeAll(from, to);
          done();
          return;
        }
        let off = 0;
        while (off < chunk.length) off += await to.write(chunk.subarray(off));
      }
    } catch {
      // a side closed
    }
    closeAll(from, to);
  };
  const serve = async () => {
    for await (const client of listener) {
      let server: Deno.Conn;
      try {
        server = await Deno.connect({ hostname: "127.0.0.1", port: target });
      } catch {
        client.close();
        continue;
      }
      conns.add(client);
      conns.add(server);
      void pipe(client, server, false);
      void pipe(server, client, true);
    }
  };
  const serving = serve().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    cutNextCommit: () => new Promise<void>((resolve) => armed = resolve),
    async close() {
      listener.close();
      for (const c of [...conns]) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      conns.clear();
      await serving;
    },
  };
}
