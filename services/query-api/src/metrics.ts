import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The service's Prometheus metrics, on a registry of its own (so tests can build several apps). */
export function createMetrics({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const embedDuration = new Histogram({
    name: "query_embed_duration_seconds",
    help: "Time to get a query's dense + sparse vectors, by cache outcome",
    labelNames: ["cache"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const searchDuration = new Histogram({
    name: "qdrant_query_duration_seconds",
    help: "Latency of the Qdrant query call, by mode and outcome",
    labelNames: ["mode", "outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: "query_embedding_cache_lookups_total",
    help: "Query-embedding cache lookups, by result (hit, miss)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const modelLoads = new Counter({
    name: "query_model_loads_total",
    help: "Loads of model pairs other than the configured one (collections built with other models), by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const modelEvictions = new Counter({
    name: "query_model_evictions_total",
    help: "Model pairs closed to stay within QUERY_MAX_MODELS (least recently used first)",
    registers: [registry],
  });
  let hits = 0;
  let misses = 0;
  new Gauge({
    name: "query_embedding_cache_hit_ratio",
    help: "Share of query-embedding lookups answered from the cache since start",
    registers: [registry],
    collect() {
      this.set(hits + misses === 0 ? 0 : hits / (hits + misses));
    },
  });

  return {
    registry,
    httpRequests,
    httpDuration,
    embedDuration,
    searchDuration,
    modelLoads,
    modelEvictions,
    recordCacheLookup(hit: boolean): void {
      if (hit) hits++;
      else misses++;
      cacheLookups.inc({ result: hit ? "hit" : "miss" });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
