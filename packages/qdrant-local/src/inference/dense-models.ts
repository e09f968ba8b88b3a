import type { DenseInferenceModel, InferenceModels } from "./models.js";

export interface DenseModelsOptions {
  /**
   * Each a catalogue name of `@hybrid/embeddings` (served under its Qdrant Cloud name: the name lowercased, e.g.
   * `sentence-transformers/all-minilm-l6-v2`) or `CLOUD_NAME=MODEL` (MODEL a catalogue name or an ONNX model folder).
   */
  specs: readonly string[];
  /** The model cache (the services' MODEL_CACHE_DIR). */
  cacheDir: string;
  onnxThreads?: number;
}

export interface DenseModels {
  models: InferenceModels;
  close(): Promise<void>;
}

/**
 * Loads this project's dense encoders for the local mode to play Qdrant Cloud inference. The encoders package (and
 * ONNX Runtime with it) is imported only when a model is asked for, so a plain local mode starts without it.
 */
export async function loadDenseModels(options: DenseModelsOptions): Promise<DenseModels> {
  const dense = new Map<string, DenseInferenceModel & { close(): Promise<void> }>();
  const close = async () => {
    await Promise.all([...dense.values()].map((m) => m.close()));
  };
  if (options.specs.length === 0) return { models: {}, close };
  const { createDenseEncoder } = await import("@hybrid/embeddings");
  try {
    for (const spec of options.specs) {
      const split = spec.indexOf("=");
      const model = split < 0 ? spec : spec.slice(split + 1);
      const cloudName = (split < 0 ? spec : spec.slice(0, split)).toLowerCase();
      const encoder = await createDenseEncoder({
        model,
        cacheDir: options.cacheDir,
        onnxThreads: options.onnxThreads ?? 0,
      });
      dense.set(cloudName, encoder);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { models: { dense }, close };
}
