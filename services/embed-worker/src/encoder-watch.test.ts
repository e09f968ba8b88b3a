import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { createLogger } from "@hybrid/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEncoderWatch } from "./encoder-watch.js";
import { EncoderFailure, embedRows } from "./process-batch.js";

/** The real offline model + BM25: one encoder that works, one closed (its ONNX runner gone), as after a crash. */
const logger = createLogger({ name: "encoder-watch-test", level: "silent" });
const settings = {
  dense: "offline/use-lite",
  sparse: "Qdrant/bm25",
  cacheDir: new URL("../../../.cache/models", import.meta.url).pathname,
  onnxThreads: 1,
};
let working: HybridEncoder;
let closed: HybridEncoder;

beforeAll(async () => {
  [working, closed] = await Promise.all([createEncoder(settings), createEncoder(settings)]);
  await closed.close();
}, 120_000);

afterAll(async () => {
  await working?.close();
});

const batch = {
  v: 1 as const,
  ingestionId: "ing1",
  collection: "c",
  batchIndex: 0,
  models: { dense: "offline/use-lite", denseDim: 512, sparse: "Qdrant/bm25" },
  rows: [{ rowId: "r1", line: 1, chunk: 0, text: "vitamin D and bone density", payload: {} }],
};

function watch(encoder: HybridEncoder) {
  let broken: unknown;
  const onFailure = createEncoderWatch({
    encoder,
    logger,
    onBroken: (error) => {
      broken = error;
    },
  });
  return { onFailure, broken: () => broken };
}

describe("encoder failures", () => {
  it("an encoder that cannot embed surfaces as EncoderFailure", async () => {
    await expect(embedRows(batch, { encoder: closed })).rejects.toBeInstanceOf(EncoderFailure);
    await expect(embedRows(batch, { encoder: working })).resolves.toHaveLength(1);
  });

  it("a probe that fails too reports the encoder broken, once", async () => {
    const w = watch(closed);
    let calls = 0;
    const once = createEncoderWatch({ encoder: closed, logger, onBroken: () => void calls++ });
    await Promise.all([once(new EncoderFailure("runner exited")), once(new EncoderFailure("runner exited"))]);
    await once(new EncoderFailure("runner exited"));
    expect(calls).toBe(1);
    await w.onFailure(new EncoderFailure("encoder failed: runner exited"));
    expect(w.broken()).toBeInstanceOf(Error);
  });

  it("a probe that passes leaves the worker running", async () => {
    const w = watch(working);
    await w.onFailure(new EncoderFailure("encoder failed: odd input"));
    expect(w.broken()).toBeUndefined();
  });
});
