import type { ConnectionOptions } from "bullmq";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { parseRedisUrl, type RedisTopology } from "./redis-topology.js";

/** A command connection: one server (or the master Sentinel names) or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

// What BullMQ needs of every connection: a blocking worker connection waits out a failover or restart instead
// of throwing (`maxRetriesPerRequest: null`), and no ready check delay.
const FOR_BULLMQ = { maxRetriesPerRequest: null, enableReadyCheck: false } as const;

/**
 * ioredis options for a `redis://`, `rediss://` or `redis+sentinel://` URL (see `RedisTopology`), ready for
 * BullMQ. A cluster has no single-server options: use `queueConnection` / `createRedis` for those URLs.
 */
export function redisOptions(url: string): RedisOptions {
  const topology = parseRedisUrl(url);
  if (topology.mode === "cluster")
    throw new RangeError(
      "redis+cluster:// URLs need a Cluster client: use queueConnection() or createRedis()",
    );
  return serverOptions(topology);
}

/** ioredis `Cluster` options for a `redis+cluster://` topology. */
export function clusterOptions(topology: Extract<RedisTopology, { mode: "cluster" }>): ClusterOptions {
  return {
    redisOptions: { ...credentialsOf(topology), ...FOR_BULLMQ },
    // Keep retrying while the cluster elects a new master (CLUSTERDOWN, MOVED, connection refused).
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    slotsRefreshInterval: 2000,
    enableReadyCheck: true,
  };
}

/**
 * The `connection` for BullMQ queues, workers and flow producers: options for one server or Sentinel (BullMQ
 * opens its own connections), a lazily connecting `Cluster` for a cluster (BullMQ cannot build one from options;
 * workers duplicate it for their blocking connection; quit it on shutdown with the others).
 */
export function queueConnection(url: string): ConnectionOptions {
  const topology = parseRedisUrl(url);
  if (topology.mode === "cluster")
    return new Cluster(topology.nodes, { ...clusterOptions(topology), lazyConnect: true });
  return serverOptions(topology);
}

/** Quits a `queueConnection` that is a client (a cluster's); BullMQ does not close connections it was given. */
export async function closeQueueConnection(connection: ConnectionOptions): Promise<void> {
  if (connection instanceof Cluster || connection instanceof Redis) await connection.quit();
}

/** A command connection for the progress counters and readiness checks. Call `quit()` when done. */
export function createRedis(url: string, options: { lazy?: boolean } = {}): RedisClient {
  const topology = parseRedisUrl(url);
  const lazyConnect = options.lazy ?? false;
  if (topology.mode === "cluster")
    return new Cluster(topology.nodes, { ...clusterOptions(topology), lazyConnect });
  return new Redis({ ...serverOptions(topology), lazyConnect });
}

function serverOptions(topology: Exclude<RedisTopology, { mode: "cluster" }>): RedisOptions {
  if (topology.mode === "standalone") {
    return { ...topology.node, db: topology.db, ...credentialsOf(topology), ...FOR_BULLMQ };
  }
  return {
    sentinels: topology.sentinels,
    name: topology.masterName,
    db: topology.db,
    ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
    ...credentialsOf(topology),
    ...(topology.tls ? { enableTLSForSentinelMode: true } : {}),
    // No failoverDetector: under load it was seen ending a client for good ("Connection is closed." from the Sentinel
    // connector); a killed master drops the connection anyway, and the reconnect asks the sentinels for the new one.
    // A connection still on a demoted master gets READONLY: reconnect (through the sentinels) and resend.
    reconnectOnError: (error: Error) => (error.message.startsWith("READONLY") ? 2 : false),
    ...FOR_BULLMQ,
  };
}

function credentialsOf(topology: RedisTopology): RedisOptions {
  return {
    ...(topology.username ? { username: topology.username } : {}),
    ...(topology.password ? { password: topology.password } : {}),
    ...(topology.tls ? { tls: {} } : {}),
  };
}
