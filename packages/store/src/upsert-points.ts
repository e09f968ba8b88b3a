import type { QdrantClient } from "@qdrant/js-client-rest";
import { DENSE_VECTOR, SPARSE_VECTOR } from "./collection.js";
import { toAppError } from "./store-error.js";

/** One point with both vectors, ready to upsert. */
export interface HybridPoint {
  /** Deterministic id, see `pointId`. */
  id: string;
  dense: number[];
  sparse: { indices: number[]; values: number[] };
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

/** One upsert request for all `points`; client errors are thrown as `AppError` (see `toAppError`). */
export async function upsertPoints(
  client: QdrantClient,
  collection: string,
  points: HybridPoint[],
  { wait = true, ordering }: UpsertOptions = {},
): Promise<void> {
  if (points.length === 0) return;
  try {
    await client.upsert(collection, {
      wait,
      ...(ordering ? { ordering } : {}),
      points: points.map((p) => ({
        id: p.id,
        vector: { [DENSE_VECTOR]: p.dense, [SPARSE_VECTOR]: p.sparse },
        payload: p.payload,
      })),
    });
  } catch (error) {
    throw toAppError(error, `upsert of ${points.length} points into "${collection}"`);
  }
}
