import { createLogger } from "@hybrid/logger";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import { createRedis, type RedisClient } from "@hybrid/queue";
import { createHttpApp, mountHealthRoutes } from "@hybrid/service-kit";
import { createQdrantConnection } from "@hybrid/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readinessChecks } from "./readiness.js";

/** `/readyz` of the worker through `app.request()`, with real Redis and the local mode (one of them closed on purpose). */
const logger = createLogger({ name: "readiness-test", level: "silent" });
let redis: RedisClient;
let local: QdrantLocal;

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  local = await startQdrantLocal({ port: 0 });
});

afterAll(async () => {
  redis?.disconnect();
  await local?.close();
});

function appWith(qdrantUrl: string, modelsLoaded: boolean) {
  const app = createHttpApp({ logger });
  const qdrant = createQdrantConnection({ url: qdrantUrl, timeoutMs: 1000 });
  mountHealthRoutes(app, readinessChecks({ redis, qdrant, modelsLoaded: () => modelsLoaded }));
  return app;
}

describe("worker readiness", () => {
  it("is ready when Redis and Qdrant answer and the models are loaded", async () => {
    const response = await appWith(local.url, true).request("/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ready",
      checks: { redis: "ok", qdrant: "ok", models: "ok" },
    });
  });

  it("names what is missing: models still loading, Qdrant unreachable", async () => {
    const closed = await startQdrantLocal({ port: 0 });
    await closed.close();
    const response = await appWith(closed.url, false).request("/readyz");
    expect(response.status).toBe(503);
    const body = (await response.json()) as { checks: Record<string, string> };
    expect(body.checks.redis).toBe("ok");
    expect(body.checks.models).toBe("models still loading");
    expect(body.checks.qdrant).not.toBe("ok");
    expect((await appWith(closed.url, false).request("/healthz")).status).toBe(200);
  });
});
