import { describe, expect, it } from "vitest";
import { pointId, uuidV5 } from "./point-id.js";

describe("uuidV5", () => {
  it("matches the RFC example value (DNS namespace, www.example.com)", () => {
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });

  it("refuses a namespace that is not a UUID", () => {
    expect(() => uuidV5("x", "not-a-uuid")).toThrow(/not a UUID/);
  });
});

describe("pointId", () => {
  // Reference values computed with Python's uuid.uuid5 over the same namespace and name.
  it("is UUIDv5 of collection, row id and chunk joined by NUL", () => {
    expect(pointId("docs", "row-1", 0)).toBe("df4180e6-536b-55aa-a6ac-d2884cdaef03");
    expect(pointId("docs", "Ünï", 3)).toBe("d62985ce-2f41-55fd-90a2-b8ba4e69bc1e");
  });

  it("is stable and separates collections, rows and chunks", () => {
    const ids = new Set([
      pointId("a", "1", 0),
      pointId("a", "1", 1),
      pointId("a", "10", 0),
      pointId("b", "1", 0),
      // Without a separator "a"+"b1" and "ab"+"1" would collide.
      pointId("a", "b1", 0),
      pointId("ab", "1", 0),
    ]);
    expect(ids.size).toBe(6);
    expect(pointId("a", "1", 0)).toBe(pointId("a", "1", 0));
    expect(pointId("a", "1", 0)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
