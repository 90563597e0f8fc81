/** The public face of web/pages/: what code outside the folder may import. */

export { AlertsPage } from "./alerts.tsx";
export type { AlertsPageProps, Notice } from "./alerts.tsx";
export { ChannelFormPage, RuleFormPage, WindowFormPage } from "./alerts_forms.tsx";
export { BulkTagsPage } from "./bulk_tags.tsx";
export { DashboardPage } from "./dashboard.tsx";
export { DeletePage, EditorPage } from "./editor.tsx";
export { ExportPage } from "./export.tsx";
export { GridPage } from "./grid.tsx";
export { ImportDonePage, ImportFormPage, ImportPreviewPage } from "./import.tsx";
export { IncidentsPage } from "./incidents.tsx";
export { PublicStatusPage } from "./public_status.tsx";
export type { PublicGroupView } from "./public_status.tsx";
export { renderPage } from "./layout.tsx";
export type { PageContext } from "./layout.tsx";
export { LoginPage } from "./login.tsx";
export { MqttPage } from "./mqtt.tsx";
export { SettingsPage } from "./settings.tsx";
export { SetupPage } from "./setup.tsx";
export { StreamPage } from "./stream.tsx";
export type { StreamPageProps } from "./stream.tsx";
export { bandSegments } from "./stream_timeline.tsx";
export { UnknownStreamPage } from "./unknown.tsx";
export { UsersPage } from "./users.tsx";
