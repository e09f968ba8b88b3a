import { monitorEventLoopDelay } from "node:perf_hooks";
import { createEncoder } from "@hybrid/embeddings";

export interface EncoderMeasure {
  docs: number;
  seconds: number;
  docsPerSecond: number;
  /** Event-loop delay while encoding (BM25 runs on the main thread, the dense model in its own process). */
  eventLoop: { maxMs: number; p99Ms: number };
}

export interface EncoderSettings {
  dense: string;
  sparse: string;
  cacheDir: string;
  onnxThreads: number;
}

/**
 * The embeddings package on its own: `encodeDocuments` (dense and sparse concurrently, as a worker computes a batch)
 * over `texts` in batches of `batchSize`, one batch at a time, after a small warm-up.
 */
export async function measureEncoder(
  texts: string[],
  batchSize: number,
  settings: EncoderSettings,
): Promise<EncoderMeasure> {
  const encoder = await createEncoder(settings);
  try {
    await encoder.encodeDocuments(texts.slice(0, 8));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    for (let i = 0; i < texts.length; i += batchSize) {
      await encoder.encodeDocuments(texts.slice(i, i + batchSize));
    }
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    return {
      docs: texts.length,
      seconds: round(seconds),
      docsPerSecond: round(texts.length / seconds),
      eventLoop: { maxMs: round(delay.max / 1e6), p99Ms: round(delay.percentile(99) / 1e6) },
    };
  } finally {
    await encoder.close();
  }
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
