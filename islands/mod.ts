/** The public face of islands/: what code outside the folder may import. */

export { Badge } from "./Badge.tsx";
export { CameraGrid } from "./CameraGrid.tsx";
export type { CameraGridProps } from "./CameraGrid.tsx";
export { FormAssist } from "./FormAssist.tsx";
export { LiveBadge } from "./LiveBadge.tsx";
export { LiveTable } from "./LiveTable.tsx";
export type { LiveTableProps } from "./LiveTable.tsx";
export { Preview } from "./Preview.tsx";
export { StreamChart } from "./StreamChart.tsx";
export type { Series } from "./StreamChart.tsx";
export { stateSentence, StreamState } from "./StreamState.tsx";
export { ZoneButton } from "./ZoneButton.tsx";
export { formatDuration, formatLatency, formatRatio } from "./format.ts";
export type { Row } from "./types.ts";
