import type { Collection, StoredPoint } from "./collection.js";
import { pointNotFound } from "./errors.js";
import { compileFilter } from "./filter.js";
import { orderPoints, readOrderBy } from "./order-by.js";
import { readIdList } from "./parse-points.js";
import { comparePointIds, type PointId, parsePointId } from "./point-id.js";
import { readPayloadSelector, readVectorSelector, renderRecord } from "./render.js";
import type { CountRequest, PointRequest, ScrollRequest } from "./requests/qdrant-requests.generated.js";

/** `POST points`: the points of the ids that exist, in the order asked. */
export function retrievePoints(collection: Collection, body: PointRequest): unknown[] {
  const payload = readPayloadSelector(body.with_payload, true);
  const vector = readVectorSelector(body.with_vector, false);
  const out: unknown[] = [];
  for (const id of readIdList(body.ids, "ids")) {
    const point = collection.points.get(id);
    if (point) out.push(renderRecord(collection, point, payload, vector));
  }
  return out;
}

/** `GET points/{id}`: digits are a numeric id, anything else a UUID. */
export function getPoint(collection: Collection, rawId: string): unknown {
  const id = parsePointId(/^\d+$/.test(rawId) ? Number(rawId) : rawId, "id");
  const point = collection.points.get(id);
  if (!point) throw pointNotFound(id);
  return renderRecord(collection, point, { kind: "all" }, { kind: "all" });
}

/** `points/scroll`: points in id order from `offset` (or in payload order with `order_by`), `limit` at a time. */
export function scrollPoints(collection: Collection, body: ScrollRequest) {
  const limit = body.limit ?? 10;
  const payload = readPayloadSelector(body.with_payload, true);
  const vector = readVectorSelector(body.with_vector, false);
  const predicate = body.filter ? compileFilter(body.filter, "filter", collection) : undefined;
  if (body.order_by) {
    const accept = predicate ? (slot: number) => predicate(collection.slots[slot] as StoredPoint) : undefined;
    const hits = orderPoints(collection, readOrderBy(body.order_by, "order_by"), accept).slice(0, limit);
    const points = hits.map((h) => ({
      ...renderRecord(collection, collection.slots[h.slot] as StoredPoint, payload, vector),
      order_value: h.orderValue,
    }));
    return { points, next_page_offset: null };
  }
  const ids = collection.orderedIds();
  let start = 0;
  if (body.offset !== undefined && body.offset !== null) {
    const offset = parsePointId(body.offset, "offset");
    let hi = ids.length;
    while (start < hi) {
      const mid = (start + hi) >> 1;
      if (comparePointIds(ids[mid] as PointId, offset) < 0) start = mid + 1;
      else hi = mid;
    }
  }
  const points: unknown[] = [];
  let next: PointId | null = null;
  for (let i = start; i < ids.length; i++) {
    const point = collection.points.get(ids[i] as PointId);
    if (!point || (predicate && !predicate(point))) continue;
    if (points.length === limit) {
      next = point.id;
      break;
    }
    points.push(renderRecord(collection, point, payload, vector));
  }
  return { points, next_page_offset: next };
}

export function countPoints(collection: Collection, body: CountRequest): { count: number } {
  if (!body.filter) return { count: collection.size };
  const predicate = compileFilter(body.filter, "filter", collection);
  let count = 0;
  for (const point of collection.points.values()) if (predicate(point)) count++;
  return { count };
}
