import type { QdrantFilter } from "./filter-schema.js";

/** Query parameters of `GET /api/search` that are not payload filters. */
export const RESERVED_PARAMS = new Set(["q", "limit", "collection", "mode"]);

const KEY = /^[A-Za-z_][\w.-]{0,127}$/;

/**
 * `city=Berlin&city=Paris&year=2020` as a Qdrant filter: every other query parameter is an exact match on that payload
 * key (several values: any of them); the values stay strings. Returns `undefined` when there is nothing to filter, or
 * the offending parameter name when a key is not a plain payload key.
 */
export function simpleFilter(
  params: Record<string, string[]>,
): { filter: QdrantFilter | undefined } | { badKey: string } {
  const must = [];
  for (const [key, values] of Object.entries(params)) {
    if (RESERVED_PARAMS.has(key)) continue;
    if (!KEY.test(key)) return { badKey: key };
    const kept = values.filter((v) => v !== "");
    if (kept.length === 0) continue;
    must.push(
      kept.length === 1 ? { key, match: { value: kept[0] as string } } : { key, match: { any: kept } },
    );
  }
  return { filter: must.length > 0 ? { must } : undefined };
}
