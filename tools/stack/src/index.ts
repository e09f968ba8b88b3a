export { writeBenchSection } from "./bench-readme.js";
export {
  DEMO_COLLECTION,
  DEMO_FILE,
  DEMO_QUERIES,
  type DemoOptions,
  DemoPlace,
  type DemoResult,
  readDemoPlaces,
  runDemo,
} from "./demo.js";
export { freePort, isListening } from "./free-port.js";
export {
  describeExit,
  type ExitInfo,
  killAllSync,
  liveProcesses,
  type ManagedProcess,
  type SpawnManagedOptions,
  spawnManaged,
} from "./managed-process.js";
export {
  QDRANT_LOCAL_ENTRY,
  type QdrantLocalProcessOptions,
  startQdrantLocalChild,
} from "./qdrant-local-process.js";
export { findOnPath, pingRedis, type RedisProcessOptions, startRedisProcess } from "./redis.js";
export { repoRoot } from "./repo-root.js";
export {
  HOW_TO_GET_REDIS,
  type RedisSource,
  type ResolvedRedis,
  type ResolveRedisOptions,
  resolveRedis,
} from "./resolve-redis.js";
export { type RunScriptOptions, runScript, type ScriptResult } from "./run-script.js";
export {
  portVariable,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceProcessOptions,
  serviceEntry,
  serviceExists,
  startServiceProcess,
} from "./service-process.js";
export { parseStackArgs, StackEnv } from "./stack-env.js";
export {
  type RunningStack,
  type StackChild,
  type StackOptions,
  type StackPorts,
  startStack,
} from "./start-stack.js";
export {
  DEFAULT_RESTART_POLICY,
  type RestartPolicy,
  type Supervised,
  type SuperviseOptions,
  supervise,
} from "./supervise.js";
export { type WaitReadyOptions, waitReady } from "./wait-ready.js";
