import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, spawnManaged } from "@hybrid/stack";
import { track } from "./cleanup.js";
import { echoLine } from "./echo.js";
import {
  command,
  REPLICATION_SAFETY,
  type RedisNodeProcess,
  waitForPing,
  waitForReplicasInSync,
  waitUntil,
} from "./redis-cluster.js";
import { makeTempDir } from "./temp-dir.js";

export interface RedisSentinelHandle {
  /** `redis+sentinel://` URL naming every sentinel and the master's name. */
  readonly url: string;
  readonly masterName: string;
  readonly sentinels: RedisNodeProcess[];
  /** Master first, then its replicas. */
  readonly servers: RedisNodeProcess[];
  /** Port of the master the sentinels name now. */
  currentMaster(): Promise<number | undefined>;
}

/**
 * A real Sentinel group on loopback: one master, `replicas` replicas and `sentinels` sentinels (`redis-server
 * <conf> --sentinel`) with a quorum of the majority, a 2 s down-after so a killed master is replaced in seconds.
 * Ready once the replicas are in sync and every sentinel knows the group.
 */
export async function startRedisSentinel(
  options: { replicas?: number; sentinels?: number } = {},
): Promise<RedisSentinelHandle> {
  const masterName = "e2e-master";
  const servers: RedisNodeProcess[] = [];
  const start = (name: string, args: string[], port: number) => {
    const process = spawnManaged({
      name: `${name}:${port}`,
      command: "redis-server",
      args,
      onLine: echoLine,
    });
    track({
      label: process.name,
      cleanup: async () => void (await process.kill()),
      logs: () => process.logs(),
    });
    return { port, process };
  };
  const masterPort = await freePort();
  for (let i = 0; i <= (options.replicas ?? 1); i++) {
    const port = i === 0 ? masterPort : await freePort();
    const dir = makeTempDir("e2e-redis-sentinel-data-");
    const base = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      // Every server: a replica promoted by Sentinel keeps the master's rules.
      ...REPLICATION_SAFETY,
    ];
    const replicaOf = i === 0 ? [] : ["--replicaof", "127.0.0.1", String(masterPort)];
    servers.push(start(i === 0 ? "redis-master" : "redis-replica", [...base, ...replicaOf], port));
  }
  for (const node of servers) await waitForPing(node.port);
  // Sentinels learn the replicas from the master's INFO, read at once and then every 10 s: start them once all are in.
  await waitForReplicasInSync(servers, servers.length - 1);
  const count = options.sentinels ?? 3;
  const sentinels: RedisNodeProcess[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const dir = makeTempDir("e2e-redis-sentinel-");
    // Sentinel rewrites its config file as it learns the group, so each gets its own writable one.
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} ${Math.floor(count / 2) + 1}`,
        // Two seconds: one was seen taking a busy new master for down and failing over again. It also bounds how
        // long replicas may have lost their master's link and still be promoted (ten times this).
        `sentinel down-after-milliseconds ${masterName} 2000`,
        `sentinel failover-timeout ${masterName} 5000`,
        "",
      ].join("\n"),
    );
    sentinels.push(start("redis-sentinel", [conf, "--sentinel"], port));
  }
  for (const node of sentinels) await waitForPing(node.port);
  const currentMaster = async () => {
    for (const sentinel of sentinels.filter((s) => !s.process.hasExited())) {
      const answer = await command(sentinel.port, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName]);
      if (Array.isArray(answer) && answer[1] !== undefined) return Number(answer[1]);
    }
    return undefined;
  };
  await waitUntil(async () => {
    for (const sentinel of sentinels) {
      const master = await command(sentinel.port, ["SENTINEL", "MASTER", masterName]);
      const fields = Array.isArray(master) ? master.map(String) : [];
      const field = (name: string) => Number(fields[fields.indexOf(name) + 1]);
      if (field("num-other-sentinels") !== count - 1 || field("num-slaves") !== servers.length - 1)
        return false;
    }
    return true;
  }, 30_000);
  return {
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(",")}/${masterName}`,
    masterName,
    sentinels,
    servers,
    currentMaster,
  };
}
