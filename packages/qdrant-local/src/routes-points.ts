import type { Collection, StoredPoint } from "./collection.js";
import type { Engine } from "./engine.js";
import { badRequest, formatError, notFound, unprocessable } from "./errors.js";
import { compileFilter } from "./filter.js";
import type { Operation, VectorInput } from "./ops.js";
import { orderPoints, readOrderBy } from "./order-by.js";
import { isPlainObject, readIdList, readUpsert, readVectorStruct } from "./parse-points.js";
import { type PointId, parsePointId } from "./point-id.js";
import { readPayloadSelector, readVectorSelector, renderRecord } from "./render.js";
import type { Route } from "./router.js";

/** Ids a write applies to: `points` (a list) or `filter` (resolved now, so the logged operation is exact). */
function selectIds(collection: Collection, body: Record<string, unknown>, mustExist: boolean): PointId[] {
  if (body.points !== undefined && body.points !== null) {
    const ids = readIdList(body.points, "points");
    if (mustExist) {
      for (const id of ids)
        if (!collection.points.has(id)) throw notFound(`Not found: No point with id ${id} found`);
    }
    return ids;
  }
  if (body.filter !== undefined && body.filter !== null) return filterIds(collection, body.filter, "filter");
  throw formatError("", "expected `points` (a list of ids) or `filter`");
}

export function filterIds(collection: Collection, filter: unknown, where: string): PointId[] {
  const predicate = compileFilter(filter, where, collection);
  const ids: PointId[] = [];
  for (const point of collection.points.values()) if (predicate(point)) ids.push(point.id);
  return ids;
}

function readPayloadObject(value: unknown, where: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw formatError(where, "invalid type: expected a JSON object");
  return value;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw formatError("", "invalid type: expected a JSON object");
  return body;
}

function readLimit(value: unknown, where: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw unprocessable(
      `Validation error in JSON body: [${where}: value ${JSON.stringify(value)} invalid, must be 1 or larger]`,
    );
  }
  return value;
}

/** Turns one `points/batch` operation into store operations (checked before any is applied). */
function readBatchOperation(collection: Collection, name: string, item: unknown, where: string): Operation {
  if (!isPlainObject(item)) throw formatError(where, "expected an update operation");
  const [kind, spec] = Object.entries(item)[0] ?? [];
  const body = isPlainObject(spec) ? spec : {};
  switch (kind) {
    case "upsert":
      return { type: "upsert", collection: name, points: readUpsert(collection, body) };
    case "delete":
      return { type: "delete_points", collection: name, ids: selectIds(collection, body, false) };
    case "set_payload":
      return {
        type: "set_payload",
        collection: name,
        ids: selectIds(collection, body, false),
        payload: readPayloadObject(body.payload, `${where}.set_payload.payload`),
        key: typeof body.key === "string" ? body.key : null,
      };
    case "overwrite_payload":
      return {
        type: "overwrite_payload",
        collection: name,
        ids: selectIds(collection, body, false),
        payload: readPayloadObject(body.payload, `${where}.overwrite_payload.payload`),
      };
    case "delete_payload":
      return {
        type: "delete_payload",
        collection: name,
        ids: selectIds(collection, body, false),
        keys: readKeys(body.keys, `${where}.delete_payload.keys`),
      };
    case "clear_payload":
      return { type: "clear_payload", collection: name, ids: selectIds(collection, body, false) };
    case "update_vectors":
      return {
        type: "update_vectors",
        collection: name,
        points: readVectorUpdates(collection, body.points, `${where}.update_vectors.points`),
      };
    case "delete_vectors":
      return {
        type: "delete_vectors",
        collection: name,
        ids: selectIds(collection, body, false),
        names: readKeys(body.vector, `${where}.delete_vectors.vector`),
      };
    default:
      throw formatError(where, `unknown variant \`${String(kind)}\``);
  }
}

function readKeys(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((k) => typeof k === "string"))
    throw formatError(where, "expected a list of strings");
  return value as string[];
}

function readVectorUpdates(
  collection: Collection,
  value: unknown,
  where: string,
): Array<{ id: PointId; vectors: Record<string, VectorInput> }> {
  if (!Array.isArray(value)) throw formatError(where, "expected a list of {id, vector}");
  return value.map((p, i) => {
    if (!isPlainObject(p)) throw formatError(`${where}[${i}]`, "expected {id, vector}");
    const id = parsePointId(p.id, `${where}[${i}].id`);
    if (!collection.points.has(id)) throw notFound(`Not found: No point with id ${id} found`);
    return { id, vectors: readVectorStruct(collection, p.vector, `${where}[${i}].vector`) };
  });
}

