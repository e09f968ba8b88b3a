import { DENSE_VECTOR, SPARSE_VECTOR } from "./collection.js";
import type { InferenceDocument } from "./upsert-points.js";

type SparseVector = { indices: number[]; values: number[] };

/** Prefetch depth per vector when a hybrid search names none (at least `limit + offset`). */
export const DEFAULT_PREFETCH_LIMIT = 50;

/** How hybrid lists are fused: RRF (optionally with k and per-list weights) or DBSF. */
export type Fusion =
  | "rrf"
  | "dbsf"
  | { type: "rrf"; k?: number | undefined; weights?: { dense: number; sparse: number } | undefined }
  | { type: "dbsf" };

/** One search as the store runs it (the query API's validated request has these fields). */
export interface HybridQuery {
  mode: "hybrid" | "dense" | "sparse";
  limit: number;
  offset: number;
  fusion: Fusion;
  /** Candidates per vector before fusion; default max(DEFAULT_PREFETCH_LIMIT, limit + offset). */
  prefetchLimit?: number | undefined;
  /** A Qdrant filter, validated by the caller. */
  filter?: object | undefined;
  scoreThreshold?: number | undefined;
  withPayload: boolean | string[];
}

/** A query's two vectors, or documents for the store to embed (collections in `mixed` or `server` inference). */
export interface QueryVectors {
  dense: number[] | InferenceDocument;
  sparse: SparseVector | InferenceDocument;
}

/** The body of one `POST /collections/{name}/points/query`, as the client's `query()` takes it. */
export interface QueryBody {
  prefetch?: Array<{
    query: number[] | SparseVector | InferenceDocument;
    using: string;
    limit: number;
  }>;
  query: number[] | SparseVector | InferenceDocument | { fusion: "rrf" | "dbsf" } | { rrf: RrfParams };
  using?: string;
  filter?: object;
  score_threshold?: number;
  limit: number;
  offset: number;
  with_payload: boolean | string[];
  with_vector: false;
}

interface RrfParams {
  k?: number;
  weights?: number[];
}

/**
 * One Qdrant query for a search: in hybrid mode a dense and a sparse prefetch fused at the root (the filter at the root
 * applies to both prefetches); in dense or sparse mode a plain nearest search on that vector.
 */
export function buildQueryBody(request: HybridQuery, vectors: QueryVectors): QueryBody {
  const common = {
    limit: request.limit,
    offset: request.offset,
    with_payload: request.withPayload,
    with_vector: false as const,
    ...(request.filter ? { filter: request.filter } : {}),
    ...(request.scoreThreshold !== undefined ? { score_threshold: request.scoreThreshold } : {}),
  };
  if (request.mode === "dense") return { query: vectors.dense, using: DENSE_VECTOR, ...common };
  if (request.mode === "sparse") return { query: sparseOf(vectors), using: SPARSE_VECTOR, ...common };
  const limit = prefetchLimitOf(request);
  return {
    prefetch: [
      { query: vectors.dense, using: DENSE_VECTOR, limit },
      { query: sparseOf(vectors), using: SPARSE_VECTOR, limit },
    ],
    query: fusionQuery(request.fusion),
    ...common,
  };
}

/** Candidates per vector before fusion: the request's, or enough to cover the page (at least the default). */
export function prefetchLimitOf(request: HybridQuery): number {
  return request.prefetchLimit ?? Math.max(DEFAULT_PREFETCH_LIMIT, request.limit + request.offset);
}

/**
 * The two prefetches of a hybrid search as queries of their own, for `explain`: same vector, depth and filter (Qdrant
 * applies a root filter to each prefetch), no threshold or offset, so they answer the lists the fusion saw.
 */
export function buildPrefetchListBodies(
  request: HybridQuery,
  vectors: QueryVectors,
): { dense: QueryBody; sparse: QueryBody } {
  const common = {
    limit: prefetchLimitOf(request),
    offset: 0,
    with_payload: request.withPayload,
    with_vector: false as const,
    ...(request.filter ? { filter: request.filter } : {}),
  };
  return {
    dense: { query: vectors.dense, using: DENSE_VECTOR, ...common },
    sparse: { query: sparseOf(vectors), using: SPARSE_VECTOR, ...common },
  };
}

/** `"rrf"` and `"dbsf"` as Qdrant's `{fusion}`; RRF with k or weights as `{rrf: {k, weights: [dense, sparse]}}`. */
export function fusionQuery(fusion: Fusion): QueryBody["query"] {
  if (typeof fusion === "string") return { fusion };
  if (fusion.type === "dbsf") return { fusion: "dbsf" };
  if (fusion.k === undefined && fusion.weights === undefined) return { fusion: "rrf" };
  return {
    rrf: {
      ...(fusion.k !== undefined ? { k: fusion.k } : {}),
      ...(fusion.weights ? { weights: [fusion.weights.dense, fusion.weights.sparse] } : {}),
    },
  };
}

/** Only the two fields Qdrant accepts, whatever else the encoder's object carries (a document as it is). */
function sparseOf(vectors: QueryVectors): SparseVector | InferenceDocument {
  const sparse = vectors.sparse;
  if ("text" in sparse) return sparse;
  return { indices: sparse.indices, values: sparse.values };
}
