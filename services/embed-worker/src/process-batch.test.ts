import type { BatchJob } from "@hybrid/queue";
import { pointId } from "@hybrid/store";
import { UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { embedRows } from "./process-batch.js";

// A worker started with INFERENCE=server has no encoder at all: these run embedRows exactly that way. The client and
// mixed modes, which need the real encoder, are covered end to end in test/e2e/inference-modes.test.ts.

function batch(inference?: "client" | "mixed" | "server"): BatchJob {
  return {
    v: 1,
    ingestionId: "ing-1",
    collection: "docs",
    batchIndex: 0,
    models: {
      dense: "sentence-transformers/all-MiniLM-L6-v2",
      denseDim: 384,
      sparse: "Qdrant/bm25",
      ...(inference ? { inference } : {}),
    },
    rows: [{ rowId: "r1", line: 1, chunk: 0, text: "What is relapsing polychondritis?", payload: { a: 1 } }],
  };
}

describe("embedRows without an encoder (INFERENCE=server)", () => {
  it("sends both vectors as documents: the dense model under its Qdrant Cloud name, BM25 as qdrant/bm25", async () => {
    await expect(embedRows(batch("server"), {})).resolves.toEqual([
      {
        id: pointId("docs", "r1", 0),
        dense: { text: "What is relapsing polychondritis?", model: "sentence-transformers/all-minilm-l6-v2" },
        sparse: { text: "What is relapsing polychondritis?", model: "qdrant/bm25" },
        payload: { a: 1 },
      },
    ]);
  });

  it.each([["client" as const], ["mixed" as const], [undefined]])(
    "refuses a %s batch, which needs a dense model, naming the collection and what to start",
    async (mode) => {
      const error = await embedRows(batch(mode), {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnrecoverableError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `collection "docs" computes its vectors in ${mode ?? "client"} mode.*INFERENCE=client or mixed`,
        ),
      );
    },
  );
});
