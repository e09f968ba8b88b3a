import { describe, expect, it } from "vitest";
import { type CollectionShape, type CollectionSpec, describeMismatches } from "./collection.js";

const spec: CollectionSpec = {
  dense: "offline/use-lite",
  denseDim: 512,
  distance: "Cosine",
  sparse: "Qdrant/bm25",
  sparseModifier: "idf",
};

function shape(overrides: Partial<CollectionShape["config"]> = {}): CollectionShape {
  return {
    config: {
      params: {
        vectors: { dense: { size: 512, distance: "Cosine" } },
        sparse_vectors: { sparse: { modifier: "idf" } },
      },
      metadata: { models: { dense: "offline/use-lite", denseDim: 512, sparse: "Qdrant/bm25" } },
      ...overrides,
    },
  };
}

describe("describeMismatches", () => {
  it("finds nothing wrong with a collection built for the spec", () => {
    expect(describeMismatches(spec, shape())).toEqual([]);
  });

  it("names expected and found dimension, distance and models", () => {
    const found = shape({
      params: {
        vectors: { dense: { size: 384, distance: "Dot" } },
        sparse_vectors: { sparse: {} },
      },
      metadata: {
        models: { dense: "BAAI/bge-small-en-v1.5", denseDim: 384, sparse: "prithivida/Splade_PP_en_v1" },
      },
    });
    expect(describeMismatches(spec, found)).toEqual([
      "dense dimension expected 512 (offline/use-lite), found 384",
      "dense distance expected Cosine, found Dot",
      "sparse modifier expected idf (Qdrant/bm25), found none",
      "dense model expected offline/use-lite, found BAAI/bge-small-en-v1.5",
      "sparse model expected Qdrant/bm25, found prithivida/Splade_PP_en_v1",
    ]);
  });

  it("reports a collection with an unnamed vector and no sparse vector", () => {
    const found = shape({ params: { vectors: { size: 512, distance: "Cosine" } }, metadata: null });
    expect(describeMismatches(spec, found)).toEqual([
      'expected a named dense vector "dense", found an unnamed vector',
      'expected a sparse vector "sparse", found none',
    ]);
  });

  it("accepts a matching collection without our metadata (created by another tool)", () => {
    expect(describeMismatches(spec, shape({ metadata: null }))).toEqual([]);
  });
});
