/** The public face of mqtt/: what code outside the folder may import. */

export { buildConnectOptions, closeClient, connectOnce } from "./connection.ts";
export { createMqttTask } from "./publisher.ts";
