/** The public face of monitor/store/: what code outside the folder may import. */

export { createRetentionTask } from "./retention.ts";
