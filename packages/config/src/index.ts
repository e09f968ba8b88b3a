export { CollectionName } from "./collection-name.js";
export {
  csv,
  flag,
  httpUrl,
  keyPrefix,
  logLevel,
  optionalSecret,
  port,
  positiveInt,
  redisUrl,
} from "./env-fields.js";
export { ConfigError, loadConfig, loadConfigOrExit } from "./load-config.js";
export { limitNesting, nestingDepth } from "./nesting-limit.js";
export { modelsOf, type ProducerConfig, ProducerEnv } from "./producer-config.js";
export { type QueryConfig, QueryEnv } from "./query-config.js";
export { decimalInt, onceOnly } from "./query-fields.js";
export { checkInferenceModels, ModelEnv, qdrantOf, SharedEnv } from "./shared-config.js";
export { type WorkerConfig, WorkerEnv } from "./worker-config.js";
