export {
  freePort,
  isListening,
  liveProcesses,
  repoRoot,
  type ServiceName,
  type WaitReadyOptions,
  waitReady,
} from "@hybrid/stack";
export { track } from "./cleanup.js";
export { alivePids, descendantPids } from "./process-tree.js";
export {
  type QdrantLocalProcess,
  type QdrantLocalProcessOptions,
  startQdrantLocalProcess,
} from "./qdrant-local.js";
export {
  cutReplication,
  type RedisClusterHandle,
  type RedisNodeProcess,
  replicaPorts,
  startRedisCluster,
} from "./redis-cluster.js";
export { type RedisSentinelHandle, startRedisSentinel } from "./redis-sentinel.js";
export { type RedisServer, type RedisServerOptions, startRedisServer } from "./redis-server.js";
export { type Restartable, startRestartable } from "./restartable.js";
export { type ServiceProcess, type StartServiceOptions, startService } from "./service.js";
export { makeTempDir } from "./temp-dir.js";
