import { describe, expect, it } from "vitest";
import { TopK } from "./top-k.js";

describe("TopK", () => {
  it("keeps the k highest keys of a random stream, best first", () => {
    const keys = Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
    const heap = new TopK(10);
    keys.forEach((key, slot) => {
      heap.push(slot, key);
    });
    const expected = keys
      .map((key, slot) => ({ slot, key }))
      .sort((a, b) => b.key - a.key)
      .slice(0, 10);
    expect(heap.sorted()).toEqual(expected);
  });

  it("handles k larger than the stream and k = 0", () => {
    const big = new TopK(5);
    big.push(1, 0.5);
    big.push(2, 0.9);
    expect(big.sorted().map((e) => e.slot)).toEqual([2, 1]);
    const none = new TopK(0);
    none.push(1, 1);
    expect(none.sorted()).toEqual([]);
  });
});
