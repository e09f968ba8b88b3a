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

/** Texts tokenized at a time, in batches: sorting by real token counts within a chunk this size groups well. */
const CHUNK_BATCHES = 4;

/**
 * Texts to one reduced row each, in input order. Texts are sorted by length (characters, a close stand-in for
 * tokens) and cut into chunks of `CHUNK_BATCHES x maxBatch`; each chunk is tokenized (in the tokenizer's thread
 * pool), sorted and cut by its real token counts (`maxBatch`, `maxTokens`), padded to each batch's longest and queued
 * on the runner without waiting, so the next chunk is tokenized while the model runs the previous one.
 */
export async function runOnnxPipeline(pipeline: OnnxPipeline, texts: string[]): Promise<Float32Array[]> {
  const { tokenizer, runner, output, reduce, limits } = pipeline;
  const order = texts
    .map((_, i) => i)
    .sort((a, b) => (texts[b]?.length ?? 0) - (texts[a]?.length ?? 0) || a - b);
  const vectors = new Array<Float32Array>(texts.length);
  const runs: Promise<void>[] = [];
  try {
    const chunkSize = CHUNK_BATCHES * limits.maxBatch;
    for (let start = 0; start < order.length; start += chunkSize) {
      const chunk = order.slice(start, start + chunkSize);
      const tokens = await tokenizer.encode(chunk.map((position) => texts[position] ?? ""));
      for (const batch of planBatches(
        tokens.map((t) => t.length),
        limits,
      )) {
        // A model that gathers the attended tokens (the offline model) cannot run a batch with none at all (texts
        // that tokenize to nothing): a throwaway one-token row gives them the vector they get beside any other text.
        const allEmpty = batch.every((local) => (tokens[local]?.length ?? 0) === 0);
        const rows = allEmpty ? [...batch, tokens.length] : batch;
        const padded = padBatch(allEmpty ? [...tokens, [tokenizer.padId]] : tokens, rows, tokenizer.padId);
        const { ids, mask, seq } = padded;
        const run = runner.run({ ids, mask, batch: rows.length, seq, output, reduce }).then((result) => {
          batch.forEach((local, r) => {
            vectors[chunk[local] ?? 0] = result.data.subarray(r * result.dim, (r + 1) * result.dim);
          });
        });
        runs.push(run);
      }
    }
  } finally {
    // Whatever happens to tokenizing, no queued run is left unobserved.
    await Promise.allSettled(runs);
  }
  await Promise.all(runs);
  return vectors;
}
