export { QDRANT_VERSION } from "./http/app.js";
export { bm25DocumentVector, bm25QueryVector, bm25TokenId } from "./inference/bm25.js";
export type { Bm25Config, Bm25Tokenizer } from "./inference/bm25-options.js";
export { readBm25Config } from "./inference/bm25-options.js";
export { tokenizeDocument, tokenizeQuery } from "./inference/bm25-tokenizer.js";
export { BM25_MODEL, type DenseInferenceModel, type InferenceModels } from "./inference/models.js";
export { type QdrantLocal, type QdrantLocalOptions, startQdrantLocal } from "./server.js";
