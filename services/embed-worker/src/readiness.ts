import type { RedisClient } from "@hybrid/queue";
import type { ReadinessCheck } from "@hybrid/service-kit";
import type { QdrantClient } from "@hybrid/store";

export interface ReadinessDeps {
  redis: RedisClient;
  qdrant: QdrantClient;
  /** True once the models are loaded. */
  modelsLoaded: () => boolean;
}

/** `/readyz` checks: Redis answers PING, Qdrant answers its root endpoint, models loaded. */
export function readinessChecks({ redis, qdrant, modelsLoaded }: ReadinessDeps): ReadinessCheck[] {
  return [
    { name: "redis", check: () => redis.ping() },
    { name: "qdrant", check: () => qdrant.versionInfo() },
    {
      name: "models",
      check: async () => {
        if (!modelsLoaded()) throw new Error("models still loading");
      },
    },
  ];
}
