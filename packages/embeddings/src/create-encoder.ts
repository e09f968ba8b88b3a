import { AppError } from "@hybrid/service-kit";
import { createBm25Encoder } from "./bm25.js";
import { BM25_MODEL, SPARSE_MODEL_NAMES, SPLADE_MODEL } from "./catalogue.js";
import { createDenseEncoder } from "./dense-encoder.js";
import type { EncoderOptions, HybridEncoder, HybridVectors, SparseEncoder } from "./encoder.js";
import { LruCache } from "./lru-cache.js";
import type { ModelSources } from "./model-files.js";

async function createSparseEncoder(options: EncoderOptions, sources?: ModelSources): Promise<SparseEncoder> {
  if (options.sparse === BM25_MODEL) return createBm25Encoder();
  if (options.sparse === SPLADE_MODEL) {
    const { createSpladeEncoder } = await import("./splade-encoder.js");
    return createSpladeEncoder({ cacheDir: options.cacheDir, onnxThreads: options.onnxThreads, sources });
  }
  throw new AppError(
    "BAD_REQUEST",
    `unknown sparse model "${options.sparse}": use one of ${SPARSE_MODEL_NAMES.join(", ")}`,
  );
}

/**
 * The dense and the sparse encoder behind one interface. Documents: both computed concurrently. Queries: one LRU
 * cache (by text) of both vectors (`queryCacheSize`, 0 = none); concurrent requests for the same text share one
 * computation. The query API's cache is this one.
 */
export async function createEncoder(options: EncoderOptions): Promise<HybridEncoder> {
  const [dense, sparse] = await Promise.allSettled([
    createDenseEncoder({
      model: options.dense,
      cacheDir: options.cacheDir,
      onnxThreads: options.onnxThreads,
      sources: options.sources,
    }),
    createSparseEncoder(options, options.sources),
  ]);
  if (dense.status === "rejected" || sparse.status === "rejected") {
    if (dense.status === "fulfilled") await dense.value.close();
    if (sparse.status === "fulfilled") await sparse.value.close();
    throw dense.status === "rejected"
      ? dense.reason
      : sparse.status === "rejected"
        ? sparse.reason
        : undefined;
  }
  const denseEncoder = dense.value;
  const sparseEncoder = sparse.value;
  // `ready` turns true once the vectors are computed: a request that joins a computation still running waits for it
  // like a miss, and is reported as one.
  const cache = new LruCache<string, { vectors: Promise<HybridVectors>; ready: boolean }>(
    options.queryCacheSize ?? 1024,
  );

  const computeQuery = async (text: string): Promise<HybridVectors> => {
    const [d, s] = await Promise.all([denseEncoder.embedQuery(text), sparseEncoder.embedQuery(text)]);
    return { dense: d, sparse: s };
  };

  const encodeDocumentLists: HybridEncoder["encodeDocumentLists"] = async (texts) => {
    const [d, s] = await Promise.all([
      texts.dense.length ? denseEncoder.embedDocuments(texts.dense) : [],
      texts.sparse.length ? sparseEncoder.embedDocuments(texts.sparse) : [],
    ]);
    return { dense: d, sparse: s };
  };

  const lookupQuery: HybridEncoder["lookupQuery"] = (text) => {
    const known = cache.get(text);
    if (known) return { vectors: known.vectors, cached: known.ready };
    const entry = { vectors: computeQuery(text), ready: false };
    cache.set(text, entry);
    entry.vectors.then(
      () => {
        entry.ready = true;
      },
      // A failure is not cached: the next request computes again.
      () => {
        if (cache.get(text) === entry) cache.delete(text);
      },
    );
    return { vectors: entry.vectors, cached: false };
  };

  return {
    dense: denseEncoder,
    sparse: sparseEncoder,
    encodeDocumentLists,
    async encodeDocuments(texts) {
      const { dense: d, sparse: s } = await encodeDocumentLists({ dense: texts, sparse: texts });
      return d.map((vector, i) => ({ dense: vector, sparse: s[i] ?? { indices: [], values: [] } }));
    },
    encodeQuery: (text) => lookupQuery(text).vectors,
    lookupQuery,
    async close() {
      await Promise.all([denseEncoder.close(), sparseEncoder.close()]);
    },
  };
}
