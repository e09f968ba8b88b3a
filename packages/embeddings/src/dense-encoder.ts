import { AppError } from "@hybrid/service-kit";
import type { BatchLimits } from "./batching.js";
import { type DenseModelSpec, denseModelSpec } from "./catalogue.js";
import type { DenseEncoder } from "./encoder.js";
import { ensureDenseModelFiles, type ModelSources } from "./model-files.js";
import { runOnnxPipeline } from "./onnx-pipeline.js";
import { type Reduction, startOnnxRunner } from "./onnx-runner.js";
import { loadTokenizer } from "./tokenizer.js";

export interface DenseEncoderOptions {
  /** Catalogue name or path of an ONNX model directory. */
  model: string;
  cacheDir: string;
  /** ONNX Runtime intra-op threads (0 = its default). */
  onnxThreads: number;
  sources?: ModelSources;
  limits?: Partial<BatchLimits>;
}

/**
 * Defaults for an embed worker: 32 texts or 512 tokens (batch x padded length), whichever comes first. Small runs keep
 * the attention activations in cache: on one intra-op thread, SciFact abstracts (256 tokens) cost a third less CPU
 * per text at 512 tokens than at 32 x 256, and the runner's memory arena peaks at half the size (README, "Batch
 * size"); short texts still go 10 to 30 a run.
 */
export const DENSE_BATCH_LIMITS: BatchLimits = { maxBatch: 32, maxTokens: 512 };

const REDUCTION: Record<DenseModelSpec["pooling"], Reduction> = { mean: "mean", cls: "first", model: "none" };

/** The row scaled to unit length, as plain numbers (a row of zeros stays zero). */
export function normalizeRow(row: Float32Array): number[] {
  let sum = 0;
  for (const v of row) sum += v * v;
  const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
  return Array.from(row, (v) => v * scale);
}

/**
 * Loads a dense model (downloading or building it when missing) in an ONNX runner process. Pooling, prefixes and
 * truncation follow the model's reference implementation; every vector is L2-normalised (distance Cosine). Fails at
 * start when the model's output dimension differs from the catalogue's.
 */
export async function createDenseEncoder(options: DenseEncoderOptions): Promise<DenseEncoder> {
  const catalogued = denseModelSpec(options.model);
  const files = await ensureDenseModelFiles(catalogued, options.cacheDir, options.sources);
  const tokenizer = await loadTokenizer(files.dir, catalogued.maxLength);
  const runner = await startOnnxRunner({ modelPath: files.modelPath, threads: options.onnxThreads });
  try {
    const pooledOutput = runner.outputNames.includes("sentence_embedding");
    const spec: DenseModelSpec =
      catalogued.source.kind === "path" && pooledOutput ? { ...catalogued, pooling: "model" } : catalogued;
    const output = spec.pooling === "model" ? "sentence_embedding" : "last_hidden_state";
    if (!runner.outputNames.includes(output)) {
      throw new AppError(
        "BAD_REQUEST",
        `dense model "${spec.name}" has no output "${output}" (outputs: ${runner.outputNames.join(", ")})`,
      );
    }
    const pipeline = {
      tokenizer,
      runner,
      output,
      reduce: REDUCTION[spec.pooling],
      limits: { ...DENSE_BATCH_LIMITS, ...options.limits },
    };
    const [probe] = await runOnnxPipeline(pipeline, ["dimension probe"]);
    const dim = probe?.length ?? 0;
    if (spec.dim !== 0 && dim !== spec.dim) {
      throw new AppError(
        "CONFLICT",
        `dense model "${spec.name}" at ${files.modelPath} outputs ${dim} dimensions, the catalogue says ${spec.dim}`,
      );
    }
    const embed = async (texts: string[], prefix: string) => {
      const rows = await runOnnxPipeline(pipeline, prefix === "" ? texts : texts.map((t) => prefix + t));
      return rows.map(normalizeRow);
    };
    return {
      model: spec.name,
      dim,
      distance: "Cosine",
      embedDocuments: (texts) => embed(texts, spec.documentPrefix),
      async embedQuery(text) {
        const [vector] = await embed([text], spec.queryPrefix);
        if (!vector) throw new Error("no vector for the query");
        return vector;
      },
      close: () => runner.close(),
    };
  } catch (error) {
    await runner.close();
    throw error;
  }
}

/**
 * Name, dimension and distance of a dense model, for creating collections. Catalogue models are answered from the
 * catalogue, without loading or downloading anything; a model given by path is loaded once to read its dimension.
 */
export async function describeDenseModel(
  name: string,
  cacheDir: string,
): Promise<{ name: string; dim: number; distance: "Cosine" }> {
  const spec = denseModelSpec(name);
  if (spec.source.kind !== "path") return { name: spec.name, dim: spec.dim, distance: "Cosine" };
  const encoder = await createDenseEncoder({ model: name, cacheDir, onnxThreads: 1 });
  try {
    return { name: encoder.model, dim: encoder.dim, distance: "Cosine" };
  } finally {
    await encoder.close();
  }
}
