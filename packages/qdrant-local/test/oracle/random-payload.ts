import type { Random } from "./random.js";
import type { Json, JsonObject, PointIdJson } from "./workload.js";

// Payloads and filters share one small vocabulary so that filters select some points but rarely all or none.
const CITIES = ["Berlin", "London", "Moscow", "Paris"] as const;
const TAGS = ["red", "green", "blue", "gold"] as const;
const KINDS = ["a", "b", "c"] as const;
const WORDS = ["quick", "brown", "fox", "lazy", "dog", "jumps"] as const;

function cityValue(r: Random): Json {
  const roll = r.int(0, 9);
  if (roll < 5) return r.pick(CITIES);
  if (roll < 7) return r.some(CITIES, r.int(1, 3));
  if (roll === 7) return null;
  return [];
}

/** A payload with strings, string arrays, numbers, nulls, empty arrays, an object and an array of objects. */
export function randomPayload(r: Random): JsonObject {
  const payload: JsonObject = {};
  if (r.chance(0.85)) payload.city = cityValue(r);
  if (r.chance(0.8))
    payload.price = r.chance(0.15) ? null : r.chance(0.5) ? r.int(0, 20) : r.int(0, 40) / 2 + 0.25;
  if (r.chance(0.7)) payload.tags = r.some(TAGS, r.int(0, 3));
  if (r.chance(0.8)) payload.n = r.int(0, 5);
  if (r.chance(0.6)) payload.flag = r.chance(0.5);
  if (r.chance(0.6)) payload.meta = { kind: r.pick(KINDS), rank: r.int(1, 3) };
  if (r.chance(0.5))
    payload.items = Array.from({ length: r.int(0, 3) }, () => ({ a: r.int(0, 3), b: r.pick(["x", "y"]) }));
  if (r.chance(0.5)) payload.text = r.some(WORDS, r.int(1, 4)).join(" ");
  return payload;
}

function range(r: Random, hi: number): JsonObject {
  const out: JsonObject = {};
  const a = r.int(0, hi * 2) / 2;
  const b = a + r.int(1, hi) / 2;
  if (r.chance(0.7)) out[r.pick(["gt", "gte"])] = a;
  if (r.chance(0.7) || Object.keys(out).length === 0) out[r.pick(["lt", "lte"])] = b;
  return out;
}

/** One condition of a kind the services send (field match/range, is_empty, is_null, has_id, nested) or a sub-filter. */
export function randomCondition(r: Random, ids: readonly PointIdJson[], depth: number): JsonObject {
  const roll = r.int(0, depth > 0 ? 16 : 15);
  switch (roll) {
    case 0:
      return { key: r.pick(["city", "city[]"]), match: { value: r.pick(CITIES) } };
    case 1:
      return { key: "tags", match: { value: r.pick(TAGS) } };
    case 2:
      return { key: r.pick(["n", "meta.rank", "price"]), match: { value: r.int(0, 5) } };
    case 3:
      // Not `match: {value: true}`: qdrant-edge-py 0.9.0's MatchValue reads a Python bool as an integer.
      return { must_not: [{ is_empty: { key: "flag" } }] };
    case 4:
      return {
        key: r.pick(["city", "tags", "meta.kind"]),
        match: { any: r.some([...CITIES, ...TAGS, ...KINDS], r.int(0, 3)) },
      };
    case 5:
      return { key: r.pick(["n", "meta.rank"]), match: { any: r.some([0, 1, 2, 3, 4, 5], r.int(0, 3)) } };
    case 6:
      return {
        key: r.pick(["city", "meta.kind", "tags"]),
        match: { except: r.some([...CITIES, ...KINDS, ...TAGS], r.int(0, 2)) },
      };
    case 7:
      return { key: "n", match: { except: r.some([0, 1, 2, 3, 4, 5], r.int(0, 3)) } };
    case 8:
      return { key: "text", match: { text: r.pick(WORDS).slice(0, r.int(2, 4)) } };
    case 9:
      return { key: r.pick(["price", "n"]), range: range(r, 10) };
    case 10:
      return { key: "meta.rank", range: range(r, 2) };
    case 11:
      return { is_empty: { key: r.pick(["city", "tags", "price", "items"]) } };
    case 12:
      return { is_null: { key: r.pick(["city", "price"]) } };
    case 13:
      return { has_id: r.some(ids, r.int(0, 6)) };
    case 14:
      return {
        nested: {
          key: "items",
          filter: {
            must: [
              { key: "a", match: { value: r.int(0, 3) } },
              { key: "b", match: { value: r.pick(["x", "y"]) } },
            ],
          },
        },
      };
    case 15:
      return { key: "items[].a", match: { value: r.int(0, 3) } };
    default:
      return randomFilter(r, ids, depth - 1);
  }
}

function conditions(r: Random, ids: readonly PointIdJson[], depth: number, n: number): JsonObject[] {
  return Array.from({ length: n }, () => randomCondition(r, ids, depth));
}

/** A filter of one to three clauses (must / should / must_not / min_should), nesting sub-filters up to `depth`. */
export function randomFilter(r: Random, ids: readonly PointIdJson[], depth = 1): JsonObject {
  const filter: JsonObject = {};
  const clauses = r.some(["must", "should", "must_not", "min_should"] as const, r.int(1, 3));
  for (const clause of clauses) {
    if (clause === "min_should") {
      const list = conditions(r, ids, depth, r.int(1, 3));
      filter.min_should = { conditions: list, min_count: r.int(1, list.length) };
    } else {
      const list = conditions(r, ids, depth, r.int(1, 2));
      // Qdrant takes one condition or a list; send both shapes.
      filter[clause] = list.length === 1 && r.chance(0.3) ? (list[0] as JsonObject) : list;
    }
  }
  return filter;
}
