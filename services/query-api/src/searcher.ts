import { AppError, isAppError } from "@hybrid/service-kit";
import type { CollectionModels } from "@hybrid/store";
import { buildQueryBody } from "./build-query.js";
import type { Metrics } from "./metrics.js";
import type { ModelCheck } from "./model-check.js";
import { orderHits, type ScoredPoint } from "./order-hits.js";
import type { QueryEmbedder } from "./query-embedder.js";
import type { QueryTransport } from "./query-transport.js";
import type { BatchResponse, SearchRequest, SearchResponse } from "./search-schemas.js";
import { toUpstreamError } from "./upstream-error.js";

export interface SearcherDeps {
  /** Makes the Qdrant query call (`createPoolTransport` in production). */
  transport: QueryTransport;
  embedder: QueryEmbedder;
  metrics: Metrics;
  /** Collection searched when a request names none. */
  defaultCollection: string;
  /** Refuses collections built with other models than `models()` (see `createModelCheck`); none = no check. */
  modelCheck?: ModelCheck;
  /** The models the service embeds queries with (throws a 503 AppError while they load). */
  models?: () => CollectionModels;
}

export interface Searcher {
  search(request: SearchRequest): Promise<SearchResponse>;
  searchBatch(requests: SearchRequest[]): Promise<BatchResponse>;
}

/** Embeds the query, makes one Qdrant `query` call, answers hits in a deterministic order with timings. */
export function createSearcher({
  transport,
  embedder,
  metrics,
  defaultCollection,
  modelCheck,
  models,
}: SearcherDeps): Searcher {
  async function search(request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const collection = request.collection ?? defaultCollection;
    // `models()` first: it throws (503) while the models load, before any promise is left unobserved.
    const expected = models?.();
    const [{ vectors, cached, ms: embedMs }] = await Promise.all([
      embedder.embed(request.query),
      modelCheck && expected ? modelCheck(collection, expected) : undefined,
    ]);
    const body = buildQueryBody(request, vectors);
    const searchStarted = performance.now();
    let points: ScoredPoint[];
    try {
      ({ points } = await transport.query(collection, body));
    } catch (error) {
      metrics.searchDuration.observe(
        { mode: request.mode, outcome: "error" },
        (performance.now() - searchStarted) / 1000,
      );
      throw toUpstreamError(error, `search in "${collection}"`, collection);
    }
    const searchMs = performance.now() - searchStarted;
    metrics.searchDuration.observe({ mode: request.mode, outcome: "ok" }, searchMs / 1000);
    const hits = orderHits(points, request.withPayload !== false);
    const totalMs = performance.now() - started;
    return {
      collection,
      mode: request.mode,
      hits,
      cached,
      timings: { embedMs: round(embedMs), searchMs: round(searchMs), totalMs: round(totalMs) },
    };
  }

  return {
    search,
    async searchBatch(requests) {
      const started = performance.now();
      const results = await Promise.all(
        requests.map((request, index) =>
          search(request).catch((error) => Promise.reject(atIndex(error, index))),
        ),
      );
      return { results, timings: { totalMs: round(performance.now() - started) } };
    },
  };
}

/** A batch fails as a whole; the error says which search (`searches[2]: ...`) and keeps its code. */
function atIndex(error: unknown, index: number): unknown {
  if (!isAppError(error)) return error;
  const details = error.details as { field?: unknown } | undefined;
  const field = typeof details?.field === "string" ? `body.searches[${index}].${details.field}` : undefined;
  return new AppError(error.code, `searches[${index}]: ${error.message}`, {
    cause: error,
    retryable: error.retryable,
    details: field ? { ...details, field } : error.details,
  });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
