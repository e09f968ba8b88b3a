import type { ModelSpec } from "@hybrid/queue";
import {
  type CollectionLayout,
  type CollectionSpec,
  ensureCollection,
  type QdrantClient,
} from "@hybrid/store";
import type { ResolveCollection } from "./ingest-deps.js";

export interface ModelDescription {
  dense: { name: string; dim: number; distance: "Cosine" };
  sparse: { name: string; modifier: "idf" | "none" };
}

/**
 * Creates a collection on first use to match the configured models (named dense vector of the model's size with
 * Cosine, sparse vector with `modifier: idf` for BM25) and `layout` (shards, replicas, on-disk storage), or checks an
 * existing one (CONFLICT when its models differ).
 */
export function createCollectionResolver(
  client: QdrantClient,
  models: ModelDescription,
  layout?: CollectionLayout,
): ResolveCollection {
  const spec: CollectionSpec = {
    dense: models.dense.name,
    denseDim: models.dense.dim,
    distance: models.dense.distance,
    sparse: models.sparse.name,
    sparseModifier: models.sparse.modifier,
    ...(layout ? { layout } : {}),
  };
  const modelSpec: ModelSpec = { dense: spec.dense, denseDim: spec.denseDim, sparse: spec.sparse };
  return async (collection) => {
    const { created } = await ensureCollection(client, collection, spec);
    return { models: modelSpec, created };
  };
}
