import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Filter } from "./filter-schema.js";
import { formatPath, toValidationError } from "./validation-error.js";

function errorFor(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a failure");
  return toValidationError(result.error, "body");
}

describe("toValidationError", () => {
  it("names the offending field and answers BAD_REQUEST", () => {
    const error = errorFor(z.object({ limit: z.number().int().max(100) }), { limit: 500 });
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/^body\.limit: /);
    expect(error.details).toMatchObject({ field: "body.limit" });
  });

  it("narrows a filter condition to the shape the client meant", () => {
    const error = errorFor(z.object({ filter: Filter }), {
      filter: {
        must: [
          { key: "city", match: { value: "Berlin" } },
          { key: "city", match: { valu: "Paris" } },
        ],
      },
    });
    expect(error.message).toBe('body.filter.must[1].match: unknown field "valu"');
  });

  it("finds problems inside nested filters", () => {
    const error = errorFor(z.object({ filter: Filter }), {
      filter: { should: { nested: { key: "items", filter: { must: { key: "", match: { value: 1 } } } } } },
    });
    expect(error.message).toMatch(/^body\.filter\.should\.nested\.filter\.must\.key: /);
  });

  it("rejects unknown clauses and empty ranges", () => {
    expect(errorFor(z.object({ filter: Filter }), { filter: { mustnt: [] } }).message).toBe(
      'body.filter: unknown field "mustnt"',
    );
    expect(errorFor(Filter, { must: { key: "year", range: {} } }).message).toMatch(
      /range needs at least one/,
    );
  });

  it("accepts the conditions Qdrant accepts", () => {
    const ok = {
      must: [
        { key: "city", match: { any: ["Berlin", "Paris"] } },
        { key: "year", range: { gte: 2000, lt: 2020 } },
      ],
      must_not: { is_empty: { key: "description" } },
      should: [
        { has_id: [1, "0b0f4a8e-1f5b-4a7c-9c1e-0c2b6c1d2e3f"] },
        { must: { key: "x", match: { text: "ai" } } },
      ],
      min_should: { conditions: [{ is_null: { key: "y" } }], min_count: 1 },
    };
    expect(Filter.safeParse(ok).success).toBe(true);
  });
});

describe("formatPath", () => {
  it("writes indices in brackets", () => {
    expect(formatPath(["body", "searches", 2, "filter", "must", 0])).toBe("body.searches[2].filter.must[0]");
  });
});
