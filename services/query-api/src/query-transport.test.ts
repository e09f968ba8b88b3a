import { describe, expect, it } from "vitest";
import type { QueryBody } from "./build-query.js";
import { serializeQueryBody } from "./query-transport.js";

describe("serializeQueryBody", () => {
  it("writes exactly what JSON.stringify writes, in hybrid and in dense mode", () => {
    const dense = [0.1, -0.25, 1e-7, 3];
    const hybrid: QueryBody = {
      prefetch: [
        { query: dense, using: "dense", limit: 50 },
        { query: { indices: [1, 2], values: [0.5, 1] }, using: "sparse", limit: 50 },
      ],
      query: { fusion: "rrf" },
      limit: 10,
      offset: 0,
      with_payload: true,
      with_vector: false,
    };
    const single: QueryBody = {
      query: dense,
      using: "dense",
      limit: 5,
      offset: 0,
      with_payload: false,
      with_vector: false,
    };
    for (const body of [hybrid, single, hybrid]) expect(serializeQueryBody(body)).toBe(JSON.stringify(body));
    const sparse: QueryBody = { ...single, query: { indices: [3], values: [1] }, using: "sparse" };
    expect(serializeQueryBody(sparse)).toBe(JSON.stringify(sparse));
  });
});
