import type { ModelSources } from "./model-files.js";

/** A sparse vector as Qdrant takes it: unique indices, one value each. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

export type Distance = "Cosine" | "Dot" | "Euclid";

/** Dense text model: documents in batches (workers), one query at a time (query API). */
export interface DenseEncoder {
  /** Catalogue name or path, as configured. */
  readonly model: string;
  readonly dim: number;
  readonly distance: Distance;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
  close(): Promise<void>;
}

/** Sparse text model (BM25, SPLADE). */
export interface SparseEncoder {
  readonly model: string;
  /** `idf` when the collection's sparse vector must be created with `modifier: idf` (BM25). */
  readonly modifier: "idf" | "none";
  embedDocuments(texts: string[]): Promise<SparseVector[]>;
  embedQuery(text: string): Promise<SparseVector>;
  close(): Promise<void>;
}

/** Both vectors of a text, as one point or one query needs them. */
export interface HybridVectors {
  dense: number[];
  sparse: SparseVector;
}

/** A query's vectors and whether they came from the encoder's query cache. */
export interface EncodedQuery {
  vectors: Promise<HybridVectors>;
  /** Found in the cache (computed earlier, or being computed for a concurrent request). */
  cached: boolean;
}

/** The one interface the worker and the query API use. */
export interface HybridEncoder {
  readonly dense: DenseEncoder;
  readonly sparse: SparseEncoder;
  /**
   * Dense vectors of `dense` and sparse vectors of `sparse`, both models running concurrently; each list keeps its
   * input order. The lists may differ (rows that brought their own vectors, a store computing BM25) or be empty.
   */
  encodeDocumentLists(texts: { dense: string[]; sparse: string[] }): Promise<{
    dense: number[][];
    sparse: SparseVector[];
  }>;
  /** Both vectors of each text (`encodeDocumentLists` with the same list twice); output order matches input order. */
  encodeDocuments(texts: string[]): Promise<HybridVectors[]>;
  /** Both vectors of a query, LRU-cached by text; concurrent requests for one text share one computation. */
  encodeQuery(text: string): Promise<HybridVectors>;
  /**
   * `encodeQuery`, telling whether the answer was already in the cache (the query API counts hits); one that joins a
   * computation still running is not.
   */
  lookupQuery(text: string): EncodedQuery;
  close(): Promise<void>;
}

export interface EncoderOptions {
  /** Dense model name (`sentence-transformers/all-MiniLM-L6-v2`, `BAAI/bge-small-en-v1.5`, `offline/use-lite`) or ONNX dir path. */
  dense: string;
  /** `Qdrant/bm25` or `prithivida/Splade_PP_en_v1`. */
  sparse: string;
  cacheDir: string;
  /** ONNX Runtime intra-op threads (0 = its default). */
  onnxThreads: number;
  /** Entries in the query LRU cache (0 = off; default 1024). */
  queryCacheSize?: number;
  /** Download locations (mirrors); default to where fastembed 2.1.0 downloads from. */
  sources?: ModelSources;
}
