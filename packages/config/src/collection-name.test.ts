import { describe, expect, it } from "vitest";
import { CollectionName } from "./collection-name.js";
import { loadConfig } from "./load-config.js";
import { QueryEnv } from "./query-config.js";

describe("CollectionName", () => {
  it("accepts names Qdrant keeps as a directory of their own", () => {
    for (const name of ["startups", "a", "my-coll_2.v1", "_x", "x".repeat(255)])
      expect(CollectionName.safeParse(name).success, name).toBe(true);
  });

  it("refuses . and .., leading dots, characters Qdrant refuses and over-long names, saying what is expected", () => {
    for (const name of [".", "..", ".hidden", "", "a/b", "a:b", "a*b", "a b", "a\0b", "x".repeat(256)]) {
      const result = CollectionName.safeParse(name);
      expect(result.success, name).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/1-255 letters, digits.*not starting with a dot/);
    }
  });

  it("guards DEFAULT_COLLECTION too", () => {
    expect(() => loadConfig(QueryEnv, { DEFAULT_COLLECTION: ".." })).toThrow(/DEFAULT_COLLECTION/);
  });
});
