import {
  type CollectionModels,
  type CollectionSpec,
  ensureCollection,
  type QdrantConnection,
} from "@hybrid/store";
import type { ResolveCollection } from "./ingest-deps.js";

/**
 * Creates a collection on first use to match `spec` (the configured models: named dense vector of the model's size
 * with Cosine, sparse vector with `modifier: idf` for BM25; shards, replicas and on-disk storage from its layout), or
 * checks an existing one (CONFLICT when it differs). Batches carry the collection's inference mode, so workers embed
 * as the collection was built.
 */
export function createCollectionResolver(qdrant: QdrantConnection, spec: CollectionSpec): ResolveCollection {
  const models: CollectionModels = { dense: spec.dense, denseDim: spec.denseDim, sparse: spec.sparse };
  return async (collection) => {
    const { created, inference } = await ensureCollection(qdrant, collection, spec);
    return { models: inference === "client" ? models : { ...models, inference }, created };
  };
}
