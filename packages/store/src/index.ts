export {
  type CollectionLayout,
  CollectionModels,
  type CollectionShape,
  type CollectionSpec,
  DENSE_VECTOR,
  describeMismatches,
  ensureCollection,
  InferenceMode,
  layoutParams,
  readCollectionModels,
  SPARSE_VECTOR,
} from "./collection.js";
export { POINT_ID_NAMESPACE, pointId, uuidV5 } from "./point-id.js";
export { createQdrantClient, type QdrantClient, type QdrantClientOptions } from "./qdrant-client.js";
export { toAppError } from "./store-error.js";
export {
  cloudModelName,
  type HybridPoint,
  type InferenceDocument,
  STORE_BM25_MODEL,
  type UpsertOptions,
  upsertPoints,
  type WriteOrdering,
} from "./upsert-points.js";
