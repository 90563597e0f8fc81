/** The database URL is a credential: what of it may be shown, and scrubbing it from messages. */

/**
 * `postgres://host:port/db` of a connection URL: no user, password or query (where `password=`
 * or `sslkey=` may sit); the port defaults to 5432. A URL that does not parse shows as
 * `postgres://(unparsable URL)`, never as itself.
 */
export function pgDisplayUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "postgres://(unparsable URL)";
  }
  const scheme = u.protocol === "postgresql:" ? "postgresql:" : "postgres:";
  const host = u.hostname || "localhost";
  return `${scheme}//${host}:${u.port || "5432"}${u.pathname}`;
}

/**
 * A function that replaces the URL's password (as written and percent-decoded) and the URL
 * itself with `***` in a message, for errors and log lines that might quote them.
 */
export function pgRedactor(url: string): (text: string) => string {
  const secrets = new Set<string>([url]);
  try {
    const u = new URL(url);
    if (u.password) {
      secrets.add(u.password);
      try {
        secrets.add(decodeURIComponent(u.password));
      } catch {
        // a malformed escape: the raw form is covered
      }
    }
    const q = u.searchParams.get("password");
    if (q) secrets.add(q);
  } catch {
    // unparsable: only the whole URL is known
  }
  const list = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of list) out = out.replaceAll(s, "***");
    return out;
  };
}
