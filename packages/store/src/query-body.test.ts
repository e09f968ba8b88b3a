import { describe, expect, it } from "vitest";
import {
  buildPrefetchListBodies,
  buildQueryBody,
  fusionQuery,
  type HybridQuery,
  type QueryVectors,
} from "./query-body.js";

const vectors: QueryVectors = { dense: [0.1, 0.2, 0.3], sparse: { indices: [7, 42], values: [1.5, 0.5] } };
/** A search with the query API's defaults (hybrid, RRF, limit 10, offset 0, payload). */
const request = (input: Partial<HybridQuery> & { query: string; explain?: boolean }): HybridQuery => ({
  mode: "hybrid",
  fusion: "rrf",
  limit: 10,
  offset: 0,
  withPayload: true,
  ...input,
});

describe("buildQueryBody", () => {
  it("fuses a dense and a sparse prefetch at the root in hybrid mode (RRF by default)", () => {
    expect(buildQueryBody(request({ query: "q" }), vectors)).toEqual({
      prefetch: [
        { query: [0.1, 0.2, 0.3], using: "dense", limit: 50 },
        { query: { indices: [7, 42], values: [1.5, 0.5] }, using: "sparse", limit: 50 },
      ],
      query: { fusion: "rrf" },
      limit: 10,
      offset: 0,
      with_payload: true,
      with_vector: false,
    });
  });

  it("puts filter, threshold, limit and offset at the root and deepens the prefetch to cover the page", () => {
    const filter = { must: [{ key: "city", match: { value: "Berlin" } }] };
    const body = buildQueryBody(
      request({ query: "q", limit: 40, offset: 30, filter, scoreThreshold: 0.2, withPayload: ["name"] }),
      vectors,
    );
    expect(body).toMatchObject({
      filter,
      score_threshold: 0.2,
      limit: 40,
      offset: 30,
      with_payload: ["name"],
    });
    expect(body.prefetch?.map((p) => p.limit)).toEqual([70, 70]);
    expect(buildQueryBody(request({ query: "q", prefetchLimit: 7 }), vectors).prefetch?.[0]?.limit).toBe(7);
  });

  it("searches one vector without prefetch in dense and sparse mode", () => {
    expect(buildQueryBody(request({ query: "q", mode: "dense" }), vectors)).toMatchObject({
      query: [0.1, 0.2, 0.3],
      using: "dense",
    });
    const sparse = buildQueryBody(request({ query: "q", mode: "sparse" }), vectors);
    expect(sparse).toMatchObject({ query: { indices: [7, 42], values: [1.5, 0.5] }, using: "sparse" });
    expect(sparse.prefetch).toBeUndefined();
  });
});

describe("fusionQuery", () => {
  it("maps every fusion form to Qdrant's query", () => {
    expect(fusionQuery("dbsf")).toEqual({ fusion: "dbsf" });
    expect(fusionQuery({ type: "dbsf" })).toEqual({ fusion: "dbsf" });
    expect(fusionQuery({ type: "rrf" })).toEqual({ fusion: "rrf" });
    expect(fusionQuery({ type: "rrf", k: 61 })).toEqual({ rrf: { k: 61 } });
    expect(fusionQuery({ type: "rrf", weights: { dense: 1, sparse: 3 } })).toEqual({
      rrf: { weights: [1, 3] },
    });
  });
});

describe("buildQueryBody with documents (collections in mixed or server inference)", () => {
  it("passes documents through where the vectors go, in both prefetches", () => {
    const dense = { text: "q", model: "sentence-transformers/all-minilm-l6-v2" };
    const sparse = { text: "q", model: "qdrant/bm25" };
    const body = buildQueryBody(request({ query: "q" }), { dense, sparse });
    expect(body.prefetch?.map((p) => p.query)).toEqual([dense, sparse]);
    expect(buildQueryBody(request({ query: "q", mode: "sparse" }), { dense: [0.1], sparse }).query).toEqual(
      sparse,
    );
  });
});

describe("buildPrefetchListBodies", () => {
  it("asks for each prefetch list on its own: same vector, depth and filter, no threshold or offset", () => {
    const filter = { must: [{ key: "city", match: { value: "Berlin" } }] };
    const r = request({ query: "q", limit: 40, offset: 30, filter, scoreThreshold: 0.2, explain: true });
    const { dense, sparse } = buildPrefetchListBodies(r, vectors);
    const fused = buildQueryBody(r, vectors);
    expect(dense).toEqual({
      query: fused.prefetch?.[0]?.query,
      using: "dense",
      limit: 70,
      offset: 0,
      filter,
      with_payload: true,
      with_vector: false,
    });
    expect(sparse).toMatchObject({
      query: { indices: [7, 42], values: [1.5, 0.5] },
      using: "sparse",
      limit: 70,
      filter,
    });
    expect(sparse).not.toHaveProperty("score_threshold");
  });
});
