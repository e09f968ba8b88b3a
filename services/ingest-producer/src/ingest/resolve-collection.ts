import type { ModelSpec } from "@hybrid/queue";
import {
  type CollectionLayout,
  type CollectionSpec,
  ensureCollection,
  type InferenceMode,
  type QdrantClient,
} from "@hybrid/store";
import type { ResolveCollection } from "./ingest-deps.js";

export interface ModelDescription {
  dense: { name: string; dim: number; distance: "Cosine" };
  sparse: { name: string; modifier: "idf" | "none" };
  /** The mode new collections get (INFERENCE); batches carry each collection's own. */
  inference?: InferenceMode;
}

/**
 * Creates a collection on first use to match the configured models (named dense vector of the model's size with
 * Cosine, sparse vector with `modifier: idf` for BM25) and `layout` (shards, replicas, on-disk storage), or checks an
 * existing one (CONFLICT when it differs). Batches carry the collection's inference mode, so workers embed as the
 * collection was built.
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
    ...(models.inference ? { inference: models.inference } : {}),
  };
  const modelSpec: ModelSpec = { dense: spec.dense, denseDim: spec.denseDim, sparse: spec.sparse };
  return async (collection) => {
    const { created, inference } = await ensureCollection(client, collection, spec);
    return { models: inference === "client" ? modelSpec : { ...modelSpec, inference }, created };
  };
}
