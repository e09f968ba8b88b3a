export {
  CollectionInfo,
  type CollectionLayout,
  type CollectionShape,
  type CollectionSpec,
  DENSE_VECTOR,
  deleteCollection,
  describeMismatches,
  ensureCollection,
  getCollectionInfo,
  layoutParams,
  listCollectionNames,
  readCollectionModels,
  recordedModelsOf,
  SPARSE_VECTOR,
} from "./collection.js";
export {
  CollectionModels,
  compareModels,
  describeModels,
  InferenceMode,
  type ModelNames,
} from "./models.js";
export { POINT_ID_NAMESPACE, pointId, uuidV5 } from "./point-id.js";
export {
  createQdrantConnection,
  pingQdrant,
  type QdrantConnection,
  type QdrantConnectionOptions,
  type QdrantRequest,
} from "./qdrant-connection.js";
export {
  buildPrefetchListBodies,
  buildQueryBody,
  DEFAULT_PREFETCH_LIMIT,
  type Fusion,
  fusionQuery,
  type HybridQuery,
  prefetchLimitOf,
  type QueryBody,
  type QueryVectors,
} from "./query-body.js";
export { queryPoints, ScoredPoint, scrollPayloads, serializeQueryBody } from "./query-points.js";
export { QdrantHttpError, qdrantStatusOf, toAppError } from "./store-error.js";
export {
  cloudModelName,
  type HybridPoint,
  type InferenceDocument,
  STORE_BM25_MODEL,
  type UpsertOptions,
  upsertPoints,
  type WriteOrdering,
} from "./upsert-points.js";
