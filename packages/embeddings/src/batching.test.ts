import { describe, expect, it } from "vitest";
import { padBatch, planBatches } from "./batching.js";

describe("planBatches", () => {
  it("sorts by length, longest first, and cuts at the batch size", () => {
    expect(planBatches([3, 9, 1, 5, 7], { maxBatch: 2, maxTokens: 1000 })).toEqual([[1, 4], [3, 0], [2]]);
  });

  it("keeps batch x longest within the token budget (a single longer text still gets its own batch)", () => {
    expect(planBatches([10, 10, 10, 4, 4, 4, 30], { maxBatch: 100, maxTokens: 24 })).toEqual([
      [6],
      [0, 1],
      [2, 3], // 2 x 10 = 20 <= 24
      [4, 5],
    ]);
    expect(planBatches([], { maxBatch: 4, maxTokens: 10 })).toEqual([]);
  });
});

describe("padBatch", () => {
  it("right-pads to the longest row with the pad id and masks the padding", () => {
    const batch = padBatch([[5, 6, 7], [8], [9, 10]], [0, 1], 0);
    expect(batch).toMatchObject({ positions: [0, 1], batch: 2, seq: 3 });
    expect([...batch.ids]).toEqual([5n, 6n, 7n, 8n, 0n, 0n]);
    expect([...batch.mask]).toEqual([1n, 1n, 1n, 1n, 0n, 0n]);
  });
});
