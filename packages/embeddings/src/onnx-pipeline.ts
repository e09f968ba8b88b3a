import { type BatchLimits, padBatch, planBatches } from "./batching.js";
import type { OnnxRunner, Reduction } from "./onnx-runner.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface OnnxPipeline {
  tokenizer: TextTokenizer;
  runner: OnnxRunner;
  output: string;
  reduce: Reduction;
  limits: BatchLimits;
}

/**
 * Texts to one reduced row each, in input order: tokenize (thread pool), sort by length, batch, pad each batch to its
 * longest, run the batches in the ONNX worker (queued back to back so it never waits on this thread).
 */
export async function runOnnxPipeline(pipeline: OnnxPipeline, texts: string[]): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  const tokens = await pipeline.tokenizer.encode(texts);
  const batches = planBatches(
    tokens.map((t) => t.length),
    pipeline.limits,
  );
  const rows = new Array<Float32Array>(texts.length);
  await Promise.all(
    batches.map(async (positions) => {
      const { ids, mask, batch, seq } = padBatch(tokens, positions, pipeline.tokenizer.padId);
      const { output, reduce } = pipeline;
      const result = await pipeline.runner.run({ ids, mask, batch, seq, output, reduce });
      positions.forEach((position, r) => {
        rows[position] = result.data.subarray(r * result.dim, (r + 1) * result.dim);
      });
    }),
  );
  return rows;
}
