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
  configTrouble?: { message: string; problems: string[]; warning?: boolean };
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

/** Nav icon outlines (24×24 strokes), shown instead of the labels on a phone; others get a dot. */
const NAV_ICONS: Record<string, string> = {
  dashboard: "M4 6h16M4 12h16M4 18h16",
  grid: "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z",
  add: "M12 5v14M5 12h14",
  incidents: "M12 3l9 16H3zM12 10v4M12 16.5v.5",
  alerts: "M6 17v-6a6 6 0 0 1 12 0v6l2 2H4zM10 21h4",
  mqtt: "M5 19A14 14 0 0 1 19 5M5 19a8 8 0 0 1 8-8M5 19h.5",
  settings:
    "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM12 2v4M12 18v4M2 12h4M18 12h4M5 5l3 3M16 16l3 3M5 19l3-3M16 8l3-3",
  export: "M12 4v11M7 10l5 5 5-5M5 20h14",
  users:
    "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M16 3.5a4 4 0 0 1 0 7.5M22 21a7 7 0 0 0-4-6.3",
  signout: "M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10",
};

/** The icon of nav entry `name` (decorative: the label stays for screen readers). */
function NavIcon({ name }: { name: string }) {
  return (
    <svg class="nav-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path d={NAV_ICONS[name] ?? "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z"} />
    </svg>
  );
}

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
function ConfigTrouble(
  { message, problems, warning }: { message: string; problems: string[]; warning?: boolean },
) {
  return (
    <div
      class={warning ? "notice config-banner config-warnings" : "alert config-banner"}
      role={warning ? "status" : "alert"}
      id="config-trouble"
    >
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
                <a href={href} aria-current={ctx.active === key ? "page" : undefined} title={label}>
                  <NavIcon name={key} />
                  <span class="nav-label">{label}</span>
                </a>
              ))}
              <form method="post" action="/logout" class="inline">
                <Csrf token={ctx.csrf} />
                <button type="submit" class="link-button" title="Sign out">
                  <NavIcon name="signout" />
                  <span class="nav-label">Sign out</span>
                </button>
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
