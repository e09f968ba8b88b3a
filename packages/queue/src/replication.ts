import type { RedisClient as BullMQClient } from "bullmq";
import { Cluster, Redis } from "ioredis";
import type { RedisClient } from "./connection.js";

/**
 * Redis `WAIT`: resolves with how many replicas hold every write `client` has sent so far (at least `replicas`, or
 * fewer once `timeoutMs` has passed). Redis replicates asynchronously, so a write a master acknowledged can still be
 * lost when that master fails before its replicas have it; a write `WAIT` confirmed is on a replica, which failover
 * promotes (Sentinel and Cluster prefer the replica furthest along). `WAIT` counts the writes of its own connection,
 * so it must go through the client that wrote (a BullMQ queue's `client` fits); on a cluster it goes to the master serving `key`'s slot (every key
 * of a deployment shares one slot through the prefix's hash tag). `replicas` 0 asks nothing and resolves 0.
 */
export async function waitForReplicas(
  client: RedisClient | BullMQClient,
  key: string,
  replicas: number,
  timeoutMs: number,
): Promise<number> {
  if (replicas <= 0) return 0;
  if (!(client instanceof Cluster || client instanceof Redis)) throw new TypeError("not an ioredis client");
  const node = client instanceof Cluster ? await slotMaster(client, key) : client;
  const acknowledged = await node.call("WAIT", String(replicas), String(timeoutMs));
  return typeof acknowledged === "number" ? acknowledged : 0;
}

/** The connection of `cluster`'s pool to the master serving `key`'s slot: the one its writes to that slot used. */
async function slotMaster(cluster: Cluster, key: string) {
  const slot = await cluster.cluster("KEYSLOT", key);
  const [master] = cluster.slots[slot] ?? [];
  const node = cluster.nodes("master").find((n) => `${n.options.host}:${n.options.port}` === master);
  if (!node) throw new Error(`no known master serves slot ${slot} (the cluster is failing over)`);
  return node;
}
