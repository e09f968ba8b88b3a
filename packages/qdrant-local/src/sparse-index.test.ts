import { describe, expect, it } from "vitest";
import { SparseIndex, type SparseVector } from "./sparse-index.js";

const sv = (indices: number[], values: number[]): SparseVector => ({
  indices: Uint32Array.from(indices),
  values: Float32Array.from(values),
});

describe("SparseIndex", () => {
  it("finds the same top-k as a brute-force dot product, through overwrites and deletes", () => {
    const index = new SparseIndex(false);
    const vectors = new Map<number, SparseVector>();
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let slot = 0; slot < 500; slot++) {
      const indices = [...new Set(Array.from({ length: 5 }, () => Math.floor(rand() * 40)))];
      const v = sv(
        indices,
        indices.map(() => rand()),
      );
      index.set(slot, v);
      vectors.set(slot, v);
    }
    for (let slot = 0; slot < 500; slot += 7) {
      index.delete(slot);
      vectors.delete(slot);
    }
    for (let slot = 1; slot < 500; slot += 11) {
      const v = sv([1, 2, 3], [0.5, 0.25, 0.125]);
      index.set(slot, v);
      vectors.set(slot, v);
    }
    const query = sv([1, 3, 17], [1, 2, 0.5]);
    const brute = [...vectors]
      .map(([slot, v]) => {
        let score = 0;
        let shared = false;
        query.indices.forEach((q, i) => {
          const at = v.indices.indexOf(q);
          if (at >= 0) {
            shared = true;
            score += (query.values[i] as number) * (v.values[at] as number);
          }
        });
        return { slot, score: Math.fround(score), shared };
      })
      .filter((x) => x.shared)
      .sort((a, b) => b.score - a.score || a.slot - b.slot)
      .slice(0, 10);
    const found = index.search(query, 10, undefined);
    expect(found.map((x) => x.slot)).toEqual(brute.map((x) => x.slot));
    found.forEach((x, i) => {
      expect(x.score).toBeCloseTo(brute[i]?.score as number, 5);
    });
    expect(index.count).toBe(vectors.size);
  });

  it("IDF counts document frequency over non-empty vectors", () => {
    const index = new SparseIndex(true);
    index.set(0, sv([1, 2], [1, 1]));
    index.set(1, sv([1], [1]));
    index.set(2, sv([], []));
    expect(index.nonEmpty).toBe(2);
    expect(index.idfOf(1)).toBeCloseTo(Math.log((2 - 2 + 0.5) / (2 + 0.5) + 1), 6);
    expect(index.idfOf(2)).toBeCloseTo(Math.log((2 - 1 + 0.5) / (1 + 0.5) + 1), 6);
    index.delete(0);
    expect(index.idfOf(2)).toBeCloseTo(Math.log((1 - 0 + 0.5) / 0.5 + 1), 6);
  });
});
