import type { HybridEncoder, HybridVectors } from "@hybrid/embeddings";
import type { ModelPair } from "./encoder-pool.js";
import type { Metrics } from "./metrics.js";

export interface QueryEmbedderDeps {
  /** Runs `fn` with the encoder of `models` (the configured one, or `EncoderPool.use`). */
  withEncoder: <T>(models: ModelPair, fn: (encoder: HybridEncoder) => Promise<T>) => Promise<T>;
  /** Whether the encoders keep a query cache (EMBED_CACHE_SIZE > 0); lookups are counted only then. */
  cacheOn: boolean;
  metrics: Metrics;
}

export interface EmbeddedQuery {
  vectors: HybridVectors;
  cached: boolean;
  ms: number;
}

export interface QueryEmbedder {
  embed(text: string, models: ModelPair): Promise<EmbeddedQuery>;
}

/**
 * A query's vectors from the encoder of its models, through that encoder's own query cache (each encoder is created
 * with `queryCacheSize: EMBED_CACHE_SIZE`, so the cache is keyed by the model pair and the exact trimmed text), with
 * hits, misses and embedding time on `/metrics`.
 */
export function createQueryEmbedder({ withEncoder, cacheOn, metrics }: QueryEmbedderDeps): QueryEmbedder {
  return {
    async embed(text, models) {
      const started = performance.now();
      let cached = false;
      const vectors = await withEncoder(models, (encoder) => {
        const lookup = encoder.lookupQuery(text);
        cached = lookup.cached;
        return lookup.vectors;
      });
      const ms = performance.now() - started;
      if (cacheOn) metrics.recordCacheLookup(cached);
      metrics.embedDuration.observe({ cache: cached ? "hit" : "miss" }, ms / 1000);
      return { vectors, cached, ms };
    },
  };
}
