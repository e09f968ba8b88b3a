import { describe, expect, it } from "vitest";
import { createSearchSchemas } from "./search-schemas.js";

const { SearchRequest } = createSearchSchemas({ maxLimit: 100 });

describe("SearchRequest", () => {
  it("rejects what Qdrant would choke on, naming the field", () => {
    const bad: Array<[unknown, string]> = [
      [{ query: "   " }, "query"],
      [{ query: "x".repeat(64 * 1024 + 1) }, "query"],
      [{ query: "q", collection: ".." }, "collection"],
      [{ query: "q", filter: JSON.parse(`${'{"must":['.repeat(40)}${"]}".repeat(40)}`) }, "filter"],
      [{ query: "q", limit: 0 }, "limit"],
      [{ query: "q", limit: 101 }, "limit"],
      [{ query: "q", mode: "semantic" }, "mode"],
      [{ query: "q", fusion: { type: "rrf", k: 0 } }, "fusion"],
      [{ query: "q", collection: "../etc" }, "collection"],
      [{ query: "q", filter: { must: [{ key: "city" }] } }, "filter"],
      [{ query: "q", colection: "x" }, ""],
    ];
    for (const [input, field] of bad) {
      const result = SearchRequest.safeParse(input);
      expect(result.success, JSON.stringify(input)).toBe(false);
      expect(result.error?.issues[0]?.path[0] ?? "").toBe(field);
    }
  });

  it("refuses explain outside hybrid mode, naming the field", () => {
    const parsed = SearchRequest.safeParse({ query: "q", mode: "sparse", explain: true });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["explain"]);
  });
});
