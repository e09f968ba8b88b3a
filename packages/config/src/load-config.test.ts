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
