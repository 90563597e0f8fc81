/** The page shell (head, navigation, sign-out) and the island wrapper, rendered to a string. */

import type { ComponentChildren, FunctionComponent, VNode } from "preact";
import { renderToString } from "preact-render-to-string";

/** What every page needs from the app. */
export interface PageContext {
  title: string;
  scriptUrl: string;
  cssUrl: string;
  /** The CSRF token forms and islands send back. */
  csrf: string;
  signedIn: boolean;
  /** The nav entry to mark as current. */
  active?:
    | "dashboard"
    | "grid"
    | "add"
    | "alerts"
    | "mqtt"
    | "settings"
    | "export"
    | "incidents"
    | "users";
  /** The signed-in role: a viewer's pages hide the editing links and forms. */
  role?: "admin" | "viewer";
  /** Set while the store cannot write (see /api/health `db`); shown to signed-in users. */
  dbTrouble?: { writeError: string; queued: number };
  /** Set while config.yaml on disk is not in force (see /api/health `config`); every page shows it. */
  configTrouble?: { message: string; problems: string[] };
}

const NAV: Array<[NonNullable<PageContext["active"]>, string, string]> = [
  ["dashboard", "/", "Dashboard"],
  ["grid", "/grid", "Grid"],
  ["add", "/streams/new", "Add stream"],
  ["incidents", "/incidents", "Incidents"],
  ["alerts", "/alerts", "Alerts"],
  ["mqtt", "/mqtt", "MQTT"],
  ["settings", "/settings", "Settings"],
  ["export", "/export", "Export"],
  ["users", "/users", "Users"],
];
/** Nav entries a viewer does not get (their pages refuse viewers: web/guard.ts adminOnlyGet). */
const ADMIN_NAV = new Set(["add", "mqtt", "settings", "users"]);

/** Hidden CSRF field for server-rendered forms. */
export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/**
 * What a form page shows after a refused save: the file changed on disk meanwhile (nothing
 * written), and problems that belong to no single field.
 */
export function SaveNotices(
  { conflict, other, hint = "Check the values below and save again." }: {
    conflict?: boolean;
    other?: string[];
    hint?: string;
  },
) {
  return (
    <>
      {conflict && (
        <p class="alert" role="alert">
          config.yaml changed on disk since this form was loaded, so nothing was saved. {hint}
        </p>
      )}
      {(other?.length ?? 0) > 0 && (
        <ul class="problems" role="alert">{other!.map((m) => <li key={m}>{m}</li>)}</ul>
      )}
    </>
  );
}

/**
 * Server-renders an island inside `<div data-island data-props>`; the client bundle hydrates
 * it with the same props. Props travel as JSON in an attribute, which Preact escapes.
 * With `live`, the browser gets `clientProps` instead and renders the island from the event
 * stream's first snapshot, so big data (1,000 dashboard rows) is not sent twice.
 */
export function Island<P extends object>(
  { name, component, props, live }: {
    name: string;
    component: FunctionComponent<P>;
    props: P;
    live?: { clientProps: Partial<P> };
  },
) {
  const C = component as FunctionComponent<P>;
  return (
    <div
      class="island"
      data-island={name}
      data-props={JSON.stringify(live ? live.clientProps : props)}
      data-live={live ? "" : undefined}
    >
      <C {...props} />
    </div>
  );
}

/** The banner shown on every page while database writes fail. */
function DbTrouble({ writeError, queued }: { writeError: string; queued: number }) {
  return (
    <p class="alert" role="alert" id="db-trouble">
      The database is not accepting writes: {writeError}. {queued}{" "}
      results and settings are kept in memory and retried; see /api/health.
    </p>
  );
}

/** The banner shown on every page while config.yaml on disk is invalid (the last good one runs). */
function ConfigTrouble({ message, problems }: { message: string; problems: string[] }) {
  return (
    <div class="alert config-banner" role="alert" id="config-trouble">
      <p>{message}</p>
      {problems.length > 0 && <ul>{problems.map((m) => <li key={m}>{m}</li>)}</ul>}
    </div>
  );
}

function Layout({ ctx, children }: { ctx: PageContext; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={ctx.csrf} />
        <meta name="color-scheme" content="light dark" />
        <title>{`${ctx.title} · StreamPulse`}</title>
        <link rel="stylesheet" href={ctx.cssUrl} />
        <script type="module" src={ctx.scriptUrl} />
      </head>
      <body data-role={ctx.signedIn ? ctx.role ?? "admin" : undefined}>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/">StreamPulse</a>
          {ctx.signedIn && (
            <nav aria-label="Main">
              {NAV.filter(([key]) => ctx.role !== "viewer" || !ADMIN_NAV.has(key)).map((
                [key, href, label],
              ) => (
                <a href={href} aria-current={ctx.active === key ? "page" : undefined}>{label}</a>
              ))}
              <form method="post" action="/logout" class="inline">
                <Csrf token={ctx.csrf} />
                <button type="submit" class="link-button">Sign out</button>
              </form>
            </nav>
          )}
        </header>
        {ctx.signedIn && ctx.dbTrouble && <DbTrouble {...ctx.dbTrouble} />}
        {ctx.signedIn && ctx.configTrouble && <ConfigTrouble {...ctx.configTrouble} />}
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** Renders a whole HTML document. Every text goes through Preact, which escapes it. */
export function renderPage(ctx: PageContext, body: VNode): string {
  return "<!doctype html>" + renderToString(<Layout ctx={ctx}>{body}</Layout>);
}
