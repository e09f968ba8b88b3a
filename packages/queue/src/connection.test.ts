import { describe, expect, it } from "vitest";
import { redisOptions } from "./connection.js";
import { batchJobOptions } from "./job-options.js";

describe("redisOptions", () => {
  it("reads host, port, credentials, database and TLS from the URL, ready for BullMQ workers", () => {
    expect(redisOptions("rediss://user:p%40ss@cache.internal:6380/2")).toMatchObject({
      host: "cache.internal",
      port: 6380,
      username: "user",
      password: "p@ss",
      db: 2,
      tls: {},
      maxRetriesPerRequest: null,
    });
    const plain = redisOptions("redis://127.0.0.1");
    expect(plain).toMatchObject({ host: "127.0.0.1", port: 6379, db: 0 });
    expect(plain).not.toHaveProperty("tls");
  });
});

describe("batchJobOptions", () => {
  it("retries with exponential backoff, never blocks the parent, and bounds what Redis keeps", () => {
    const options = batchJobOptions({ attempts: 3, backoffMs: 100 });
    expect(options).toMatchObject({
      attempts: 3,
      backoff: { type: "exponential", delay: 100 },
      ignoreDependencyOnFailure: true,
    });
    expect(options.removeOnComplete).toMatchObject({ count: expect.any(Number) });
    expect(options.removeOnFail).toMatchObject({ count: expect.any(Number) });
  });
});
