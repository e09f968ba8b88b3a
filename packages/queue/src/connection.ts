import type { ConnectionOptions } from "bullmq";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { parseRedisUrl, type RedisTopology } from "./redis-topology.js";

/** A command connection: one server (or the master Sentinel names) or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * ioredis' `reconnectOnError`: replies meaning "not this server, or not yet" reconnect (through the sentinels or the
 * cluster's slot map, to whichever server is the master now) and resend the command, which Redis did not run:
 * READONLY (a demoted master), LOADING (a server still loading its data), NOREPLICAS (a master with no replica in
 * sync, refusing writes under `min-replicas-to-write`). Left as errors, they make BullMQ's worker loop retry at once,
 * thousands of times a second, until the failover is over.
 */
export function retryOnFailoverReply(error: Error): 2 | false {
  return /^(READONLY|LOADING|NOREPLICAS)\b/.test(error.message) ? 2 : false;
}

// What every connection needs, on every topology: a blocking worker connection waits out a failover or restart
// instead of throwing (`maxRetriesPerRequest: null`), no ready check delay, and failover replies resent.
const FOR_BULLMQ = {
  maxRetriesPerRequest: null,
  enableReadyCheck: false,
  reconnectOnError: retryOnFailoverReply,
} as const;

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
    // Keep retrying while the cluster elects a new master (CLUSTERDOWN, MOVED, connection refused): each retry counts
    // as a redirection, so the budget (about 30 s) must outlast a failover, cluster-node-timeout (15 s by default) and
    // the election included; ioredis' default 16 x 100 ms gave up within seconds ("Too many Cluster redirections").
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    maxRedirections: 100,
    slotsRefreshInterval: 2000,
    // No ready check: while a failover leaves the cluster down it fails, and ioredis then reconnects without ever
    // settling the connect() it was answering. BullMQ awaits that connect() when it renews a worker's blocking
    // connection, and a worker was seen waiting on it for good after a failover slower than its block timeout.
    // Commands sent while the cluster is down are retried (retryDelayOnClusterDown) instead.
    enableReadyCheck: false,
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
    return {
      ...topology.node,
      db: topology.db,
      ...credentialsOf(topology),
      ...FOR_BULLMQ,
    };
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
