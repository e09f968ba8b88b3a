import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";
import { ProducerEnv } from "./producer-config.js";
import { QueryEnv } from "./query-config.js";
import { WorkerEnv } from "./worker-config.js";

describe("loadConfig", () => {
  it("gives every service working defaults from an empty environment", () => {
    expect(loadConfig(ProducerEnv, {}).http.port).toBe(8001);
    expect(loadConfig(QueryEnv, {}).http.port).toBe(8000);
    expect(loadConfig(WorkerEnv, {}).worker.concurrency).toBe(1);
  });

  it("takes the query API's PRODUCER_URL as an http(s) URL, empty or absent meaning none", () => {
    expect(loadConfig(QueryEnv, {}).producerUrl).toBeUndefined();
    expect(loadConfig(QueryEnv, { PRODUCER_URL: "" }).producerUrl).toBeUndefined();
    expect(loadConfig(QueryEnv, { PRODUCER_URL: "http://producer:8001" }).producerUrl).toBe(
      "http://producer:8001",
    );
    expect(() => loadConfig(QueryEnv, { PRODUCER_URL: "ftp://producer" })).toThrow(/PRODUCER_URL/);
  });

  it("names the variable and what is wrong in one line", () => {
    const error = catchError(() => loadConfig(QueryEnv, { PORT: "eighty", REDIS_URL: "localhost" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).not.toContain("\n");
    expect(error.message).toMatch(/PORT \("eighty"\)/);
  });

  it("hides secret values in the message", () => {
    const error = catchError(() =>
      loadConfig(WorkerEnv, { QDRANT_API_KEY: "s3cret", WORKER_CONCURRENCY: "0" }),
    );
    expect(error.message).toMatch(/WORKER_CONCURRENCY/);
    expect(error.message).not.toContain("s3cret");
  });

  it("bounds the query API's extra model pairs (QUERY_MAX_MODELS, default 3, at least 1)", () => {
    expect(loadConfig(QueryEnv, {}).search.maxModels).toBe(3);
    expect(loadConfig(QueryEnv, { QUERY_MAX_MODELS: "5" }).search.maxModels).toBe(5);
    expect(catchError(() => loadConfig(QueryEnv, { QUERY_MAX_MODELS: "0" })).message).toMatch(
      /QUERY_MAX_MODELS \("0"\)/,
    );
  });

  it("reads INFERENCE (client by default) and refuses a store-side BM25 with another sparse model", () => {
    expect(loadConfig(WorkerEnv, {}).models.inference).toBe("client");
    expect(loadConfig(QueryEnv, { INFERENCE: "mixed" }).models.inference).toBe("mixed");
    expect(loadConfig(ProducerEnv, { INFERENCE: "server" }).models.inference).toBe("server");
    const error = catchError(() =>
      loadConfig(WorkerEnv, { INFERENCE: "mixed", SPARSE_MODEL: "prithivida/Splade_PP_en_v1" }),
    );
    expect(error.message).toMatch(/INFERENCE.*computes only Qdrant\/bm25/);
    expect(catchError(() => loadConfig(WorkerEnv, { INFERENCE: "cloud" })).message).toMatch(
      /INFERENCE \("cloud"\)/,
    );
  });

  it("parses booleans and lists from strings", () => {
    const config = loadConfig(ProducerEnv, { LOG_PRETTY: "false", API_KEYS: "a, b,," });
    expect(config.log.pretty).toBe(false);
    expect(config.http.apiKeys).toEqual(["a", "b"]);
  });

  it("bounds a stalled source read: 60 s by default, SOURCE_IDLE_TIMEOUT_MS overrides, nonsense is refused", () => {
    expect(loadConfig(ProducerEnv, {}).ingest.sourceIdleTimeoutMs).toBe(60_000);
    expect(loadConfig(ProducerEnv, { SOURCE_IDLE_TIMEOUT_MS: "500" }).ingest.sourceIdleTimeoutMs).toBe(500);
    expect(catchError(() => loadConfig(ProducerEnv, { SOURCE_IDLE_TIMEOUT_MS: "0" })).message).toMatch(
      /SOURCE_IDLE_TIMEOUT_MS/,
    );
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("Redis topology settings", () => {
  it("accepts Sentinel and Cluster URLs and hash-tags the key prefix on a cluster only", () => {
    const sentinel = loadConfig(WorkerEnv, { REDIS_URL: "redis+sentinel://s1:26379,s2:26379/mymaster" });
    expect(sentinel.redis).toEqual({ url: "redis+sentinel://s1:26379,s2:26379/mymaster", prefix: "hybrid" });
    const cluster = loadConfig(ProducerEnv, {
      REDIS_URL: "redis+cluster://n1:7000,n2:7001",
      QUEUE_PREFIX: "prod",
    });
    expect(cluster.redis.prefix).toBe("{prod}");
    expect(loadConfig(WorkerEnv, { REDIS_URL: "rediss+cluster://n1:7000" }).redis.prefix).toBe("{hybrid}");
  });

  it("has the producer wait for one replica behind Sentinel or a cluster, none on one server, unless told", () => {
    const replicas = (env: Record<string, string>) => loadConfig(ProducerEnv, env).redis.replication.replicas;
    expect(replicas({ REDIS_URL: "redis+sentinel://s1:26379/mymaster" })).toBe(1);
    expect(replicas({ REDIS_URL: "rediss+cluster://n1:7000" })).toBe(1);
    expect(replicas({ REDIS_URL: "redis://127.0.0.1:6379" })).toBe(0);
    expect(replicas({ REDIS_URL: "redis+cluster://n1:7000", REDIS_WAIT_REPLICAS: "0" })).toBe(0);
    expect(replicas({ REDIS_URL: "redis://r:6379", REDIS_WAIT_REPLICAS: "2" })).toBe(2);
    expect(loadConfig(ProducerEnv, {}).redis.replication.timeoutMs).toBe(5000);
  });

  it("names the accepted schemes when the URL has another", () => {
    const error = catchError(() => loadConfig(WorkerEnv, { REDIS_URL: "sentinel://s1:26379/mymaster" }));
    expect(error.message).toMatch(/REDIS_URL.*redis\+sentinel:\/\/.*redis\+cluster:\/\//);
  });
});

describe("Qdrant cluster settings", () => {
  it("lay out new collections and set write ordering and read consistency", () => {
    const env = {
      QDRANT_SHARDS: "6",
      QDRANT_REPLICATION_FACTOR: "2",
      QDRANT_WRITE_CONSISTENCY_FACTOR: "2",
      QDRANT_ON_DISK_VECTORS: "true",
      QDRANT_QUANTIZATION: "int8",
      QDRANT_WRITE_ORDERING: "medium",
      QDRANT_READ_CONSISTENCY: "majority",
    };
    expect(loadConfig(ProducerEnv, env).qdrant).toMatchObject({
      layout: {
        shardNumber: 6,
        replicationFactor: 2,
        writeConsistencyFactor: 2,
        onDiskVectors: true,
        onDiskPayload: true,
        quantization: "int8",
      },
      writeOrdering: "medium",
      readConsistency: "majority",
    });
    expect(loadConfig(QueryEnv, { QDRANT_READ_CONSISTENCY: "2" }).qdrant.readConsistency).toBe(2);
    expect(loadConfig(WorkerEnv, {}).qdrant).toMatchObject({
      layout: { shardNumber: 1, replicationFactor: 1 },
      writeOrdering: "weak",
      readConsistency: undefined,
    });
  });

  it("refuses a write quorum larger than the replicas, and unknown orderings", () => {
    const error = catchError(() =>
      loadConfig(WorkerEnv, { QDRANT_REPLICATION_FACTOR: "2", QDRANT_WRITE_CONSISTENCY_FACTOR: "3" }),
    );
    expect(error.message).toMatch(/QDRANT_WRITE_CONSISTENCY_FACTOR.*at most QDRANT_REPLICATION_FACTOR \(2\)/);
    expect(catchError(() => loadConfig(WorkerEnv, { QDRANT_WRITE_ORDERING: "eventual" })).message).toMatch(
      /QDRANT_WRITE_ORDERING/,
    );
  });
});
