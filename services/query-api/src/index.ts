export { type RateLimitOptions, rateLimit, requireApiKey } from "./access-control.js";
export {
  type CollectionModelsLookup,
  type CollectionModelsOptions,
  checkDenseDimension,
  createCollectionModels,
} from "./collection-models.js";
export { CollectionDetail, CollectionSummary, describeCollection, listCollections } from "./collections.js";
export { createQueryApp, type QueryAppDeps, type QueryAppOptions } from "./create-app.js";
export {
  createEncoderPool,
  type EncoderPool,
  type EncoderPoolEvent,
  type EncoderPoolOptions,
  type ModelPair,
} from "./encoder-pool.js";
export { createEncoderSlot, type EncoderSlot } from "./encoder-slot.js";
export { Filter, type FilterCondition, type QdrantFilter } from "./filter-schema.js";
export { createMetrics, type Metrics } from "./metrics.js";
export { compareHits, orderHits } from "./order-hits.js";
export { createQueryEmbedder, type EmbeddedQuery, type QueryEmbedder } from "./query-embedder.js";
export {
  BatchResponse,
  createSearchSchemas,
  Fusion,
  type SearchLimits,
  SearchMode,
  type SearchRequest,
  type SearchRequestInput,
  SearchResponse,
  type SearchSchemas,
} from "./search-schemas.js";
export { createSearcher, type Searcher, type SearcherDeps } from "./searcher.js";
export { simpleFilter } from "./simple-filter.js";
export { toUpstreamError } from "./upstream-error.js";
export { type FieldIssue, formatPath, toValidationError } from "./validation-error.js";
