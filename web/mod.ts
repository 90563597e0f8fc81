/** The public face of web/: what code outside the folder may import. */

export { createWebApp } from "./app.ts";
export type { WebApp, WebAppDeps } from "./app.ts";
export { setAdminPassword } from "./auth.ts";
export { serveTask } from "./serve.ts";
export type { Address } from "./serve.ts";
