import { describe, expect, it } from "vitest";
import { explainFusion, fusionSettings, idKey } from "./explain-fusion.js";

// Expected values are worked out by hand from the formulas in ../shared/qdrant/conformance.md, not by this code.

const f32 = Math.fround;

describe("fusionSettings", () => {
  it("fills in Qdrant's defaults: k = 2, both weights 1", () => {
    expect(fusionSettings("rrf")).toEqual({ method: "rrf", k: 2, weights: { dense: 1, sparse: 1 } });
    expect(fusionSettings({ type: "rrf", k: 61 })).toEqual({
      method: "rrf",
      k: 61,
      weights: { dense: 1, sparse: 1 },
    });
    expect(fusionSettings("dbsf")).toEqual({ method: "dbsf" });
    expect(fusionSettings({ type: "dbsf" })).toEqual({ method: "dbsf" });
  });
});

describe("explainFusion with RRF", () => {
  const dense = [
    { id: "a", score: 0.9 },
    { id: "b", score: 0.7 },
    { id: "c", score: 0.2 },
  ];
  const sparse = [
    { id: "b", score: 12 },
    { id: 4, score: 3 },
  ];

  it("adds 1 / (rank + k - 1) per list at k = 2 and marks what a list did not retrieve", () => {
    const { byId, normalization } = explainFusion(fusionSettings("rrf"), { dense, sparse });
    expect(normalization).toBeUndefined();
    expect(byId.get(idKey("a"))).toEqual({
      dense: { rank: 1, score: 0.9, contribution: 0.5 },
      sparse: null,
      fusedScore: 0.5,
    });
    // b: 1/(2 + 1) from dense, 1/(1 + 1) from sparse.
    expect(byId.get(idKey("b"))).toEqual({
      dense: { rank: 2, score: 0.7, contribution: f32(1 / 3) },
      sparse: { rank: 1, score: 12, contribution: 0.5 },
      fusedScore: f32(f32(1 / 3) + 0.5),
    });
    expect(byId.get(idKey("c"))?.fusedScore).toBe(0.25);
    expect(byId.get(idKey(4))).toEqual({
      dense: null,
      sparse: { rank: 2, score: 3, contribution: f32(1 / 3) },
      fusedScore: f32(1 / 3),
    });
    expect(byId.get(idKey("4"))).toBeUndefined();
  });

  it("divides the rank by the list's weight, and a weight of 0 adds nothing", () => {
    const { byId } = explainFusion(fusionSettings({ type: "rrf", k: 61, weights: { dense: 2, sparse: 0 } }), {
      dense,
      sparse,
    });
    // b: dense rank 2 at weight 2 is 1 / (2/2 + 60) = 1/61; sparse adds 0 but still lists its rank.
    expect(byId.get(idKey("b"))).toEqual({
      dense: { rank: 2, score: 0.7, contribution: f32(1 / 61) },
      sparse: { rank: 1, score: 12, contribution: 0 },
      fusedScore: f32(1 / 61),
    });
    expect(byId.get(idKey("a"))?.dense?.contribution).toBe(f32(1 / 60.5));
  });
});

describe("explainFusion with DBSF", () => {
  it("scales each list by mean ± 3 sample sd and sums (the conformance golden case)", () => {
    const { byId, normalization } = explainFusion(fusionSettings("dbsf"), {
      dense: [
        { id: 1, score: 0.9 },
        { id: 2, score: 0.8 },
        { id: 3, score: 0.1 },
      ],
      sparse: [
        { id: 2, score: 0.5 },
        { id: 4, score: 0.4 },
      ],
    });
    // Dense: mean 0.6, sd sqrt(0.38 / 2); sparse: mean 0.45, sd sqrt(0.005 / 1).
    expect(normalization?.dense?.mean).toBeCloseTo(0.6, 9);
    expect(normalization?.dense?.sd).toBeCloseTo(Math.sqrt(0.19), 9);
    expect(normalization?.sparse?.low).toBeCloseTo(0.45 - 3 * Math.sqrt(0.005), 6);
    expect(byId.get(idKey(2))?.fusedScore).toBeCloseTo(1.1943231, 6);
    expect(byId.get(idKey(1))?.fusedScore).toBeCloseTo(0.6147078, 6);
    expect(byId.get(idKey(4))?.fusedScore).toBeCloseTo(0.38214886, 6);
    expect(byId.get(idKey(3))?.fusedScore).toBeCloseTo(0.30882022, 6);
    expect(byId.get(idKey(2))?.dense?.contribution).toBeCloseTo(
      (0.8 - 0.6 + 3 * Math.sqrt(0.19)) / (6 * Math.sqrt(0.19)),
      6,
    );
  });

  it("scores a one-point list, or one with no spread, 0.5", () => {
    const { byId, normalization } = explainFusion(fusionSettings("dbsf"), {
      dense: [{ id: "x", score: 0.3 }],
      sparse: [
        { id: "x", score: 2 },
        { id: "y", score: 2 },
      ],
    });
    expect(normalization).toEqual({ dense: null, sparse: null });
    expect(byId.get(idKey("x"))?.fusedScore).toBe(1);
    expect(byId.get(idKey("y"))).toEqual({
      dense: null,
      sparse: { rank: 2, score: 2, contribution: 0.5 },
      fusedScore: 0.5,
    });
  });
});
