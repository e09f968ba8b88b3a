import { describe, expect, it } from "vitest";
import { orderHits } from "./order-hits.js";

describe("orderHits", () => {
  it("orders by score, then by id for ties (numbers before UUIDs, numbers numerically)", () => {
    const hits = orderHits(
      [
        { id: "b0000000-0000-4000-8000-000000000000", score: 0.5 },
        { id: 10, score: 0.5 },
        { id: 9, score: 0.5 },
        { id: "a0000000-0000-4000-8000-000000000000", score: 0.5 },
        { id: 1, score: 0.9 },
      ],
      false,
    );
    expect(hits.map((h) => h.id)).toEqual([
      1,
      9,
      10,
      "a0000000-0000-4000-8000-000000000000",
      "b0000000-0000-4000-8000-000000000000",
    ]);
  });

  it("keeps payloads only when asked, an empty object standing in for a missing one", () => {
    expect(orderHits([{ id: 1, score: 1, payload: { a: 1 } }], true)).toEqual([
      { id: 1, score: 1, payload: { a: 1 } },
    ]);
    expect(orderHits([{ id: 1, score: 1, payload: null }], true)).toEqual([{ id: 1, score: 1, payload: {} }]);
    expect(orderHits([{ id: 1, score: 1, payload: { a: 1 } }], false)).toEqual([{ id: 1, score: 1 }]);
  });
});