export function pointRoutes(engine: Engine): Route[] {
  const store = engine.store;
  const write = async (op: Operation, wait: boolean | undefined) => {
    const operationId = engine.commit(op);
    return { operation_id: operationId, status: await engine.finish(wait ?? false) };
  };
  return [
    [
      "PUT",
      "/collections/{name}/points",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        return write({ type: "upsert", collection: params.name, points: readUpsert(c, body) }, wait);
      },
    ],
    [
      "POST",
      "/collections/{name}/points",
      ({ params, body }) => {
        const c = store.get(params.name);
        const b = objectBody(body);
        const ids = readIdList(b.ids, "ids");
        const payload = readPayloadSelector(b.with_payload, "with_payload", true);
        const vector = readVectorSelector(b.with_vector, "with_vector", false);
        const out: unknown[] = [];
        for (const id of ids) {
          const point = c.points.get(id);
          if (point) out.push(renderRecord(c, point, payload, vector));
        }
        return out;
      },
    ],
    [
      "GET",
      "/collections/{name}/points/{id}",
      ({ params }) => {
        const c = store.get(params.name);
        const raw = /^\d+$/.test(params.id) ? Number(params.id) : params.id;
        const id = parsePointId(raw, "id");
        const point = c.points.get(id);
        if (!point) throw notFound(`Not found: No point with id ${id} found`);
        return renderRecord(c, point, { kind: "all" }, { kind: "all" });
      },
    ],
    [
      "POST",
      "/collections/{name}/points/delete",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        return write(
          { type: "delete_points", collection: params.name, ids: selectIds(c, objectBody(body), false) },
          wait,
        );
      },
    ],
    [
      "POST",
      "/collections/{name}/points/payload",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        const b = objectBody(body);
        const payload = readPayloadObject(b.payload, "payload");
        const key = b.key === undefined || b.key === null ? null : b.key;
        if (key !== null && typeof key !== "string") throw formatError("key", "expected a payload key");
        return write(
          { type: "set_payload", collection: params.name, ids: selectIds(c, b, true), payload, key },
          wait,
        );
      },
    ],
    [
      "PUT",
      "/collections/{name}/points/payload",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        const b = objectBody(body);
        const payload = readPayloadObject(b.payload, "payload");
        return write(
          { type: "overwrite_payload", collection: params.name, ids: selectIds(c, b, true), payload },
          wait,
        );
      },
    ],
    [
      "POST",
      "/collections/{name}/points/payload/delete",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        const b = objectBody(body);
        const keys = readKeys(b.keys, "keys");
        return write(
          { type: "delete_payload", collection: params.name, ids: selectIds(c, b, true), keys },
          wait,
        );
      },
    ],
    [
      "POST",
      "/collections/{name}/points/payload/clear",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        const ids = Array.isArray(body) ? readIdList(body, "points") : selectIds(c, objectBody(body), true);
        return write({ type: "clear_payload", collection: params.name, ids }, wait);
      },
    ],
    [
      "PUT",
      "/collections/{name}/points/vectors",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        const points = readVectorUpdates(c, objectBody(body).points, "points");
        return write({ type: "update_vectors", collection: params.name, points }, wait);
      },
    ],
    [
      "POST",
      "/collections/{name}/points/vectors/delete",
      ({ params, body, wait }) => {
        const c = store.get(params.name);
        const b = objectBody(body);
        const names = readKeys(b.vector, "vector");
        for (const n of names) {
          if (!(n in c.config.vectors) && !(n in c.config.sparse))
            throw badRequest(`Wrong input: Not existing vector name error: ${n}`);
        }
        return write(
          { type: "delete_vectors", collection: params.name, ids: selectIds(c, b, true), names },
          wait,
        );
      },
    ],
    [
      "POST",
      "/collections/{name}/points/batch",
      async ({ params, body, wait }) => {
        const c = store.get(params.name);
        const b = objectBody(body);
        if (!Array.isArray(b.operations))
          throw formatError("operations", "expected a list of update operations");
        const results: unknown[] = [];
        for (const [i, item] of b.operations.entries()) {
          const op = readBatchOperation(c, params.name, item, `operations[${i}]`);
          results.push({ operation_id: engine.commit(op) });
        }
        const status = await engine.finish(wait ?? false);
        return results.map((r) => ({ ...(r as object), status }));
      },
    ],
    [
      "POST",
      "/collections/{name}/points/scroll",
      ({ params, body }) => {
        const c = store.get(params.name);
        const b = body === undefined ? {} : objectBody(body);
        const limit = readLimit(b.limit, "limit", 10);
        const payload = readPayloadSelector(b.with_payload, "with_payload", true);
        const vector = readVectorSelector(b.with_vector, "with_vector", false);
        const predicate =
          b.filter === undefined || b.filter === null ? undefined : compileFilter(b.filter, "filter", c);
        if (b.order_by !== undefined && b.order_by !== null) {
          const spec = readOrderBy(b.order_by, "order_by");
          const accept = predicate ? (slot: number) => predicate(c.slots[slot] as StoredPoint) : undefined;
          const hits = orderPoints(c, spec, accept).slice(0, limit);
          const points = hits.map((h) => ({
            ...renderRecord(c, c.slots[h.slot] as StoredPoint, payload, vector),
            order_value: h.orderValue,
          }));
          return { points, next_page_offset: null };
        }
        const ids = c.orderedIds();
        let start = 0;
        if (b.offset !== undefined && b.offset !== null) {
          const offset = parsePointId(b.offset, "offset");
          let lo = 0;
          let hi = ids.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            const x = ids[mid] as PointId;
            const before = typeof x === typeof offset ? x < offset : typeof x === "number";
            if (before) lo = mid + 1;
            else hi = mid;
          }
          start = lo;
        }
        const points: unknown[] = [];
        let next: PointId | null = null;
        for (let i = start; i < ids.length; i++) {
          const point = c.points.get(ids[i] as PointId);
          if (!point || (predicate && !predicate(point))) continue;
          if (points.length === limit) {
            next = point.id;
            break;
          }
          points.push(renderRecord(c, point, payload, vector));
        }
        return { points, next_page_offset: next };
      },
    ],
    [
      "POST",
      "/collections/{name}/points/count",
      ({ params, body }) => {
        const c = store.get(params.name);
        const b = body === undefined ? {} : objectBody(body);
        if (b.filter === undefined || b.filter === null) return { count: c.size };
        return { count: filterIds(c, b.filter, "filter").length };
      },
    ],
  ];
}
