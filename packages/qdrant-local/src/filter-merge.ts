/** Filters as plain JSON: Qdrant's merge of a parent filter into a prefetch's. */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Merges a parent filter into a prefetch's filter the way Qdrant does: must/must_not/should concatenated, min_should merged. */
export function mergeFilters(parent: unknown, child: unknown): unknown {
  if (parent === undefined || parent === null) return child;
  if (child === undefined || child === null) return parent;
  if (!isPlainObject(parent) || !isPlainObject(child)) return child;
  const out: Record<string, unknown> = {};
  for (const k of ["must", "should", "must_not"] as const) {
    const list = [...asList(parent[k]), ...asList(child[k])];
    if (list.length > 0) out[k] = list;
  }
  const a = isPlainObject(parent.min_should) ? parent.min_should : undefined;
  const b = isPlainObject(child.min_should) ? child.min_should : undefined;
  if (a || b) {
    out.min_should = {
      conditions: [...asList(a?.conditions), ...asList(b?.conditions)],
      min_count: Math.max(Number(a?.min_count ?? 0), Number(b?.min_count ?? 0)),
    };
  }
  return out;
}
