import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, type ManagedProcess, spawnManaged } from "@hybrid/stack";
import { Redis } from "ioredis";
import { track } from "./cleanup.js";
import { echoLine } from "./echo.js";
import { makeTempDir } from "./temp-dir.js";

const run = promisify(execFile);

/** One `redis-server` of a test's cluster or Sentinel group: its port and process. */
export interface RedisNodeProcess {
  port: number;
  process: ManagedProcess;
}

export interface RedisClusterHandle {
  /** `redis+cluster://` URL naming every node as a seed. */
  readonly url: string;
  readonly nodes: RedisNodeProcess[];
  /** The node now serving `key`'s slot as master. */
  masterOf(key: string): Promise<RedisNodeProcess>;
  /** Resolves once every live node reports `cluster_state:ok` and `key`'s slot has a master other than `port`. */
  waitForFailover(key: string, port: number, timeoutMs?: number): Promise<RedisNodeProcess>;
}

/**
 * A real Redis Cluster on loopback: `masters` masters with `replicas` replicas each, every node in its own directory,
 * joined by `redis-cli --cluster create`. A short node timeout so a killed master's replica takes over in seconds.
 * Masters take writes only while a replica is in sync (`REPLICATION_SAFETY`); ready once every replica is.
 */
export async function startRedisCluster(
  options: { masters?: number; replicas?: number } = {},
): Promise<RedisClusterHandle> {
  const count = (options.masters ?? 3) * (1 + (options.replicas ?? 1));
  const nodes: RedisNodeProcess[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    // The bus port defaults to port + 10000, which may be taken or past 65535: pick a free one too.
    const busPort = await freePort();
    const dir = makeTempDir("e2e-redis-cluster-");
    const process = spawnManaged({
      name: `redis-cluster:${port}`,
      command: "redis-server",
      args: [
        ...["--port", String(port), "--cluster-port", String(busPort), "--bind", "127.0.0.1"],
        ...["--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf")],
        ...["--cluster-node-timeout", "1000", "--dir", dir, "--appendonly", "yes", "--save", ""],
        // A replica whose master died while the machine was busy may look stale; let it take over all the same.
        ...["--cluster-replica-validity-factor", "0"],
        ...REPLICATION_SAFETY,
      ],
      onLine: echoLine,
    });
    track({
      label: process.name,
      cleanup: async () => void (await process.kill()),
      logs: () => process.logs(),
    });
    nodes.push({ port, process });
  }
  for (const node of nodes) await waitForPing(node.port);
  await run("redis-cli", [
    "--cluster",
    "create",
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    "--cluster-replicas",
    String(options.replicas ?? 1),
    "--cluster-yes",
  ]);
  await waitUntil(async () => {
    for (const node of nodes) if (!(await clusterOk(node.port))) return false;
    return true;
  }, 30_000);
  await waitForReplicasInSync(nodes, options.replicas ?? 1);

  const findMaster = async (key: string) => {
    for (const node of nodes.filter((n) => !n.process.hasExited())) {
      const port = await slotMaster(node.port, key);
      const master = nodes.find((n) => n.port === port);
      if (master) return master;
    }
    return undefined;
  };
  const masterOf = async (key: string) => {
    const master = await findMaster(key);
    if (!master) throw new Error(`no master serves the slot of ${key}`);
    return master;
  };
  return {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}`,
    nodes,
    masterOf,
    async waitForFailover(key, port, timeoutMs = 30_000) {
      await waitUntil(async () => {
        const live = nodes.filter((n) => !n.process.hasExited());
        for (const node of live) if (!(await clusterOk(node.port))) return false;
        const master = await findMaster(key);
        return master !== undefined && master.port !== port;
      }, timeoutMs);
      return masterOf(key);
    },
  };
}

/**
 * What the tests' masters run with, as a deployment should: a master refuses writes unless a replica has acknowledged
 * the stream within 10 s (so a master cut off from its replicas cannot take writes that a failover would drop), and
 * a new replica is synced at once instead of after the default 5 s wait for others to share the transfer.
 */
export const REPLICATION_SAFETY = [
  ...["--min-replicas-to-write", "1", "--min-replicas-max-lag", "10"],
  ...["--repl-diskless-sync-delay", "0"],
];

/**
 * Resolves once every master has `replicas` replicas online and every replica's link is up and not syncing: before
 * that, a killed master takes writes with it that no replica ever had (a replica promoted mid-sync holds nothing).
 */
export async function waitForReplicasInSync(
  nodes: RedisNodeProcess[],
  replicas: number,
  timeoutMs = 30_000,
): Promise<void> {
  await waitUntil(async () => {
    for (const node of nodes) {
      const info = await command(node.port, ["INFO", "replication"]);
      if (typeof info !== "string") return false;
      if (info.includes("role:master")) {
        if ((info.match(/^slave\d+:.*state=online/gm) ?? []).length !== replicas) return false;
      } else if (!info.includes("master_link_status:up") || !info.includes("master_sync_in_progress:0")) {
        return false;
      }
    }
    return true;
  }, timeoutMs);
}

/** Ports of the replicas `masterPort` streams to now (`INFO replication`). */
export async function replicaPorts(masterPort: number): Promise<number[]> {
  const info = await command(masterPort, ["INFO", "replication"]);
  if (typeof info !== "string") return [];
  return [...info.matchAll(/^slave\d+:.*port=(\d+)/gm)].map((m) => Number(m[1]));
}

/**
 * Has the master on `masterPort` take writes that none of its replicas gets, as it would just before it fails while
 * asynchronous replication lags: the master stops requiring a replica in sync, and its replicas drop the link and
 * cannot make it again (a wrong `masterauth`). Resolves with a function that lets the replicas connect again, to
 * whichever master they are then told to follow.
 */
export async function cutReplication(masterPort: number): Promise<() => Promise<void>> {
  const replicas = await replicaPorts(masterPort);
  if (replicas.length === 0) throw new Error(`no replica streams from ${masterPort}`);
  await command(masterPort, ["CONFIG", "SET", "min-replicas-to-write", "0"]);
  for (const port of replicas) {
    await command(port, ["CONFIG", "SET", "masterauth", "e2e-cut"]);
    await command(port, ["CLIENT", "KILL", "TYPE", "master"]);
  }
  return async () => {
    for (const port of replicas) await command(port, ["CONFIG", "SET", "masterauth", ""]);
  };
}

/** Resolves once `redis-cli -p port ping` answers PONG. */
export async function waitForPing(port: number, timeoutMs = 15_000): Promise<void> {
  await waitUntil(async () => (await command(port, ["PING"])) === "PONG", timeoutMs);
}

/** One command over a short-lived connection; undefined when the node does not answer. */
export async function command(port: number, args: string[]): Promise<unknown> {
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    const [name = "", ...rest] = args;
    return await redis.call(name, ...rest);
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

async function clusterOk(port: number): Promise<boolean> {
  const info = await command(port, ["CLUSTER", "INFO"]);
  return typeof info === "string" && info.includes("cluster_state:ok");
}

// CLUSTER NODES: "<id> <host:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges...>" per node.
async function slotMaster(port: number, key: string): Promise<number | undefined> {
  const slot = await command(port, ["CLUSTER", "KEYSLOT", key]);
  const nodes = await command(port, ["CLUSTER", "NODES"]);
  if (typeof slot !== "number" || typeof nodes !== "string") return undefined;
  for (const line of nodes.split("\n")) {
    const [, address = "", flags = "", , , , , , ...ranges] = line.split(" ");
    if (!flags.includes("master") || flags.includes("fail")) continue;
    for (const range of ranges) {
      const [from, to = from] = range.split("-").map(Number);
      if (from !== undefined && to !== undefined && slot >= from && slot <= to)
        return Number(address.split("@")[0]?.split(":")[1]);
    }
  }
  return undefined;
}
