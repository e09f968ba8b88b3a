import type { HybridEncoder, HybridVectors } from "@hybrid/embeddings";
import type { Metrics } from "./metrics.js";

export interface QueryEmbedderDeps {
  /** The loaded encoder (throws a 503 AppError while models load). */
  encoder: () => HybridEncoder;
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
  embed(text: string): Promise<EmbeddedQuery>;
  /** Entries in the cache now. */
  size(): number;
}

/**
 * Query embeddings behind an LRU cache keyed by the exact (trimmed) query text. The service keeps its own cache
 * rather than the encoder's so it can count hits and misses for `/metrics` and switch the cache off for benches.
 * Concurrent misses on one text share one encoder call.
 */
export function createQueryEmbedder({ encoder, cacheSize, metrics }: QueryEmbedderDeps): QueryEmbedder {
  const cache = new Map<string, HybridVectors>();
  const pending = new Map<string, Promise<HybridVectors>>();

  async function compute(text: string): Promise<HybridVectors> {
    const running = pending.get(text);
    if (running) return running;
    const promise = encoder().encodeQuery(text);
    pending.set(text, promise);
    try {
      const vectors = await promise;
      remember(text, vectors);
      return vectors;
    } finally {
      pending.delete(text);
    }
  }

  function remember(text: string, vectors: HybridVectors): void {
    if (cacheSize === 0) return;
    cache.set(text, vectors);
    if (cache.size > cacheSize) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }

  return {
    async embed(text) {
      const started = performance.now();
      const hit = cache.get(text);
      if (hit) {
        // Re-insert so the entry becomes the most recently used.
        cache.delete(text);
        cache.set(text, hit);
      }
      const vectors = hit ?? (await compute(text));
      const ms = performance.now() - started;
      if (cacheSize > 0) metrics.recordCacheLookup(hit !== undefined);
      metrics.embedDuration.observe({ cache: hit ? "hit" : "miss" }, ms / 1000);
      return { vectors, cached: hit !== undefined, ms };
    },
    size: () => cache.size,
  };
}
