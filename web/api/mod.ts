/** The public face of web/api/: what code outside the folder may import. */

export { createApiApp } from "./app.ts";
export type { ForwardedEnv } from "./app.ts";
