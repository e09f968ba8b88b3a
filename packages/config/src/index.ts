export { csv, flag, httpUrl, logLevel, optionalSecret, port, positiveInt, redisUrl } from "./env-fields.js";
export { ConfigError, loadConfig, loadConfigOrExit } from "./load-config.js";
export { modelsOf, type ProducerConfig, ProducerEnv } from "./producer-config.js";
export { type QueryConfig, QueryEnv } from "./query-config.js";
export { checkInferenceModels, ModelEnv, SharedEnv } from "./shared-config.js";
export { type WorkerConfig, WorkerEnv } from "./worker-config.js";
