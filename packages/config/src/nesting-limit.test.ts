import { describe, expect, it } from "vitest";
import { z } from "zod";
import { limitNesting, nestingDepth } from "./nesting-limit.js";

describe("nesting limit", () => {
  const deep = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value };
    return value;
  };

  it("counts objects and arrays, without recursion at any depth", () => {
    expect(nestingDepth(1)).toBe(0);
    expect(nestingDepth({ a: [1], b: {} })).toBe(2);
    expect(nestingDepth(deep(1_000_000), 64)).toBe(65);
  });

  it("refuses a value nested past the limit before the inner schema sees it", () => {
    const schema = limitNesting(8, z.unknown());
    expect(schema.safeParse(deep(8)).success).toBe(true);
    const result = schema.safeParse(deep(100_000));
    expect(result.error?.issues[0]?.message).toBe(
      "nested deeper than the limit of 8 levels (objects and arrays)",
    );
  });
});
