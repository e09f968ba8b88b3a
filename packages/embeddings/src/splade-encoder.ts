import { AppError } from "@hybrid/service-kit";
import type { BatchLimits } from "./batching.js";
import { SPLADE_MODEL } from "./catalogue.js";
import type { SparseEncoder, SparseVector } from "./encoder.js";
import { ensureSpladeFiles, type ModelFiles, type ModelSources } from "./model-files.js";
import { runOnnxPipeline } from "./onnx-pipeline.js";
import { startOnnxRunner } from "./onnx-runner.js";
import { loadTokenizer } from "./tokenizer.js";

export interface SpladeEncoderOptions {
  cacheDir: string;
  onnxThreads: number;
  sources?: ModelSources;
  /** A model directory to use instead of the catalogue's (same layout: onnx/model.onnx, tokenizer.json, ...). */
  files?: ModelFiles;
  limits?: Partial<BatchLimits>;
}

/**
 * SPLADE's output is [batch, seq, 30522] floats: 4,096 tokens make a 500 MB tensor, so batches are bounded in tokens.
 */
export const SPLADE_BATCH_LIMITS: BatchLimits = { maxBatch: 32, maxTokens: 4_096 };

/**
 * Sparse vector from max-pooled logits: value log(1 + relu(max logit)) for each vocabulary entry whose max is above
 * zero. (The max over attended positions is taken in the ONNX runner process; log1p∘relu is monotonic, so it commutes.)
 */
export function spladeVector(maxLogits: Float32Array): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < maxLogits.length; i++) {
    const v = maxLogits[i] ?? 0;
    if (v > 0) {
      indices.push(i);
      values.push(Math.log1p(v));
    }
  }
  return { indices, values };
}

/** SPLADE++ (`prithivida/Splade_PP_en_v1`) in an ONNX runner process, fastembed's files and cache layout. */
export async function createSpladeEncoder(options: SpladeEncoderOptions): Promise<SparseEncoder> {
  const files = options.files ?? (await ensureSpladeFiles(options.cacheDir, options.sources));
  const tokenizer = await loadTokenizer(files.dir, 512);
  const runner = await startOnnxRunner({ modelPath: files.modelPath, threads: options.onnxThreads });
  const output = runner.outputNames.includes("output") ? "output" : runner.outputNames[0];
  if (!output) {
    await runner.close();
    throw new AppError("BAD_REQUEST", `SPLADE model ${files.modelPath} has no outputs`);
  }
  const pipeline = {
    tokenizer,
    runner,
    output,
    reduce: "max" as const,
    limits: { ...SPLADE_BATCH_LIMITS, ...options.limits },
  };
  const embed = async (texts: string[]) => (await runOnnxPipeline(pipeline, texts)).map(spladeVector);
  return {
    model: SPLADE_MODEL,
    modifier: "none",
    embedDocuments: embed,
    async embedQuery(text) {
      const [vector] = await embed([text]);
      if (!vector) throw new Error("no vector for the query");
      return vector;
    },
    close: () => runner.close(),
  };
}
