import type { Collection, StoredPoint } from "./collection.js";
import { formatError } from "./errors.js";
import { parsePath, valuesAt } from "./payload-path.js";
import { comparePointIds } from "./point-id.js";
import type { OrderByInterface } from "./requests/qdrant-requests.generated.js";

/** A scored slot; `orderValue` set for order_by queries. */
export interface Hit {
  slot: number;
  score: number;
  orderValue?: number;
}

export interface OrderBy {
  key: string;
  direction: "asc" | "desc";
  startFrom: number | undefined;
}

export function readOrderBy(spec: OrderByInterface, where: string): OrderBy {
  if (typeof spec === "string") return { key: spec, direction: "asc", startFrom: undefined };
  let startFrom: number | undefined;
  if (typeof spec.start_from === "number") startFrom = spec.start_from;
  else if (typeof spec.start_from === "string") {
    startFrom = Date.parse(spec.start_from);
    if (Number.isNaN(startFrom))
      throw formatError(`${where}.start_from`, "expected a number or an RFC 3339 datetime");
  }
  return { key: spec.key, direction: spec.direction ?? "asc", startFrom };
}

function orderValueOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** Points ordered by a payload value (one hit per point, its smallest value ascending or largest descending). */
export function orderPoints(
  collection: Collection,
  spec: OrderBy,
  accept: ((slot: number) => boolean) | undefined,
): Hit[] {
  const steps = parsePath(spec.key);
  const asc = spec.direction === "asc";
  const hits: Hit[] = [];
  for (const point of collection.points.values()) {
    if (accept !== undefined && !accept(point.slot)) continue;
    let best: number | undefined;
    for (const raw of valuesAt(point.payload, steps)) {
      const v = orderValueOf(raw);
      if (v === undefined) continue;
      if (spec.startFrom !== undefined && (asc ? v < spec.startFrom : v > spec.startFrom)) continue;
      if (best === undefined || (asc ? v < best : v > best)) best = v;
    }
    if (best !== undefined) hits.push({ slot: point.slot, score: 0, orderValue: best });
  }
  const byId = (a: Hit, b: Hit) =>
    comparePointIds(
      (collection.slots[a.slot] as StoredPoint).id,
      (collection.slots[b.slot] as StoredPoint).id,
    );
  hits.sort((a, b) => (asc ? 1 : -1) * ((a.orderValue as number) - (b.orderValue as number)) || byId(a, b));
  return hits;
}
