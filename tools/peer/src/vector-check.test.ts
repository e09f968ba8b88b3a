import { describe, expect, it } from "vitest";
import { maxAbsDiff, sameSparse } from "./vector-check.js";

describe("maxAbsDiff", () => {
  it("is the largest component difference, and refuses vectors of different shapes", () => {
    expect(
      maxAbsDiff(
        [
          [0.1, 0.2],
          [0.3, 0.4],
        ],
        [
          [0.1, 0.25],
          [0.3, 0.4],
        ],
      ),
    ).toBeCloseTo(0.05, 12);
    expect(() => maxAbsDiff([[1, 2]], [[1]])).toThrow(/dims/);
    expect(() => maxAbsDiff([[1]], [])).toThrow(/against/);
  });
});

describe("sameSparse", () => {
  it("matches the same terms and weights in any order, within float32 rounding", () => {
    const a = { indices: [5, 9], values: [1.5, 0.75] };
    expect(sameSparse(a, { indices: [9, 5], values: [0.75 + 1e-8, 1.5] })).toBe(true);
    expect(sameSparse(a, { indices: [9, 5], values: [0.76, 1.5] })).toBe(false);
    expect(sameSparse(a, { indices: [5, 8], values: [1.5, 0.75] })).toBe(false);
    expect(sameSparse(a, { indices: [5], values: [1.5] })).toBe(false);
  });
});
