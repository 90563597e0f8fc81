/** The public face of web/routes/: what code outside the folder may import. */

export { alertsRoutes } from "./alerts.tsx";
export { exportRoutes } from "./export.tsx";
export { gridRoutes } from "./grid.tsx";
export { importRoutes } from "./import.tsx";
export { incidentsRoutes } from "./incidents.tsx";
export { authRoutes } from "./login.ts";
export { publicRoutes } from "./public.tsx";
export { settingsRoutes } from "./settings.tsx";
export { streamRoutes } from "./streams.tsx";
export { editorRoutes } from "./streams_edit.tsx";
export { usersRoutes } from "./users.tsx";
