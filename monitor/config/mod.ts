/** The public face of monitor/config/: what code outside the folder may import. */

export { DEFAULT_GROUP_SECONDS, parseAlertsConfig } from "./alerts.ts";
export type { AlertsParseOptions } from "./alerts.ts";
export { CHANNEL_TYPES } from "./alerts_types.ts";
export type {
  AlertRule,
  AlertsConfig,
  ChannelConfig,
  ChannelType,
  DiscordChannelConfig,
  EmailChannelConfig,
  GotifyChannelConfig,
  MaintenanceWindow,
  MatrixChannelConfig,
  NtfyChannelConfig,
  PushoverChannelConfig,
  SlackChannelConfig,
  StreamFilter,
  TeamsChannelConfig,
  TelegramChannelConfig,
  WebhookChannelConfig,
} from "./alerts_types.ts";
export { Checker } from "./check.ts";
export type { ConfigDoc, ConfigDocListener, ConfigDocRead } from "./doc.ts";
export { watchConfigDoc } from "./doc_watch.ts";
export type { WatchDocOptions } from "./doc_watch.ts";
export { ignoredKeysWarning, loadFleetConfig, watchFleetConfig } from "./fleet.ts";
export type { FleetConfigLoad, WatchFleetOptions } from "./fleet.ts";
export {
  ignoredFileKeys,
  mergeFleetConfig,
  NODE_LOCAL_KEYS,
  sharedPart,
  topLevelKeys,
} from "./fleet_doc.ts";
export { ConfigConflictError, editConfigFile, watchConfigFile, writeFileAtomic } from "./file.ts";
export { createConfigHolder } from "./holder.ts";
export type { ConfigState } from "./holder.ts";
export type { MqttConfig } from "./mqtt.ts";
export { defaultHostname, NODE_DEFAULTS } from "./node.ts";
export type { NodeConfig } from "./node.ts";
export { checkUrl, ConfigError, formatProblem, formatProblems, parseConfig } from "./parse.ts";
export type { Config, ConfigProblem, ParseOptions } from "./parse.ts";
export { MAX_CONFIG_BYTES, readConfigFile } from "./read.ts";
export type { ConfigRead } from "./read.ts";
export type { PreviewConfig } from "./web.ts";
export { configJsonSchemaText, configSchema } from "./schema.ts";
export { databaseConfigSource, fileConfigSource } from "./source.ts";
export type { ConfigSource, DatabaseSourceDeps } from "./source.ts";
export { suggestKey } from "./suggest.ts";
