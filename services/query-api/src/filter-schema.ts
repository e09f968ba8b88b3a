import { z } from "@hono/zod-openapi";
import { limitNesting } from "@hybrid/config";

/**
 * Qdrant's filter JSON, checked before it is sent so a typo answers 400 naming the field (`filter.must[0].match`)
 * instead of an opaque store error. Objects are strict: an unknown key is an error, not silently dropped.
 */

/**
 * An object that rejects unknown keys with an aborting issue per key (`catchall(undefined)`), unlike `strictObject`,
 * whose unknown-key issue lets a union settle on the wrong branch and report that branch's complaint.
 */
const NoMoreKeys = z.undefined().openapi({ type: "object", not: {}, description: "no other keys" });

function closed<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape).catchall(NoMoreKeys);
}

const Key = z
  .string()
  .min(1)
  .max(256)
  .describe("payload key path, e.g. `city` or `address.city` or `tags[]`");
const MatchValue = z.union([z.string(), z.number().int(), z.boolean()]);

type MatchValue = string | number | boolean;
export type Match =
  | { value: MatchValue }
  | { any: MatchValue[] }
  | { except: MatchValue[] }
  | { text: string };
export interface Range {
  gt?: number | null | undefined;
  gte?: number | null | undefined;
  lt?: number | null | undefined;
  lte?: number | null | undefined;
}
export interface FieldCondition {
  key: string;
  match?: Match | undefined;
  range?: Range | undefined;
}

const Match: z.ZodType<Match> = z.union([
  closed({ value: MatchValue }),
  closed({ any: z.array(MatchValue).max(1024) }),
  closed({ except: z.array(MatchValue).max(1024) }),
  closed({ text: z.string().max(1024) }),
]);

const Range: z.ZodType<Range> = closed({
  gt: z.number().nullish(),
  gte: z.number().nullish(),
  lt: z.number().nullish(),
  lte: z.number().nullish(),
}).refine(
  (r) => Object.values(r).some((v) => typeof v === "number"),
  "range needs at least one of gt, gte, lt, lte",
);

/** JSON numbers past 2^53 - 1 have already lost digits when parsed, so they cannot name a point exactly. */
const ID_EXPECTED = "a point id: an unsigned integer up to 2^53 - 1 (9007199254740991) or a UUID";
const PointId = z.union(
  [z.number().int({ error: ID_EXPECTED }).min(0, ID_EXPECTED), z.uuid({ error: ID_EXPECTED })],
  { error: ID_EXPECTED },
);

const FieldCondition: z.ZodType<FieldCondition> = closed({
  key: Key,
  match: Match.optional(),
  range: Range.optional(),
}).refine(
  (c) => (c.match === undefined) !== (c.range === undefined),
  "a field condition needs exactly one of match, range",
);

const IsEmpty: z.ZodType<{ is_empty: { key: string } }> = closed({ is_empty: closed({ key: Key }) });
const IsNull: z.ZodType<{ is_null: { key: string } }> = closed({ is_null: closed({ key: Key }) });
const HasId: z.ZodType<{ has_id: Array<string | number> }> = closed({ has_id: z.array(PointId).max(10_000) });

export interface QdrantFilter {
  must?: FilterCondition | FilterCondition[] | null | undefined;
  should?: FilterCondition | FilterCondition[] | null | undefined;
  must_not?: FilterCondition | FilterCondition[] | null | undefined;
  min_should?: { conditions: FilterCondition[]; min_count: number } | null | undefined;
}

export type FilterCondition =
  | FieldCondition
  | { is_empty: { key: string } }
  | { is_null: { key: string } }
  | { has_id: Array<string | number> }
  | { nested: { key: string; filter: QdrantFilter } }
  | QdrantFilter;

const Nested: z.ZodType<{ nested: { key: string; filter: QdrantFilter } }> = closed({
  nested: closed({
    key: Key,
    get filter() {
      return FilterShape;
    },
  }),
});

const Condition: z.ZodType<FilterCondition> = z.union([
  FieldCondition,
  IsEmpty,
  IsNull,
  HasId,
  z.lazy(() => Nested),
  z.lazy(() => FilterShape),
]);

const Clause = z.union([Condition, z.array(Condition).max(256)]).nullish();

const FilterShape: z.ZodType<QdrantFilter> = closed({
  must: Clause,
  should: Clause,
  must_not: Clause,
  min_should: closed({
    conditions: z.array(Condition).max(256),
    min_count: z.number().int().min(0),
  }).nullish(),
}).openapi("Filter", {
  description:
    "Qdrant filter (must / should / must_not / min_should over field, is_empty, is_null, has_id, nested)",
});

/**
 * Deepest nesting of objects and arrays in a filter (`{"must": [{"must": [...]}]}` is two per level). Checking a
 * filter recurses once per level, so a hostile one hundreds of levels deep would overflow the stack.
 */
export const MAX_FILTER_NESTING = 32;

/** A filter as requests carry it: nesting checked first, then the shape. */
export const Filter = limitNesting(MAX_FILTER_NESTING, FilterShape);
