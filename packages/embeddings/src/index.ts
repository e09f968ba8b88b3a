export {
  BM25_PARAMS,
  bm25Document,
  bm25Index,
  bm25Query,
  bm25Terms,
  bm25Weight,
  createBm25Encoder,
} from "./bm25.js";
export {
  BGE_SMALL_MODEL,
  BM25_MODEL,
  DENSE_MODEL_NAMES,
  type DenseModelSpec,
  denseModelSpec,
  FASTEMBED_ARCHIVE_BASE_URL,
  HUGGING_FACE_BASE_URL,
  MINILM_INT8_MODEL,
  MINILM_MODEL,
  OFFLINE_MODEL,
  type Pooling,
  SPARSE_MODEL_NAMES,
  SPLADE_MODEL,
  sparseModifierOf,
} from "./catalogue.js";
export { createEncoder } from "./create-encoder.js";
export { createDenseEncoder, type DenseEncoderOptions, describeDenseModel } from "./dense-encoder.js";
export { ModelDownloadError, ModelProvisionError } from "./download.js";
export type {
  DenseEncoder,
  Distance,
  EncodedQuery,
  EncoderOptions,
  HybridEncoder,
  HybridVectors,
  SparseEncoder,
  SparseVector,
} from "./encoder.js";
export { ensureDenseModelFiles, ensureSpladeFiles, type ModelSources } from "./model-files.js";
export { createSpladeEncoder, type SpladeEncoderOptions, spladeVector } from "./splade-encoder.js";
