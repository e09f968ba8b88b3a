import { describe, expect, it } from "vitest";
import { QdrantError } from "./errors.js";
import { compileFilter, type FilterEnv } from "./filter.js";
import { mergeFilters } from "./filter-merge.js";
import { parseRequest } from "./requests/parse-request.js";

const env: FilterEnv = { hasVector: () => true, textTokenizer: () => undefined };
/** A filter as a request carries it: checked against Qdrant's schema first, then compiled. */
const compile = (filter: unknown) =>
  compileFilter(parseRequest("CountRequest", { filter }).filter ?? {}, "filter", env);
const check = (filter: unknown, payload: Record<string, unknown>, id: number | string = 1) =>
  compile(filter)({ id, slot: 0, payload });

describe("compileFilter", () => {
  it("matches values without crossing types", () => {
    expect(check({ must: [{ key: "a", match: { value: 1 } }] }, { a: 1 })).toBe(true);
    expect(check({ must: [{ key: "a", match: { value: 1 } }] }, { a: "1" })).toBe(false);
    expect(check({ must: [{ key: "a", match: { value: true } }] }, { a: [false, true] })).toBe(true);
  });

  it("treats [null] as neither empty nor missing for is_empty, and null as null", () => {
    expect(check({ must: [{ is_empty: { key: "a" } }] }, { a: [null] })).toBe(false);
    expect(check({ must: [{ is_empty: { key: "a" } }] }, { a: [] })).toBe(true);
    expect(check({ must: [{ is_null: { key: "a" } }] }, { a: null })).toBe(true);
    expect(check({ must: [{ is_null: { key: "a" } }] }, {})).toBe(false);
  });

  it("an empty top-level should constrains nothing", () => {
    expect(check({ should: [] }, { a: 1 })).toBe(true);
  });

  it("ranges, datetimes, values_count and geo", () => {
    expect(
      check({ must: [{ key: "t", range: { gte: "2024-01-01T00:00:00Z" } }] }, { t: "2024-05-01T10:00:00Z" }),
    ).toBe(true);
    expect(check({ must: [{ key: "xs", values_count: { gte: 3 } }] }, { xs: [1, 2, 3] })).toBe(true);
    const berlin = { lon: 13.405, lat: 52.52 };
    expect(
      check(
        { must: [{ key: "loc", geo_radius: { center: { lon: 13.4, lat: 52.5 }, radius: 5000 } }] },
        { loc: berlin },
      ),
    ).toBe(true);
    expect(
      check(
        {
          must: [
            {
              key: "loc",
              geo_bounding_box: { top_left: { lon: 13, lat: 53 }, bottom_right: { lon: 14, lat: 52 } },
            },
          ],
        },
        { loc: berlin },
      ),
    ).toBe(true);
  });

  it("rejects malformed conditions with a 400 naming the place", () => {
    expect(() => compile({ must: [{ key: "a", match: {} }] })).toThrow(QdrantError);
    // As in Qdrant, the body's shape is checked (serde) before a condition's content (validation): a condition that
    // fits no variant is named even after one that is empty.
    for (const [filter, place] of [
      [{ must: [{ key: "a" }, { key: "b", match: { value: 1 } }] }, "filter.must[0]"],
      [{ must: [{ key: "a" }, { bogus: 1 }] }, "filter.must[1]"],
    ] as const) {
      const error = (() => {
        try {
          compile(filter);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(QdrantError);
      expect((error as QdrantError).status).toBeGreaterThanOrEqual(400);
      expect((error as QdrantError).message).toContain(place);
    }
  });
});

describe("mergeFilters", () => {
  it("concatenates must/should/must_not and takes the larger min_count", () => {
    const merged = mergeFilters(
      {
        must: { key: "a", match: { value: 1 } },
        should: [{ has_id: [1] }],
        min_should: { conditions: [{ has_id: [1] }], min_count: 1 },
      },
      {
        must: [{ key: "b", match: { value: 2 } }],
        should: [{ has_id: [2] }],
        min_should: { conditions: [{ has_id: [2] }], min_count: 2 },
      },
    );
    expect(merged).toEqual({
      must: [
        { key: "a", match: { value: 1 } },
        { key: "b", match: { value: 2 } },
      ],
      should: [{ has_id: [1] }, { has_id: [2] }],
      min_should: { conditions: [{ has_id: [1] }, { has_id: [2] }], min_count: 2 },
    });
  });
});
