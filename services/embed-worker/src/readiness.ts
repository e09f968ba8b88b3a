import type { RedisClient } from "@hybrid/queue";
import type { ReadinessCheck } from "@hybrid/service-kit";
import { pingQdrant, type QdrantConnection } from "@hybrid/store";

export interface ReadinessDeps {
  redis: RedisClient;
  qdrant: QdrantConnection;
  /** True once the models are loaded. */
  modelsLoaded: () => boolean;
}

/** `/readyz` checks: Redis answers PING, Qdrant answers its root endpoint, models loaded. */
export function readinessChecks({ redis, qdrant, modelsLoaded }: ReadinessDeps): ReadinessCheck[] {
  return [
    { name: "redis", check: () => redis.ping() },
    { name: "qdrant", check: () => pingQdrant(qdrant) },
    {
      name: "models",
      check: async () => {
        if (!modelsLoaded()) throw new Error("models still loading");
      },
    },
  ];
}
