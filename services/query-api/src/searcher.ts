import { AppError, isAppError } from "@hybrid/service-kit";
import {
  buildPrefetchListBodies,
  buildQueryBody,
  type CollectionModels,
  cloudModelName,
  type QdrantConnection,
  type QueryVectors,
  queryPoints,
  type ScoredPoint,
  STORE_BM25_MODEL,
} from "@hybrid/store";
import { type CollectionModelsLookup, checkDenseDimension } from "./collection-models.js";
import type { ModelPair } from "./encoder-pool.js";
import { explainHits } from "./explain-response.js";
import type { Metrics } from "./metrics.js";
import { orderHits } from "./order-hits.js";
import type { EmbeddedQuery, QueryEmbedder } from "./query-embedder.js";
import type { BatchResponse, SearchRequest, SearchResponse } from "./search-schemas.js";
import { toUpstreamError } from "./upstream-error.js";

export interface SearcherDeps {
  /** Where the query calls go. */
  qdrant: QdrantConnection;
  embedder: QueryEmbedder;
  metrics: Metrics;
  /** Collection searched when a request names none. */
  defaultCollection: string;
  /** The configured models (throws a 503 AppError while they load); used for collections that record none. */
  configuredModels: () => ModelPair;
  /** The models a collection records (see `createCollectionModels`); none = always the configured models. */
  collectionModels?: CollectionModelsLookup;
}

export interface Searcher {
  search(request: SearchRequest): Promise<SearchResponse>;
  searchBatch(requests: SearchRequest[]): Promise<BatchResponse>;
}

/**
 * Embeds the query with the models the collection was built with (its metadata; the configured models when it records
 * none), makes one Qdrant `query` call, answers hits in a deterministic order with timings.
 */
export function createSearcher({
  qdrant,
  embedder,
  metrics,
  defaultCollection,
  configuredModels,
  collectionModels,
}: SearcherDeps): Searcher {
  /**
   * The query's vectors as the collection's inference mode wants them: `server` sends the text as two documents and
   * needs no model here; `mixed` computes dense and sends BM25 as a `qdrant/bm25` document; `client` computes both.
   */
  async function vectorsFor(
    request: SearchRequest,
    collection: string,
  ): Promise<{ vectors: QueryVectors; cached: boolean; ms: number }> {
    const recorded = collectionModels ? await collectionModels(collection) : null;
    const inference = recorded?.inference ?? "client";
    const bm25 = { text: request.query, model: STORE_BM25_MODEL };
    if (recorded && inference === "server") {
      return {
        vectors: { dense: { text: request.query, model: cloudModelName(recorded.dense) }, sparse: bm25 },
        cached: false,
        ms: 0,
      };
    }
    const embedded = await embed(request, collection, recorded);
    if (inference === "mixed")
      return { ...embedded, vectors: { dense: embedded.vectors.dense, sparse: bm25 } };
    return embedded;
  }

  async function embed(request: SearchRequest, collection: string, recorded: CollectionModels | null) {
    // Throws 503 while the configured models load: readiness, and every search, waits for them.
    const configured = configuredModels();
    if (!recorded) return embedder.embed(request.query, configured);
    let embedded: EmbeddedQuery;
    try {
      embedded = await embedder.embed(request.query, recorded);
    } catch (error) {
      throw forCollection(error, collection);
    }
    checkDenseDimension(collection, recorded, embedded.vectors.dense.length);
    return embedded;
  }

  async function search(request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const collection = request.collection ?? defaultCollection;
    const { vectors, cached, ms: embedMs } = await vectorsFor(request, collection);
    const body = buildQueryBody(request, vectors);
    const searchStarted = performance.now();
    // With `explain`, the two prefetch lists as queries of their own, alongside the fused query.
    const listBodies = request.explain ? buildPrefetchListBodies(request, vectors) : undefined;
    let points: ScoredPoint[];
    let lists: { dense: ScoredPoint[]; sparse: ScoredPoint[] } | undefined;
    try {
      const [fused, dense, sparse] = await Promise.all([
        queryPoints(qdrant, collection, body),
        listBodies && queryPoints(qdrant, collection, listBodies.dense),
        listBodies && queryPoints(qdrant, collection, listBodies.sparse),
      ]);
      points = fused;
      if (dense && sparse) lists = { dense, sparse };
    } catch (error) {
      metrics.searchDuration.observe(
        { mode: request.mode, outcome: "error" },
        (performance.now() - searchStarted) / 1000,
      );
      throw toUpstreamError(error, collection);
    }
    const searchMs = performance.now() - searchStarted;
    metrics.searchDuration.observe({ mode: request.mode, outcome: "ok" }, searchMs / 1000);
    const ordered = orderHits(points, request.withPayload !== false);
    const { hits, explain } = lists
      ? explainHits(request, ordered, lists)
      : { hits: ordered, explain: undefined };
    const totalMs = performance.now() - started;
    return {
      collection,
      mode: request.mode,
      hits,
      ...(explain ? { explain } : {}),
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

/** A model pair that cannot be loaded (`EncoderPool`), said of the collection that records it. */
function forCollection(error: unknown, collection: string): unknown {
  if (!isAppError(error)) return error;
  const details = error.details as { models?: ModelPair } | undefined;
  if (!details?.models) return error;
  return new AppError(
    error.code,
    `collection "${collection}" was built with models this service ${error.message}`,
    {
      cause: error,
      retryable: error.retryable,
      details: { field: "collection", models: details.models },
    },
  );
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
