import { Cluster } from "ioredis";
import { describe, expect, it } from "vitest";
import { createRedis, queueConnection, redisOptions, retryOnFailoverReply } from "./connection.js";
import { parseRedisUrl } from "./redis-topology.js";

describe("parseRedisUrl", () => {
  it("reads one server, a Sentinel-managed master and a cluster", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6380/3")).toEqual({
      mode: "standalone",
      node: { host: "127.0.0.1", port: 6380 },
      db: 3,
      tls: false,
    });
    expect(parseRedisUrl("rediss+sentinel://:p%40ss@s1,s2:26380/mymaster/1?sentinelPassword=sp")).toEqual({
      mode: "sentinel",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26380 },
      ],
      masterName: "mymaster",
      db: 1,
      sentinelPassword: "sp",
      password: "p@ss",
      tls: true,
    });
    expect(parseRedisUrl("redis+cluster://user:pw@n1:7000,n2:7001,[::1]:7002")).toEqual({
      mode: "cluster",
      nodes: [
        { host: "n1", port: 7000 },
        { host: "n2", port: 7001 },
        { host: "::1", port: 7002 },
      ],
      username: "user",
      password: "pw",
      tls: false,
    });
  });

  it("says what is wrong, without echoing the password", () => {
    expect(() => parseRedisUrl("redis+sentinel://s1:26379")).toThrow(/master's name/);
    expect(() => parseRedisUrl("redis://a:1,b:2")).toThrow(/redis\+cluster:\/\//);
    expect(() => parseRedisUrl("redis+cluster://n1:7000/2")).toThrow(/only database 0/);
    expect(() => parseRedisUrl("redis://:secret@h:99999")).toThrow(/port out of range/);
    expect(() => parseRedisUrl("http://:secret@h")).toThrow(/:\*\*\*@/);
    expect(() => parseRedisUrl("http://:secret@h")).not.toThrow(/secret/);
  });
});

describe("connections per topology", () => {
  it("gives BullMQ Sentinel options that follow the master, and a Cluster client for a cluster", async () => {
    expect(redisOptions("redis+sentinel://s1:26379/mymaster")).toMatchObject({
      sentinels: [{ host: "s1", port: 26379 }],
      name: "mymaster",
      reconnectOnError: expect.any(Function),
      maxRetriesPerRequest: null,
    });
    expect(() => redisOptions("redis+cluster://n1:7000")).toThrow(/queueConnection/);
    expect(redisOptions("redis://r:6379").reconnectOnError).toBe(retryOnFailoverReply);
    const connection = queueConnection("redis+cluster://127.0.0.1:1");
    const client = createRedis("redis+cluster://127.0.0.1:1", { lazy: true });
    expect(connection).toBeInstanceOf(Cluster);
    expect(client).toBeInstanceOf(Cluster);
    // A failover must not leave a cluster client (or BullMQ's duplicate of it) waiting on a ready check.
    expect((client as Cluster).options).toMatchObject({ enableReadyCheck: false, maxRedirections: 100 });
    expect((client as Cluster).options.redisOptions).toMatchObject({
      maxRetriesPerRequest: null,
      reconnectOnError: retryOnFailoverReply,
    });
    client.disconnect();
    (connection as Cluster).disconnect();
  });
});

describe("retryOnFailoverReply", () => {
  it("reconnects and resends on the replies of a failover, and leaves other errors alone", () => {
    for (const reply of [
      "READONLY You can't write against a read only replica.",
      "LOADING Redis is loading the dataset in memory",
      "NOREPLICAS Not enough good replicas to write.",
    ])
      expect(retryOnFailoverReply(new Error(reply)), reply).toBe(2);
    expect(retryOnFailoverReply(new Error("ERR wrong number of arguments"))).toBe(false);
    expect(retryOnFailoverReply(new Error("WRONGTYPE Operation against a key"))).toBe(false);
  });
});
