import { describe, expect, it } from "vitest";
import { fuseDbsf, fuseRrf } from "./fusion.js";

const ranked = (ids: number[], scores?: number[]) =>
  ids.map((slot, i) => ({ slot, score: scores?.[i] ?? 0 }));

describe("fuseRrf", () => {
  it("reproduces the golden values of conformance.md (k = 2)", () => {
    const scores = fuseRrf([ranked([2, 1]), ranked([1, 2, 3]), ranked([5, 3, 1])], 2);
    expect(scores.get(1)).toBeCloseTo(1.0833334, 6);
    expect(scores.get(2)).toBeCloseTo(0.8333334, 6);
    expect(scores.get(3)).toBeCloseTo(0.5833334, 6);
    expect(scores.get(5)).toBe(0.5);
  });

  it("weights scale the rank; a weight <= 0 contributes 0 but keeps the point listed", () => {
    const scores = fuseRrf([ranked([1, 2]), ranked([3])], 2, [2, 0]);
    expect(scores.get(1)).toBeCloseTo(1 / (1 / 2 + 1), 6);
    expect(scores.get(2)).toBeCloseTo(1 / (2 / 2 + 1), 6);
    expect(scores.get(3)).toBe(0);
  });
});

describe("fuseDbsf", () => {
  it("reproduces the golden values of conformance.md", () => {
    const scores = fuseDbsf([ranked([1, 2, 3], [0.9, 0.8, 0.1]), ranked([2, 4], [0.5, 0.4])]);
    expect(scores.get(2)).toBeCloseTo(1.1943231, 6);
    expect(scores.get(1)).toBeCloseTo(0.6147078, 6);
    expect(scores.get(4)).toBeCloseTo(0.38214886, 6);
    expect(scores.get(3)).toBeCloseTo(0.30882022, 6);
  });

  it("scores a single point 0.5, equal scores 0.5 each, and skips empty lists", () => {
    const scores = fuseDbsf([ranked([7], [3]), [], ranked([8, 9], [1, 1])]);
    expect([scores.get(7), scores.get(8), scores.get(9)]).toEqual([0.5, 0.5, 0.5]);
  });
});
