import { conditionsOf } from "./filter.js";
import type { Filter } from "./requests/qdrant-requests.generated.js";

/** Merges a parent filter into a prefetch's filter the way Qdrant does: must/must_not/should concatenated, min_should merged. */
export function mergeFilters(
  parent: Filter | null | undefined,
  child: Filter | null | undefined,
): Filter | null | undefined {
  if (parent === undefined || parent === null) return child;
  if (child === undefined || child === null) return parent;
  const out: Filter = {};
  for (const k of ["must", "should", "must_not"] as const) {
    const list = [...conditionsOf(parent[k]), ...conditionsOf(child[k])];
    if (list.length > 0) out[k] = list;
  }
  const a = parent.min_should;
  const b = child.min_should;
  if (a || b) {
    out.min_should = {
      conditions: [...(a?.conditions ?? []), ...(b?.conditions ?? [])],
      min_count: Math.max(a?.min_count ?? 0, b?.min_count ?? 0),
    };
  }
  return out;
}
