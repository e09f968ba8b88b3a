import { describe, expect, it } from "vitest";
import { simpleFilter } from "./simple-filter.js";

describe("simpleFilter", () => {
  it("turns extra query parameters into exact payload matches", () => {
    expect(simpleFilter({ q: ["ai"], limit: ["3"], city: ["Berlin"] })).toEqual({
      filter: { must: [{ key: "city", match: { value: "Berlin" } }] },
    });
    expect(simpleFilter({ city: ["Berlin", "Paris"], "meta.kind": ["a"] })).toEqual({
      filter: {
        must: [
          { key: "city", match: { any: ["Berlin", "Paris"] } },
          { key: "meta.kind", match: { value: "a" } },
        ],
      },
    });
  });

  it("ignores empty values and reports keys that are not plain payload keys", () => {
    expect(simpleFilter({ q: ["ai"], city: [""] })).toEqual({ filter: undefined });
    expect(simpleFilter({ "city[$ne]": ["x"] })).toEqual({ badKey: "city[$ne]" });
  });
});
