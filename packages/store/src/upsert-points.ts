import { z } from "zod";
import { DENSE_VECTOR, SPARSE_VECTOR } from "./collection.js";
import { collectionPath, type QdrantConnection } from "./qdrant-connection.js";

/** Text for the store to embed (Qdrant's inference `Document`), sent where a vector goes. */
export interface InferenceDocument {
  text: string;
  /** `qdrant/bm25`, or a dense model under its Qdrant Cloud name (see `cloudModelName`). */
  model: string;
  options?: Record<string, unknown>;
}

/** The model Qdrant computes itself (open-source Qdrant 1.15.3+ and the local mode). */
export const STORE_BM25_MODEL = "qdrant/bm25";

/** A dense model's name in Qdrant Cloud inference: the catalogue name lowercased (`sentence-transformers/all-minilm-l6-v2`). */
export function cloudModelName(model: string): string {
  return model.toLowerCase();
}

/** One point with both vectors (or documents for the store to embed), ready to upsert. */
export interface HybridPoint {
  /** Deterministic id, see `pointId`. */
  id: string;
  dense: number[] | InferenceDocument;
  sparse: { indices: number[]; values: number[] } | InferenceDocument;
  payload: Record<string, unknown>;
}

export interface UpsertOptions {
  /** Resolve only once the points are applied (searchable); default true. */
  wait?: boolean;
  /**
   * On a replicated collection, how writes are ordered across a shard's replicas: `weak` (default, any replica
   * applies it first), `medium` (through the shard's leader while it is up), `strong` (always through the leader).
   */
  ordering?: WriteOrdering;
}

export type WriteOrdering = "weak" | "medium" | "strong";

/** One upsert request for all `points`; failures are thrown as `AppError` (see `toAppError`). */
export async function upsertPoints(
  qdrant: QdrantConnection,
  collection: string,
  points: HybridPoint[],
  { wait = true, ordering }: UpsertOptions = {},
): Promise<void> {
  if (points.length === 0) return;
  await qdrant.request({
    method: "PUT",
    path: collectionPath(collection, "/points"),
    query: { wait, ordering },
    body: {
      points: points.map((p) => ({
        id: p.id,
        vector: { [DENSE_VECTOR]: p.dense, [SPARSE_VECTOR]: p.sparse },
        payload: p.payload,
      })),
    },
    result: z.unknown(),
    action: `upsert of ${points.length} points into "${collection}"`,
  });
}
