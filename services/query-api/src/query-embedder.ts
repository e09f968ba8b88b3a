import type { HybridVectors } from "@hybrid/embeddings";
import { keyOf, type ModelPair } from "./encoder-pool.js";
import type { Metrics } from "./metrics.js";

export interface QueryEmbedderDeps {
  /** Embeds one query with the encoder of `models` (`EncoderPool.use` in the app). */
  encode: (models: ModelPair, text: string) => Promise<HybridVectors>;
  /** Entries kept in the LRU (0 = no cache). */
  cacheSize: number;
  metrics: Metrics;
}

export interface EmbeddedQuery {
  vectors: HybridVectors;
  cached: boolean;
  ms: number;
}

export interface QueryEmbedder {
  embed(text: string, models: ModelPair): Promise<EmbeddedQuery>;
  /** Entries in the cache now. */
  size(): number;
}

/**
 * Query embeddings behind an LRU cache keyed by the model pair and the exact (trimmed) query text. The service keeps its own cache
 * rather than the encoder's so it can count hits and misses for `/metrics` and switch the cache off for benches.
 * Concurrent misses on one text share one encoder call.
 */
export function createQueryEmbedder({ encode, cacheSize, metrics }: QueryEmbedderDeps): QueryEmbedder {
  const cache = new Map<string, HybridVectors>();
  const pending = new Map<string, Promise<HybridVectors>>();

  async function compute(key: string, text: string, models: ModelPair): Promise<HybridVectors> {
    const running = pending.get(key);
    if (running) return running;
    const promise = encode(models, text);
    pending.set(key, promise);
    try {
      const vectors = await promise;
      remember(key, vectors);
      return vectors;
    } finally {
      pending.delete(key);
    }
  }

  function remember(key: string, vectors: HybridVectors): void {
    if (cacheSize === 0) return;
    cache.set(key, vectors);
    if (cache.size > cacheSize) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }

  return {
    async embed(text, models) {
      const started = performance.now();
      const key = `${keyOf(models)}\n${text}`;
      const hit = cache.get(key);
      if (hit) {
        // Re-insert so the entry becomes the most recently used.
        cache.delete(key);
        cache.set(key, hit);
      }
      const vectors = hit ?? (await compute(key, text, models));
      const ms = performance.now() - started;
      if (cacheSize > 0) metrics.recordCacheLookup(hit !== undefined);
      metrics.embedDuration.observe({ cache: hit ? "hit" : "miss" }, ms / 1000);
      return { vectors, cached: hit !== undefined, ms };
    },
    size: () => cache.size,
  };
}
