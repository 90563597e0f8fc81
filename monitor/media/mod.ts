/** The public face of monitor/media/: what code outside the folder may import. */

export { sourceOf } from "./check.ts";
export { openInput } from "./input.ts";
export type { MediaInput } from "./input.ts";
export { createProcessPool } from "./process_pool.ts";
export type { PoolStats, ProcessPool, StreamingChild } from "./process_pool.ts";
export { createMediaTask } from "./task.ts";
export type { MediaHealth, MediaTask } from "./task.ts";
